"""The dashboard's pages, one router per page or group of pages:

- :mod:`.index`: the folder's scenario files;
- :mod:`.scenario`: a scenario's page, its inputs and their evidence;
- :mod:`.forecast`: a forecast of the scenario as edited (the form's what-ifs);
- :mod:`.roles`: the roles, under the same edits;
- :mod:`.advice`: advice for one actor (its stakes and levers), under the same edits;
- :mod:`.report`: the report of a scenario;
- :mod:`.runs`: the recorded runs, one run, two runs compared;
- :mod:`.upload`: a scenario file added to the folder;
- :mod:`.jobs`: the progress, then the result, of long work (:mod:`accord.web.jobs`).
"""
