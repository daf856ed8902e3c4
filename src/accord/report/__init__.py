"""``accord report``: a scenario, its evidence and every analysis in one document.

The public functions::

    build(scenario, *, models=None, params=None, samples=0, seed=0, role_samples=100,
          correlate="none", command=None, created=None) -> Report
    render_html(report) -> str
    write_markdown(report, path, image_format="svg") -> list[Path]

:func:`build` runs the models (``models``: names; default every registered model that can take
the scenario, as ``accord forecast`` does; ``params``: per model, as from
:func:`accord.runner.parse_params`), Monte Carlo over the evidence when ``samples`` > 0
(:func:`accord.runner.add_uncertainty`), the roles (:func:`accord.role_analysis.analyse`
with its default model and ``role_samples`` samples), the perspectives (one reading per
source, :func:`accord.perspectives.perspectives`), the sensitivity tornado of the main model
(:func:`accord.sensitivity.tornado`) and the actors' network (:mod:`.network`). The main model
is ``accord`` when it runs, else the first model run. ``created`` (a datetime; default now)
is the only thing in the output that changes between two builds with the same inputs and
seed. A section that cannot be made for a scenario is recorded in ``Report.missing`` and
says why in one line.

:func:`render_html` returns one self-contained page (CSS inline, figures as inline SVG, no
script, nothing fetched); :func:`write_markdown` writes ``path`` and its figures (SVG or PNG)
to ``<stem>_files/`` beside it, referenced by relative paths.

    >>> from accord import read_scenario
    >>> from accord.report import build, render_html
    >>> html = render_html(build(read_scenario("scenarios/korea-2018.yaml").scenario))  # doctest: +SKIP

Sections: the run (what reproduces it), the scenario and its evidence, forecasts, trajectories,
roles, perspectives, sensitivity, the network of actors.
"""

from .build import Report, build
from .html import render_html
from .markdown import write_markdown

__all__ = ["Report", "build", "render_html", "write_markdown"]
