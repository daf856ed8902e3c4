"""The bottom line: the recommended forecast and its interval, deadlocks not tabled as forecasts,
where the models part, the instability warning, and where it is shown (forecast, report, dashboard)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from accord.bottomline import AGREE, bottom_line, local_sensitivity
from accord.io import read_scenario
from accord.models import Result
from accord.runner import run_models

from .conftest import KOREA, make_scenario


@pytest.fixture(scope="module")
def korea():
    return read_scenario(KOREA).scenario


def one_issue(reference=None):
    return make_scenario([[10.0], [60.0], [90.0]], [[0.5], [0.5], [0.5]], [1, 1, 1], reference=reference)


def entry(sc, model, value, *, interval=None, notes=(), median=None):
    """A run's JSON entry with the given forecast of the scenario's one issue."""
    result = Result.static(sc.inputs(), [value], notes=list(notes))
    result.model = model
    if interval is not None:
        result.tables["interval"] = [{"issue": "i0", "level": 0.8, "low": interval[0], "high": interval[1]}]
    doc = result.to_json()
    if median is not None:
        doc["forecast"][0].update(median=median)
    return doc


def test_the_accord_models_point_and_its_80_percent_interval_are_recommended():
    sc = one_issue()
    runs = [entry(sc, "eum", 80.0), entry(sc, "accord", 52.0, interval=(20.0, 85.0)), entry(sc, "median", 60.0)]
    line, = bottom_line(sc, runs)
    assert (line.recommended, line.low, line.high) == (52.0, 20.0, 85.0)
    assert line.basis.startswith("accord")
    assert line.spread == (52.0, 80.0) and not line.agree


def test_without_accord_the_median_of_the_models_and_their_range_are_recommended():
    sc = one_issue()
    runs = [entry(sc, "eum", 80.0), entry(sc, "mean", 50.0), entry(sc, "median", 60.0)]
    line, = bottom_line(sc, runs)
    assert (line.recommended, line.low, line.high) == (60.0, 50.0, 80.0)
    assert line.basis.startswith("median of the 3 models")


def test_a_nash_deadlock_is_shown_as_deadlock_not_tabled_as_a_forecast():
    # Actors on both sides of the status quo at 50: no outcome leaves all of them better off.
    sc = one_issue(reference=[50.0])
    runs = [r.to_json() for r in run_models(sc, ["nash", "mean", "median"])]
    assert runs[0]["forecast"][0]["value"] == 50.0  # the model returns the status quo as its number
    line, = bottom_line(sc, runs)
    nash = next(m for m in line.models if m.model == "nash")
    assert (nash.value, nash.status) == (None, "deadlock")
    assert "both sides of the reference point" in nash.why
    # Left out of the recommendation and the spread: the median of mean (53.3) and median (60).
    assert line.recommended == pytest.approx((160 / 3 + 60) / 2)
    assert line.spread == pytest.approx((160 / 3, 60.0))


def test_a_model_far_from_the_others_is_an_outlier_and_close_models_agree():
    sc = one_issue()
    line, = bottom_line(sc, [entry(sc, "mean", 50.0), entry(sc, "influence", 52.0), entry(sc, "eum", 85.0)])
    assert [(o.model, o.why) for o in line.outliers] == [("eum", "33.0 above the models' median (52.0)")]
    close, = bottom_line(sc, [entry(sc, "mean", 50.0), entry(sc, "influence", 50.0 + AGREE * 100)])
    assert close.agree and close.outliers == []


def test_the_expected_utility_model_is_flagged_unstable_on_korea_and_the_mean_is_not(korea):
    results = run_models(korea, ["eum", "mean"])
    shifts = local_sensitivity(korea, results)
    lines = {b.issue: b for b in bottom_line(korea, [r.to_json() for r in results], shifts)}
    sanctions = next(s for s in shifts if (s.model, s.issue) == ("eum", "sanctions"))
    # One position moved by 2 points of the 0-100 scale moves the forecast by more than 10 points.
    assert (sanctions.actor, abs(sanctions.step)) == ("RUS", 2.0) and sanctions.share > 0.10
    assert any(w.startswith("eum is unstable: moving RUS's position") for w in lines["sanctions"].warnings)
    mean = [s for s in shifts if s.model == "mean"]
    assert len(mean) == len(korea.issues) and max(s.share for s in mean) < 0.01
    assert not any(w.startswith("mean") for b in lines.values() for w in b.warnings)


def test_a_monte_carlo_median_far_from_the_point_is_a_warning():
    sc = one_issue()
    line, = bottom_line(sc, [entry(sc, "eum", 80.0, median=55.0), entry(sc, "mean", 50.0, median=51.0)])
    assert line.warnings == ["eum is unstable: its Monte Carlo median 55.0 lies 25.0 (25% of the scale) from its "
                             "point forecast 80.0"]


def test_the_lock_on_the_status_quo_comes_from_the_callable_given():
    sc = one_issue(reference=[30.0])
    runs = [entry(sc, "mean", 50.0)]
    assert bottom_line(sc, runs)[0].locked_by is None  # not analysed
    line, = bottom_line(sc, runs, locked_by=lambda s: {"i0": ["A0", "A2"]})
    assert line.locked_by == ("A0", "A2") and line.to_json()["locked_by"] == ["A0", "A2"]
    from accord.views import bottom_line_view

    assert bottom_line_view(line.to_json()).locked == "locked at the status quo (30) by A0, A2"


def test_forecast_ends_with_the_bottom_line_and_its_json_holds_it(cli):
    code, out, _ = cli("forecast", str(KOREA), "-m", "accord", "-m", "nash", "-m", "eum", "--no-store")
    assert code == 0
    tail = out[out.index("Bottom line"):]
    assert "UN sanctions on the DPRK: 44.7 [5.8, 83.6]" in tail
    assert "not a forecast, nash: deadlock" in tail and "eum is unstable" in tail
    code, out, _ = cli("forecast", str(KOREA), "-m", "accord", "--no-store", "--json")
    doc = json.loads(out)
    assert [b["issue"] for b in doc["bottom_line"]] == [i.id for i in read_scenario(KOREA).scenario.issues]
    assert np.isclose(doc["bottom_line"][0]["recommended"], doc["runs"][0]["forecast"][0]["value"])


def test_the_reports_first_section_is_the_bottom_line(korea):
    from accord.report.build import build
    from accord.report.sections import compose

    document = compose(build(korea, models=["accord", "eum", "nash"], role_samples=2))
    first = document.sections[0]
    assert (first.anchor, first.title) == ("bottom-line", "Bottom line")
    table = first.blocks[-1]
    assert [row[1] for row in table.rows][0] == ("44.7 [5.8, 83.6]",)


def test_the_dashboard_shows_the_bottom_line_above_the_forecast_table(tmp_path):
    pytest.importorskip("fastapi")
    import shutil

    from fastapi.testclient import TestClient

    from accord.web.app import create_app

    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(KOREA, folder / "korea-2018.yaml")
    origin = "http://127.0.0.1:8000"
    client = TestClient(create_app(folder, tmp_path / "runs.sqlite"), base_url=origin, headers={"Origin": origin})
    html = client.post("/scenario/korea-2018.yaml/forecast",
                       data={"model": ["accord", "nash"], "samples": "0", "seed": "0"}).text
    assert html.index('id="bottom-line"') < html.index('id="forecast-table"')
    block = html[html.index('data-issue="sanctions"'):]
    assert '<span class="recommended">44.7 [5.8, 83.6]</span>' in block
    assert "not a forecast: nash: deadlock" in block
