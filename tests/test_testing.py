"""A model written outside the package passes accord.testing.check_model, then works everywhere.

``StatusQuo`` is what a plug-in author writes: one class, the ``solve`` hook only. Registered
for the length of a test (``accord.models.registered``), it runs in the command line's
forecast (with Monte Carlo on two worker processes), roles, backtests, reports and the
dashboard, with no other change. Models that break the contract fail ``check_model`` with a
message that says what to fix.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from accord.errors import NotApplicable
from accord.io import read_scenario
from accord.models import Model, Result, registered, registry
from accord.stats import weighted_mean
from accord.testing import CHECKS, check_model, parametrize_with_checks

from .conftest import KOREA, ROOT


class StatusQuo(Model):
    """Nothing changes: the status quo prevails."""

    name = "test-status-quo"
    summary = "status quo: the issue's reference point where given, else the capability-weighted mean position"

    def solve(self, inputs, rng):
        capability = np.where(inputs.present, inputs.capability, 0.0)
        weighted = weighted_mean(inputs.position.T, capability.T)
        return Result.static(inputs, np.where(np.isnan(inputs.reference), weighted, inputs.reference))


class OffScale(StatusQuo):
    """Broken: forecasts beyond the top of every scale."""

    name = "test-off-scale"

    def solve(self, inputs, rng):
        result = super().solve(inputs, rng)
        result.forecast = inputs.scale_max + 1.0
        return result


class Undeclared(StatusQuo):
    """Broken: refuses a single issue while solving instead of declaring ``min_issues = 2``."""

    name = "test-undeclared"

    def solve(self, inputs, rng):
        if len(inputs.issues) < 2:
            raise NotApplicable("model test-undeclared needs two issues")
        return super().solve(inputs, rng)


class Static(StatusQuo):
    """Broken: moves positions over a round but says it has none."""

    name = "test-static"

    def solve(self, inputs, rng):
        result = super().solve(inputs, rng)
        result.positions = np.concatenate([result.positions, result.positions])
        return result


class Crashing(StatusQuo):
    """Broken: takes its worker process down."""

    name = "test-crashing"

    def solve(self, inputs, rng):
        import multiprocessing
        import os

        if multiprocessing.parent_process() is not None:
            os._exit(3)
        return super().solve(inputs, rng)


@pytest.fixture
def statusquo():
    with registered(StatusQuo):
        yield StatusQuo
    assert "test-status-quo" not in registry()


def test_a_status_quo_model_written_outside_the_package_passes_check_model():
    check_model(StatusQuo)  # three lines for a plug-in author: import, import, this
    check_model(StatusQuo())


@parametrize_with_checks([StatusQuo])
def test_each_check_is_a_test_of_its_own(model, check):
    check(model)


def test_each_check_appears_once_per_model_with_a_readable_id():
    mark = parametrize_with_checks([StatusQuo, "mean"]).mark
    assert mark.args[0] == ("model", "check") and len(mark.args[1]) == 2 * len(CHECKS)
    assert "test-status-quo-forecasts_on_the_scale" in mark.kwargs["ids"]


@pytest.mark.parametrize("broken, message", [
    (OffScale, r"check_forecasts_on_the_scale: model test-off-scale forecasts \[101\.0, 101\.0\] on scenario "
               r"'small', off the scales"),
    (Undeclared, r"check_requirements_agree_with_solve: model test-undeclared: check\(\) accepts scenario 'one "
                 r"issue', but solve refuses it \(model test-undeclared needs two issues\); declare the requirement"),
    (Static, r"check_protocol: model test-static has 1 rounds but declares has_rounds = False"),
])
def test_a_broken_model_fails_check_model_saying_what_is_wrong(broken, message):
    with pytest.raises(AssertionError, match=message):
        check_model(broken)


def test_a_class_that_is_not_a_model_fails_the_protocol_alone():
    class Lookalike:
        name, summary = "lookalike", "runs like a model, but is none"

        def run(self, scenario, seed=None):
            return None

    with pytest.raises(AssertionError) as failed:
        check_model(Lookalike)
    # (pytest may add its own account of the assertion after the message: compare the message only)
    assert str(failed.value).startswith("model lookalike fails 1 check of the model contract:\n- check_protocol: "
                                        "Lookalike is not an accord.models.Model: subclass it and define `solve`")


def test_a_model_that_overrides_run_is_refused_when_defined():
    with pytest.raises(TypeError, match=r"model class Shortcut defines run: a model defines `solve` only"):
        class Shortcut(StatusQuo):
            def run(self, scenario, seed=None):
                return super().run(scenario, seed)


def test_a_model_defined_where_a_worker_cannot_import_it_fails_by_name():
    class Local(StatusQuo):  # a class inside a function cannot be pickled
        name = "test-local"

    with pytest.raises(AssertionError, match=r"check_works_in_a_fresh_worker_process: model test-local cannot be "
                                             r"sent to a worker process .* define its class at the top level"):
        check_model(Local)


def test_a_model_that_kills_its_worker_fails_and_the_next_model_gets_a_new_worker():
    with pytest.raises(AssertionError, match=r"model test-crashing fails in a fresh worker process "
                                             r"\(BrokenProcessPool"):
        check_model(Crashing)
    check_model(StatusQuo)


def test_registered_models_come_after_the_packages_own_whatever_their_module():
    Elsewhere = type("Elsewhere", (StatusQuo,), {"name": "aaa-elsewhere", "__module__": "aaa"})
    with registered(Elsewhere):
        assert list(registry())[-1] == "aaa-elsewhere"
    assert "aaa-elsewhere" not in registry()


# -- the registered status-quo model everywhere --------------------------------------------------


def reference_or_weighted(scenario):
    return StatusQuo().run(scenario).forecast


def test_forecast_runs_it_by_name_and_among_every_model(cli, statusquo):
    korea = read_scenario(KOREA).scenario
    code, out, _ = cli("forecast", KOREA, "-m", "test-status-quo", "--json", "--no-store")
    assert code == 0
    values = [row["value"] for row in json.loads(out)["runs"][0]["forecast"]]
    inputs = korea.inputs()
    has_reference = ~np.isnan(inputs.reference)
    assert has_reference.any() and (~has_reference).any()  # both cases are exercised
    np.testing.assert_array_equal(np.array(values)[has_reference], inputs.reference[has_reference])
    np.testing.assert_array_equal(values, reference_or_weighted(korea))
    code, out, _ = cli("forecast", KOREA, "--json", "--no-store")  # no model named: every registered one
    assert code == 0 and [r["model"] for r in json.loads(out)["runs"]][-1] == "test-status-quo"


def test_monte_carlo_on_two_worker_processes_equals_one_process(cli, statusquo):
    args = ("forecast", KOREA, "-m", "test-status-quo", "-m", "mean", "--samples", "400", "--batch-size", "100",
            "--json", "--no-store", "--quiet")
    code, one, _ = cli(*args)
    assert code == 0
    code, two, _ = cli(*args, "--workers", "2")
    assert code == 0 and json.loads(two) == json.loads(one)
    run = json.loads(two)["runs"][0]
    assert run["model"] == "test-status-quo" and run["samples"] == 400
    assert all(row["q05"] <= row["median"] <= row["q95"] for row in run["forecast"])


def test_roles_are_measured_on_it(cli, statusquo):
    code, out, _ = cli("roles", KOREA, "-m", "test-status-quo", "--samples", "4", "--json", "--no-store")
    assert code == 0
    doc = json.loads(out)
    assert doc["model"] == "test-status-quo" and doc["samples"] == 4
    assert doc["scores"] and {s["actor"] for s in doc["scores"]} == set(read_scenario(KOREA).scenario.actor_ids)


def test_a_backtest_scores_it_on_the_deu_dev_split(statusquo):
    from accord.backtest import backtest
    from accord.io.deu import read_deu

    doc = backtest(read_deu(ROOT / "data" / "deu3" / "deu3-dev.csv"), ["test-status-quo"], seed=0)
    (row,) = [m for m in doc["models"] if m["model"] == "test-status-quo"]
    assert row["n"] == 241 and np.isfinite(row["mae"]) and row["unscored"]["issues"] == 0


def test_a_report_includes_it(cli, statusquo, tmp_path):
    code, _, err = cli("report", KOREA, "-o", tmp_path / "r.html", "-m", "test-status-quo", "--role-samples", "0",
                       "--no-store")
    assert code == 0, err
    page = (tmp_path / "r.html").read_text()
    assert "test-status-quo" in page


def test_the_dashboard_offers_and_runs_it(statusquo, tmp_path):
    pytest.importorskip("fastapi")
    import shutil

    from fastapi.testclient import TestClient

    try:
        from accord.web import create_app
    except ImportError:  # where the package does not export it yet
        from accord.web.app import create_app

    origin = "http://127.0.0.1:8000"
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(KOREA, folder / "korea-2018.yaml")
    client = TestClient(create_app(folder, tmp_path / "runs.sqlite"), base_url=origin, headers={"Origin": origin})
    assert 'value="test-status-quo"' in client.get("/scenario/korea-2018.yaml").text
    html = client.post("/scenario/korea-2018.yaml/forecast",
                       data={"model": "test-status-quo", "samples": "0", "seed": "0"}).text
    korea = read_scenario(KOREA).scenario
    for issue, value in zip(korea.issue_ids, reference_or_weighted(korea)):
        shown = re.search(rf'data-issue="{issue}" data-model="test-status-quo">.*?forecast-value">([-\d.]+)<', html,
                          re.S)
        assert shown and float(shown.group(1)) == pytest.approx(value, abs=0.05)
