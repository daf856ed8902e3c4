"""The bottom line: the recommended forecast and its interval, deadlocks not tabled as forecasts,
where the models part, the instability warning, and where it is shown (forecast, report, dashboard)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from accord.bottomline import (AGREE, SLOW, STEP, StatusQuo, _moved, _moves, bottom_line, local_sensitivity,
                               status_quo)
from accord.experiment import solve_all
from accord.io import from_arrays, read_scenario
from accord.models import Result, get_model
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


def test_the_status_quo_comes_from_the_callable_given():
    sc = one_issue(reference=[30.0])
    runs = [entry(sc, "mean", 50.0)]
    assert bottom_line(sc, runs)[0].locked_by is None  # not analysed
    line, = bottom_line(sc, runs, institutions=lambda s: {"i0": StatusQuo(30.0, (), ("A0", "A2"))})
    assert line.locked_by == ("A0", "A2") and line.to_json()["locked_by"] == ["A0", "A2"]
    from accord.views import bottom_line_view

    assert bottom_line_view(line.to_json()).locked == ("locked at the status quo (30) by A0, A2: no winning "
                                                       "coalition prefers any other point (the win set is empty)")


# -- the decision rule weighs on the recommendation (Tsebelis 2002) -----------------------------------


def three_vetoes(reference: float, rule: str = "unanimity"):
    """Three actors at 20, 50 and 80, equal weights (the compromise is 50); under unanimity each a veto player."""
    decision = {"rule": "unanimity", "vetoes": ["A", "B", "C"]} if rule == "unanimity" else {"rule": rule}
    return from_arrays([[20], [50], [80]], [[1], [1], [1]], [1, 1, 1], actors=["A", "B", "C"], reference=[reference],
                       decision=decision, assumption="a textbook configuration")


def test_a_locked_status_quo_is_the_recommendation_and_the_models_say_what_if_the_lock_breaks():
    # From 40 a move right hurts A, a move left hurts B and C: the win set is empty, A locks it.
    sc = three_vetoes(40)
    runs = [entry(sc, "accord", 50.0, interval=(20.0, 85.0)), entry(sc, "eum", 60.0)]
    line, = bottom_line(sc, runs, institutions=status_quo)
    assert (line.recommended, line.low, line.high) == (40.0, None, None)
    assert line.locked_by == ("A",) and line.win_set == () and line.status_quo == 40.0
    assert line.unconstrained == (50.0, 20.0, 85.0)
    assert line.constraint.startswith("the status quo 40 stands") and "locked by A" in line.constraint
    from accord.views import bottom_line_view

    view = bottom_line_view(line.to_json())
    assert (view.headline, view.unconstrained) == ("40.0 (status quo)", "if the lock breaks: 50.0 [20.0, 85.0]")


def test_a_forecast_outside_the_win_set_is_clipped_into_it_and_its_interval_cut():
    # From 10 every veto player wants to move right, A (at 20) no further than 30: W(10) = (10, 30).
    sc = three_vetoes(10)
    line, = bottom_line(sc, [entry(sc, "accord", 50.0, interval=(20.0, 85.0))], institutions=status_quo)
    assert line.win_set == ((10.0, 30.0),) and line.locked_by == ()
    assert (line.recommended, line.low, line.high) == (30.0, 20.0, 30.0)
    assert line.unconstrained == (50.0, 20.0, 85.0)
    assert line.constraint.startswith("clipped into the win set (10, 30) of the status quo 10")
    from accord.views import bottom_line_view

    view = bottom_line_view(line.to_json())
    assert (view.headline, view.locked, view.unconstrained) == ("30.0 [20.0, 30.0]", "not locked at the status quo",
                                                                "the models: 50.0 [20.0, 85.0]")


def test_a_forecast_inside_the_win_set_stands_its_interval_cut_to_the_allowed_outcomes():
    sc = three_vetoes(10)
    line, = bottom_line(sc, [entry(sc, "accord", 25.0, interval=(5.0, 45.0))], institutions=status_quo)
    assert (line.recommended, line.low, line.high) == (25.0, 10.0, 30.0)
    assert line.constraint.startswith("interval cut to the win set (10, 30) and the status quo 10")


def test_a_forecast_and_interval_inside_a_wide_win_set_are_left_alone():
    # Simple majority from 0: B and C prefer every point up to 100 (the scale's end): W(0) = (0, 100).
    sc = three_vetoes(0, "majority")
    line, = bottom_line(sc, [entry(sc, "accord", 50.0, interval=(20.0, 85.0))], institutions=status_quo)
    assert line.win_set == ((0.0, 100.0),)
    assert (line.recommended, line.low, line.high, line.unconstrained, line.constraint) == (50.0, 20.0, 85.0, None,
                                                                                         "")


def test_on_korea_sanctions_stay_at_the_status_quo_locked_by_the_usa(korea):
    runs = [r.to_json() for r in run_models(korea, ["accord", "mean"])]
    lines = {b.issue: b for b in bottom_line(korea, runs, institutions=status_quo)}
    sanctions = lines["sanctions"]
    assert (sanctions.recommended, sanctions.low, sanctions.locked_by) == (20.0, None, ("USA",))
    assert round(sanctions.unconstrained[0], 1) == 44.7
    assert lines["sequencing"].win_set is None  # no reference point: not analysed, the models' number stands
    assert lines["sequencing"].recommended == pytest.approx(runs[0]["forecast"][1]["value"])


# -- the stability check -----------------------------------------------------------------------------


def test_a_constructed_jump_of_the_expected_utility_model_warns_and_the_mean_does_not():
    # Three actors at 15, 82 and 68 (capabilities 8, 3, 8): moving A1 from 82 to 84 moves the
    # expected utility model's forecast by 53 points; the compromise moves by 3/19 x 2.
    sc = make_scenario([[15.0], [82.0], [68.0]], [[0.5], [0.5], [0.5]], [8, 3, 8])
    results = run_models(sc, ["eum", "mean"])
    shifts = {s.model: s for s in local_sensitivity(sc, results)}
    assert (shifts["eum"].actor, shifts["eum"].step, round(shifts["eum"].shift, 6)) == ("A1", 2.0, 53.0)
    assert shifts["mean"].shift == pytest.approx(2 * 8 / 19)  # the largest: moving an actor of capability 8
    line, = bottom_line(sc, [r.to_json() for r in results], list(shifts.values()))
    assert line.warnings == ["eum is unstable: moving A1's position by +2 (2% of the scale) shifts its forecast by "
                             "53.0 (53% of the scale)"]


@pytest.mark.parametrize("name", ["mean", "median", "nash", "eum", "influence", "smp"])
def test_the_batched_stability_check_finds_the_shifts_of_one_run_per_move(korea, name):
    # The design solved at once by a model's batched form gives the shifts that re-running the
    # model once per moved position gives.
    result, = run_models(korea, [name])
    base = korea.inputs()
    moves = _moves(base, STEP)
    design = [_moved(base, a, i, value) for a, i, value, _ in moves]
    model = get_model(name)()
    one_by_one = solve_all(model, [base, *design])
    moved = np.abs(one_by_one[1:] - one_by_one[0])
    found = {s.issue: s for s in local_sensitivity(korea, [result])}
    assert len(found) == len(korea.issues)
    for k, issue in enumerate(base.issues):
        j = int(np.argmax(moved[:, k]))
        assert found[issue].shift == pytest.approx(moved[j, k], rel=1e-9, abs=1e-9)
        assert (found[issue].actor, found[issue].moved) == (base.actors[moves[j][0]], base.issues[moves[j][1]])


def test_an_edit_re_solves_only_the_issue_it_touches_and_finds_the_same_shifts(korea, monkeypatch):
    """The stability check keeps each issue's runs by their content: after an edit of one issue,
    only that issue is solved again, and the shifts are those of a check that keeps nothing."""
    import accord.bottomline as bl
    from accord.whatif import Edit, apply

    from accord.models._cache import keeping

    bl._ISSUE_RUNS.clear()
    solved = []
    real = bl.solve_all
    monkeypatch.setattr(bl, "solve_all", lambda model, runs, *a, **k: solved.append(runs[0].issues) or real(
        model, runs, *a, **k))
    result, = run_models(korea, ["eum"])
    edited = apply(korea, [Edit("position", 70.0, actor="RUS", issue="sanctions")])
    with keeping():  # as the dashboard's work
        first = local_sensitivity(korea, [result], seed=1)
        assert len(solved) == len(korea.issues)
        solved.clear()
        again = local_sensitivity(edited, run_models(edited, ["eum"]), seed=2)  # eum draws nothing: any seed
        assert solved == [("sanctions",)]
    solved.clear()
    assert again == local_sensitivity(edited, run_models(edited, ["eum"]), seed=2)  # nothing kept: the same
    assert first == local_sensitivity(korea, [result], seed=1) and len(solved) == 2 * len(korea.issues)


def test_the_status_quo_of_an_issue_is_found_again_by_its_content(korea, monkeypatch):
    import accord.bottomline as bl
    from accord.whatif import Edit, apply

    from accord.models._cache import keeping

    bl._STATUS_QUO.clear()
    analysed = []
    real = bl.analyse
    monkeypatch.setattr(bl, "analyse", lambda inputs, i: analysed.append(inputs.issues[i]) or real(inputs, i))
    edited = apply(korea, [Edit("reference", 50.0, issue="sanctions")])
    with keeping():
        first = status_quo(korea)
        assert analysed == list(korea.inputs().issues)
        analysed.clear()
        found = status_quo(edited)
        assert analysed == ["sanctions"] and found != first  # the edited issue analysed again, and it changed
    assert status_quo(edited) == found and status_quo(korea) == first  # nothing kept: the same


def test_the_slow_models_are_left_out_of_the_stability_check_and_said_so():
    sc = make_scenario([[15.0, 30.0], [82.0, 60.0], [68.0, 90.0]], [[0.5] * 2] * 3, [8, 3, 8])
    results = run_models(sc, ["exchange", "mean"])
    assert {s.model for s in local_sensitivity(sc, results)} == {"mean"}
    assert {s.model for s in local_sensitivity(sc, results, skip=())} == {"exchange", "mean"}
    line = bottom_line(sc, [r.to_json() for r in results], unchecked=sorted(SLOW))[0]
    assert line.unchecked == ("exchange",)
    from accord.views import bottom_line_view

    assert bottom_line_view(line.to_json()).unchecked.startswith("stability not checked for exchange")


def test_forecast_ends_with_the_bottom_line_and_its_json_holds_it(cli):
    code, out, _ = cli("forecast", str(KOREA), "-m", "accord", "-m", "nash", "-m", "eum", "--no-store")
    assert code == 0
    tail = out[out.index("Bottom line"):]
    assert "UN sanctions on the DPRK: 20.0 (status quo)" in tail
    assert "locked at the status quo (20) by USA" in tail and "if the lock breaks: 44.7 [5.8, 83.6]" in tail
    assert "not a forecast, nash: deadlock" in tail and "eum is unstable" in tail
    code, out, _ = cli("forecast", str(KOREA), "-m", "accord", "--no-store", "--json")
    doc = json.loads(out)
    assert [b["issue"] for b in doc["bottom_line"]] == [i.id for i in read_scenario(KOREA).scenario.issues]
    sanctions, sequencing = doc["bottom_line"][:2]
    assert (sanctions["recommended"], sanctions["win_set"], sanctions["locked_by"]) == (20.0, [], ["USA"])
    assert np.isclose(sanctions["unconstrained"]["value"], doc["runs"][0]["forecast"][0]["value"])
    assert np.isclose(sequencing["recommended"], doc["runs"][0]["forecast"][1]["value"])


def test_the_reports_first_section_is_the_bottom_line(korea):
    from accord.report.build import build
    from accord.report.sections import compose

    document = compose(build(korea, models=["accord", "eum", "nash"], role_samples=2))
    first = document.sections[0]
    assert (first.anchor, first.title) == ("bottom-line", "Bottom line")
    table = next(b for b in first.blocks if getattr(b, "kind", "") == "bottom")
    said = ["".join(getattr(part, "text", part) for part in line) for line in table.rows[0][1].items]
    assert said == ["20.0 (status quo)", "if the lock breaks: 44.7 [5.8, 83.6]"]


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
    assert '<span class="recommended">20.0 (status quo)</span>' in block
    assert '<li class="unconstrained">if the lock breaks: 44.7 [5.8, 83.6]</li>' in block
    assert "not a forecast: nash: deadlock" in block


@pytest.mark.parametrize("name", ["mean", "median", "nash", "accord", "eum"])
def test_a_model_that_forecasts_issue_by_issue_is_checked_issue_by_issue_with_the_same_shifts(korea, name,
                                                                                              monkeypatch):
    # Each move touches one issue: solving that issue alone must give the shifts the whole runs give.
    absent = make_scenario([[10.0, np.nan, 30.0], [60.0, 20.0, np.nan], [90.0, 70.0, 40.0], [45.0, 55.0, 80.0]],
                           [[0.5, 0.3, 0.2]] * 4, [1, 2, 3, 4])
    model = type(get_model(name)())
    assert model.issue_by_issue
    for sc in (korea, absent):
        results = run_models(sc, [name])
        by_issue = local_sensitivity(sc, results)
        monkeypatch.setattr(model, "issue_by_issue", False)
        whole = local_sensitivity(sc, results)
        monkeypatch.undo()
        assert by_issue == whole and len(whole) == len(sc.issues)


def test_the_status_quo_names_who_locks_it_as_the_institutional_analysis_does(korea):
    from accord.institutions import locked_by

    found = status_quo(korea)
    assert {issue: sq.locked_by for issue, sq in found.items()} == locked_by(korea)
    assert found["sanctions"].locked_by == ("USA",)


@pytest.mark.parametrize("step", [0.02, 0.3])
def test_the_moves_are_each_present_position_down_then_up_cut_to_the_scale(step):
    rng = np.random.default_rng(7)
    for _ in range(50):
        n, m = rng.integers(1, 6), rng.integers(1, 4)
        position = rng.choice([0.0, 3.0, 50.0, 99.5, 100.0, np.nan], (n, m))
        base = from_arrays(np.nan_to_num(position, nan=50.0), rng.uniform(0.1, 1, (n, m)), rng.uniform(0.1, 1, n)
                           ).inputs()
        base = replace(base, position=position)
        expected = []
        for a in range(n):
            for i in range(m):
                x = position[a, i]
                for sign in (-1, 1):
                    moved = min(max(x + sign * step * 100.0, 0.0), 100.0)
                    if not np.isnan(x) and moved != x:
                        expected.append((a, i, moved, moved - x))
        assert _moves(base, step) == expected
