"""The dashboard's pages as an analyst reads them (no browser): the forecast and the bottom line
first, charts with numbers on the scale, the actors and the status quo; reasons in plain sight;
the report of the forecast as edited; progress for long work."""

from __future__ import annotations

import re
import shutil
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from accord.io import from_arrays, write_scenario  # noqa: E402
from accord.web.app import create_app  # noqa: E402
from accord.web.charts import _levels, nice_ticks  # noqa: E402
from accord.web.jobs import Jobs  # noqa: E402

from .conftest import KOREA  # noqa: E402
from .test_web import ORIGIN, post, settled  # noqa: E402


@pytest.fixture
def client(tmp_path):
    d = tmp_path / "scenarios"
    d.mkdir()
    shutil.copy(KOREA, d / "korea-2018.yaml")
    plain = from_arrays([[10.0], [60.0], [90.0]], [[0.5], [0.5], [0.5]], [1.0, 2.0, 1.0],
                        actors=["A", "B", "C"], issues=["tax"])
    write_scenario(plain, d / "plain.yaml")
    return TestClient(create_app(d, tmp_path / "runs.sqlite"), base_url=ORIGIN, headers={"Origin": ORIGIN})


def test_the_page_asks_for_the_forecast_on_opening_and_puts_it_before_the_inputs(client):
    html = client.get("/scenario/korea-2018.yaml").text
    assert re.search(r'<div id="forecast" hx-post="/scenario/korea-2018.yaml/forecast" hx-trigger="load"', html)
    assert html.index('id="results"') < html.index('id="whatif"') < html.index('name="position:RUS:sanctions"')
    # the description is one click away, not a wall above the forecast
    assert re.search(r'<details class="description"><summary>About this scenario', html)
    assert 'class="skip" href="#results"' in html


def test_a_model_that_cannot_run_says_why_in_plain_sight(client):
    html = client.get("/scenario/plain.yaml").text  # no decision rule: the procedural model cannot take it
    unavailable = re.search(r'<ul class="unavailable".*?</ul>', html, re.S)
    assert unavailable and "procedural" in unavailable.group(0)
    for item in re.findall(r"<li>(.*?)</li>", unavailable.group(0), re.S):
        reason = re.sub(r"<[^>]+>", "", item).split("is not available here:")[1].strip()
        assert len(reason) > 10  # the reason itself, on the page, not in a tooltip


def test_the_forecast_opens_with_the_bottom_line_and_a_chart_of_each_issue(client):
    html = post(client, "/scenario/korea-2018.yaml/forecast", data={"model": ["mean", "median"]}).text
    assert html.index('id="bottom-line"') < html.index('id="forecast-table"')
    charts = re.findall(r'<svg class="chart".*?</svg>', html, re.S)
    assert len(charts) == 5
    sanctions = charts[0]
    # numbers on the axis, from the scale's min to its max
    ticks = [float(t) for t in re.findall(r'class="tick"[^>]*>([-\d.]+)<', sanctions)]
    assert ticks[0] == 0 and ticks[-1] == 100 and len(ticks) >= 5
    # every actor on the scale, at its position
    assert sorted(re.findall(r'<g class="actor">.*?<text[^>]*>(\w+)</text>', sanctions, re.S)) == \
        ["CHN", "JPN", "KOR", "PRK", "RUS", "USA"]
    assert "status quo 20" in sanctions
    # each model's row: its name and its number
    assert re.search(r'class="row-label"[^>]*>mean<', sanctions) and re.search(r'class="value"[^>]*>44.7<', sanctions)


def test_a_scale_without_anchors_still_has_numbers(client):
    html = post(client, "/scenario/plain.yaml/forecast", data={"model": "mean"}).text
    (chart,) = re.findall(r'<svg class="chart".*?</svg>', html, re.S)
    assert len(re.findall(r'class="tick"', chart)) >= 5


def test_the_report_link_carries_the_edits_and_the_report_uses_them(client):
    html = post(client, "/scenario/korea-2018.yaml/forecast",
                data={"model": "mean", "position:RUS:sanctions": "100"}).text
    link = re.search(r'href="([^"]+)" target="_blank" id="report-of-run"', html).group(1)
    assert link == "/scenario/korea-2018.yaml/report?position%3ARUS%3Asanctions=100"
    edited = settled(client, client.get(link)).text  # built as a job, its progress shown meanwhile
    plain = settled(client, client.get("/scenario/korea-2018.yaml/report")).text
    assert client.get(link).text == edited  # kept: opened again, not built again
    assert "RUS.sanctions.position=100" in edited and "RUS.sanctions.position=100" not in plain
    bad = client.get("/scenario/korea-2018.yaml/report?salience%3ARUS%3Asanctions=3")
    assert bad.status_code == 422 and "salience:RUS:sanctions" in bad.text and "between 0 and 1" in bad.text


def _start_counting(app, release: threading.Event):
    """A job of four steps that waits for ``release`` between them, started on ``app``'s pool."""
    from fastapi.responses import HTMLResponse

    def slow(progress):
        for k in range(4):
            progress(k, 4)
            release.wait(5)
        return "done"

    job = app.state.jobs.new("Counting", lambda j: HTMLResponse(f"<p id='result'>{j.value}</p>"))
    app.state.pool.submit(app.state.jobs.run, job, slow)
    time.sleep(0.05)
    return job


def test_long_work_shows_its_progress_then_its_result(client):
    release = threading.Event()
    job = _start_counting(client.app, release)
    running = client.get(f"/jobs/{job.id}").text
    assert "<progress" in running and f'hx-get="/jobs/{job.id}"' in running and "of 4 samples" in running
    release.set()
    job.finished.wait(5)
    assert client.get(f"/jobs/{job.id}").text == "<p id='result'>done</p>"
    assert client.get(f"/jobs/{job.id}").status_code == 404  # delivered once, then forgotten


def test_a_poll_is_held_until_the_job_is_done_and_answers_with_its_result(client):
    """The page's progress bar asks again at once and the server holds the ask (a long poll): a
    job that finishes while the ask is held is answered by that ask, not by a later one."""
    release = threading.Event()
    job = _start_counting(client.app, release)
    threading.Timer(0.3, release.set).start()  # finishes while the poll below is held
    polled = client.get(f"/jobs/{job.id}")
    assert polled.text == "<p id='result'>done</p>"
    assert 'hx-trigger="load"' in client.app.state.pages.get_template("_job.html").render(job=job)


def test_a_poll_of_another_process_job_is_held_until_it_is_done(tmp_path):
    a, b = _two_processes(tmp_path)
    release = threading.Event()
    job = _start_counting(a.app, release)
    threading.Timer(0.3, release.set).start()
    assert b.get(f"/jobs/{job.id}").text == "<p id='result'>done</p>"  # process b does not hold the job


def test_charts_are_drawn_once_for_their_content_and_the_page_is_the_same(client):
    """A chart is kept by everything it shows: a forecast of an edit draws again only the charts
    of the issues whose chart changed, and the charts kept are those drawn afresh."""
    from accord.web import charts

    def svgs(edit: float) -> list[str]:
        html = post(client, "/scenario/korea-2018.yaml/forecast",
                    data={"model": ["eum", "mean"], "position:RUS:sanctions": edit}).text
        return re.findall(r"<svg.*?</svg>", html, re.S)

    charts._DRAWN.clear()
    first = svgs(60)
    assert len(first) == 5 and len(charts._DRAWN._values) == 5
    edited = svgs(95)
    assert len(charts._DRAWN._values) == 6  # RUS moved on sanctions: that chart alone drawn again
    assert [a == b for a, b in zip(first, edited)] == [False, True, True, True, True]
    charts._DRAWN.clear()
    assert svgs(95) == edited and svgs(60) == first  # drawn afresh: the same


def _two_processes(tmp_path):
    """Two apps as two server processes of ``accord serve --workers 2``: one folder, one store,
    one shared folder; each with its own memory, as separate processes have."""
    d = tmp_path / "scenarios"
    d.mkdir()
    shutil.copy(KOREA, d / "korea-2018.yaml")
    shared = tmp_path / "shared"
    shared.mkdir()
    return [TestClient(create_app(d, tmp_path / "runs.sqlite", shared=shared), base_url=ORIGIN,
                       headers={"Origin": ORIGIN}) for _ in range(2)]


def test_a_poll_that_reaches_another_server_process_gets_the_progress_then_the_result(tmp_path):
    a, b = _two_processes(tmp_path)
    release = threading.Event()
    job = _start_counting(a.app, release)
    running = b.get(f"/jobs/{job.id}")  # process b does not hold the job
    assert running.status_code == 200 and "<progress" in running.text and f'hx-get="/jobs/{job.id}"' in running.text
    release.set()
    job.finished.wait(5)
    done = b.get(f"/jobs/{job.id}")
    assert done.status_code == 200 and done.text == "<p id='result'>done</p>"
    assert b.get(f"/jobs/{job.id}").status_code == 404  # delivered once
    assert b.get("/jobs/..%2F..%2Fetc").status_code == 404  # an id is never a path


def test_a_forecast_run_in_one_process_is_delivered_by_the_other(tmp_path):
    a, b = _two_processes(tmp_path)
    from fastapi.responses import HTMLResponse

    jobs = a.app.state.jobs
    job = jobs.new("Forecast", lambda j: HTMLResponse(f"<p>{j.value}</p>"))
    jobs.run(job, lambda progress: 42)
    assert b.get(f"/jobs/{job.id}").text == "<p>42</p>"
    assert list((tmp_path / "shared").iterdir()) == []  # nothing left behind once delivered


def test_a_report_built_by_one_process_is_opened_by_the_other(tmp_path):
    a, b = _two_processes(tmp_path)
    first = a.get("/scenario/korea-2018.yaml/report", params={"position:RUS:sanctions": "90"})
    assert first.status_code == 200
    if "<progress" in first.text:  # still building: wait for it as the page does
        job_id = re.search(r'hx-get="/jobs/([^"]+)"', first.text).group(1)
        for _ in range(600):
            polled = b.get(f"/jobs/{job_id}")
            if "HX-Redirect" in polled.headers:
                break
            time.sleep(0.1)
        assert "HX-Redirect" in polled.headers
    opened = b.get("/scenario/korea-2018.yaml/report", params={"position:RUS:sanctions": "90"})
    assert opened.status_code == 200 and "<progress" not in opened.text and 'id="bottom-line"' in opened.text
    assert len(list((tmp_path / "shared").glob("report-*.html"))) == 1


def test_a_failed_job_is_shown_not_lost():
    jobs = Jobs()
    job = jobs.new("x", lambda j: j.error)

    def boom(progress):
        raise ValueError("bad")

    jobs.run(job, boom)
    assert job.finished.is_set() and isinstance(job.error, ValueError)


def test_finished_jobs_are_bounded_and_running_ones_never_dropped():
    from accord.web.jobs import KEEP

    jobs = Jobs()
    running = [jobs.new("x", str) for _ in range(KEEP + 8)]  # a burst: more at once than KEEP
    assert all(jobs.get(j.id) is j for j in running)  # each page still gets its answer
    for j in running:
        j.finished.set()  # done, but no page came for them
    newest = jobs.new("x", str)
    kept = [j for j in running if jobs.get(j.id) is j]
    assert kept == running[-(KEEP - 1):] and jobs.get(newest.id) is newest  # the oldest finished dropped


def test_finished_jobs_dropped_unread_leave_no_files_in_the_shared_folder(tmp_path):
    from fastapi.responses import HTMLResponse

    from accord.web.jobs import KEEP

    jobs = Jobs(tmp_path)
    for _ in range(KEEP + 4):
        jobs.run(jobs.new("x", lambda j: HTMLResponse("<p>done</p>")), lambda progress: 1)
    assert len(list(tmp_path.glob("*.answer"))) == KEEP  # the last KEEP - 1 finished before the newest, and it
    assert not list(tmp_path.glob("*.progress")) and not list(tmp_path.glob(".*"))  # no part-written file


def test_the_compare_button_is_above_the_runs(client):
    for _ in range(3):
        post(client, "/scenario/korea-2018.yaml/forecast", data={"model": "mean"})
    html = client.get("/runs").text
    assert html.index('id="compare-button"') < html.index('<table class="grid" id="runs">')


@given(st.lists(st.floats(0, 960), min_size=1, max_size=12), st.integers(2, 6))
def test_actor_labels_never_overprint(xs, chars):
    widths = [8.4 * chars] * len(xs)
    levels = _levels(xs, widths)
    for a in range(len(xs)):
        for b in range(a + 1, len(xs)):
            if levels[a] == levels[b]:
                assert abs(xs[a] - xs[b]) >= (widths[a] + widths[b]) / 2


@given(st.floats(-1e4, 1e4), st.floats(1e-3, 1e4))
def test_ticks_are_round_inside_and_not_too_many(lo, span):
    ticks = nice_ticks(lo, lo + span)
    assert 1 <= len(ticks) <= 11
    assert all(lo - 1e-9 * span <= t <= lo + span + 1e-9 * span for t in ticks)


def test_a_server_loads_the_compiled_kernels_once_and_then_forecasts_compiled(monkeypatch):
    """A long-lived server pays numba's load once, at start, and then every eum forecast, however
    small, runs compiled (faster, the same numbers)."""
    from accord.models import _eum_compiled as fast
    from accord.web.app import warm_compiled_kernels

    if fast.compiled("offers") is None:
        pytest.skip("numba (the optional extra 'fast') is not installed")
    warm_compiled_kernels()
    assert fast.numba_loaded()
    calls = []
    monkeypatch.setattr(fast.Stages, "offers", lambda self, rho, f=fast.Stages.offers: calls.append(1) or f(self, rho))
    from accord.io import read_scenario
    from accord.runner import run_models

    run_models(read_scenario(KOREA).scenario, ["eum"], seed=0)
    assert calls  # six actors: compiled, since numba is loaded


def test_a_server_freezes_what_its_start_up_made_out_of_the_collectors_reach():
    """After the start-up (kernels loaded), the objects made so far are frozen (gc.freeze): a full
    collection under load scans only what the requests make."""
    import gc

    from accord.web.app import start_up

    gc.unfreeze()
    try:
        start_up()
        assert gc.get_freeze_count() > 10_000  # the modules', numpy's, pydantic's and the models' objects
    finally:
        gc.unfreeze()
