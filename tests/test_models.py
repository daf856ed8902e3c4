"""The battery of accord.testing on every registered model, then each baseline's own numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord import testing
from accord.errors import NotApplicable, UsageError
from accord.io import read_scenario
from accord.models import Model, Result, get_model, registry
from accord.runner import record, run_models
from accord.stats import weighted_mean, weighted_median
from accord.testing import SCENARIOS, parametrize_with_checks

from .conftest import KOREA, make_scenario, shared

MODELS = sorted(registry())
SMALL, SPARSE, WITH_SETTINGS = SCENARIOS["small"], SCENARIOS["an absent stance"], testing.WITH_SETTINGS


# -- conformance: every registered model passes the battery of accord.testing ------------------------


@parametrize_with_checks(registry())
def test_registered_model_keeps_the_contract(model, check):
    check(model)


def test_smp_settings_reach_monte_carlo():
    from accord.uncertainty import Spreads, monte_carlo, sample_inputs

    smp = get_model("smp")()
    with_rule, plain = smp.run(WITH_SETTINGS, seed=0).forecast, smp.run(SMALL, seed=0).forecast
    assert not np.allclose(with_rule, plain)  # the settings matter on this scenario
    draws = sample_inputs(WITH_SETTINGS, 3, seed=0, spreads=Spreads(0.0, 0.0, 0.0))
    for forecast in monte_carlo(smp, WITH_SETTINGS, draws, seed=0):
        np.testing.assert_allclose(forecast, with_rule)


@pytest.mark.parametrize("name", MODELS)
def test_absent_actors_stay_absent_or_are_refused_by_name(name):
    try:
        result = get_model(name)().run(SPARSE)
    except UsageError as exc:
        assert "A2 on i1" in str(exc)  # the model says which stance it misses
        return
    assert np.isnan(result.positions[:, 2, 1]).all() and np.isfinite(result.forecast).all()


def test_the_json_document_names_the_scenario_and_every_run():
    doc = json.loads(json.dumps(record(SMALL, run_models(SMALL, MODELS), store=None), allow_nan=False))
    assert set(doc) == {"scenario", "runs"}
    assert doc["scenario"] == {"name": SMALL.name, "sha256": SMALL.sha256}
    assert [run["model"] for run in doc["runs"]] == MODELS
    for run in doc["runs"]:
        assert list(run)[:8] == ["model", "params", "seed", "run_id", "forecast", "rounds", "summary", "tables"]
        # Round 0 of the summary is the baseline mean and median of the inputs.
        first = {s["issue"]: s for s in run["summary"] if s["round"] == 0}
        assert first["i0"]["mean"] == pytest.approx((3 * .7 * 10 + 2 * .5 * 40 + 4 * .3 * 90 + 1 * .2 * 60)
                                                    / (3 * .7 + 2 * .5 + 4 * .3 + 1 * .2))
        assert first["i0"]["median"] == 40  # sorted weights 2.1 (10), 1.0 (40): 3.1 >= 4.5 / 2 > 2.1


def test_analyses_refuse_what_the_model_declares_it_cannot_take():
    """Roles solve the scenario without each actor: SMP's declared two actors hold there too."""
    from accord.errors import NotApplicable
    from accord.roles import measure

    pair = make_scenario([[10, 80], [60, 20]], [[0.5, 0.3], [0.4, 0.5]], [1, 2])
    with pytest.raises(NotApplicable, match="model smp needs at least two actors"):
        measure(get_model("smp")(), pair.inputs())


@pytest.mark.parametrize("name", MODELS)
def test_runs_on_every_shipped_scenario(name):
    """Every model forecasts the shipped scenario, or refuses it by its declared requirements
    (the procedural model needs a decision rule on every issue)."""
    model, scenario = get_model(name)(), read_scenario(KOREA).scenario
    if model.check(scenario.inputs()):
        with pytest.raises(NotApplicable, match=f"model {name} needs"):
            model.run(scenario)
        return
    result = model.run(scenario)
    assert np.isfinite(result.forecast).all()


def test_unknown_model_lists_the_available():
    with pytest.raises(UsageError, match="available: .*mean"):
        get_model("nope")


# -- golden numbers -----------------------------------------------------------------------------


def test_ec_emissions_mean_and_median():
    """Bueno de Mesquita (1994) EC emissions case: the values the issue fixes."""
    scenario = read_scenario(shared("data", "eum", "ec-emissions-1994.csv"), "table").scenario
    assert get_model("mean")().run(scenario).forecast[0] == 7.389955686853767
    assert get_model("median")().run(scenario).forecast[0] == 7.0


def test_median_names_the_actors_at_the_median():
    # i1: sorted weights 1.0 (20), 0.4 (35): exactly half of 2.8 at 35, the lower median.
    result = get_model("median")().run(SMALL)
    assert {(r["issue"], r["actor"]) for r in result.tables["median_actor"]} == {("i0", "A1"), ("i1", "A2")}


# -- the Nash bargaining solution ---------------------------------------------------------------


def nash_by_grid(x, w, radius2, lo, hi, n=200_001):
    z = np.linspace(lo, hi, n)[1:-1]
    gain = radius2[None, :] - (z[:, None] - x[None, :]) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        objective = np.where((gain > 0).all(1), (w * np.log(np.where(gain > 0, gain, 1))).sum(1), -np.inf)
    return z[np.argmax(objective)]


def test_nash_symmetric_actors_meet_in_the_middle():
    s = make_scenario([[20], [80]], [[0.5], [0.5]], [1, 1])
    assert get_model("nash")().run(s).forecast[0] == pytest.approx(50, abs=1e-9)


def test_nash_matches_brute_force_maximisation():
    x = np.array([10.0, 35.0, 70.0, 95.0])
    s = make_scenario([[v] for v in x], [[0.9], [0.4], [0.6], [0.8]], [2, 1, 3, 1])
    w = s.inputs().weight[:, 0]
    radius2 = np.maximum(x, 100 - x) ** 2
    assert get_model("nash")().run(s).forecast[0] == pytest.approx(nash_by_grid(x, w, radius2, 0, 100), abs=1e-3)


def test_nash_with_reference_inside_the_range_is_deadlock():
    s = make_scenario([[20], [80]], [[0.5], [0.5]], [1, 1], reference=[60])
    result = get_model("nash")().run(s)
    assert result.forecast[0] == 60
    assert "deadlock" in result.notes[0]


def test_nash_with_reference_below_everyone_moves_toward_them():
    # Both actors gain from any outcome in (10, 50]: the solution lies strictly inside.
    s = make_scenario([[50], [70]], [[1.0], [1.0]], [1, 1], reference=[10])
    f = get_model("nash")().run(s).forecast[0]
    x, radius2 = np.array([50.0, 70.0]), np.array([40.0, 60.0]) ** 2
    assert 50 < f < 70
    assert f == pytest.approx(nash_by_grid(x, np.ones(2), radius2, 10, 90), abs=1e-3)
    # With the worst-end disagreement the reference point is ignored.
    worst = get_model("nash")(disagreement="worst").run(s).forecast[0]
    assert worst == pytest.approx(nash_by_grid(x, np.ones(2), np.array([50.0, 70.0]) ** 2, 0, 100), abs=1e-3)


positions = st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=8)


@settings(max_examples=60, deadline=None)
@given(positions, st.data())
def test_baselines_lie_within_the_positions_and_respect_affine_scales(xs, data):
    n = len(xs)
    sal = data.draw(st.lists(st.floats(0.05, 1), min_size=n, max_size=n))
    cap = data.draw(st.lists(st.floats(0.1, 100), min_size=n, max_size=n))
    a, b = data.draw(st.floats(0.1, 10)), data.draw(st.floats(-50, 50))
    base = make_scenario([[x] for x in xs], [[v] for v in sal], cap)
    moved = make_scenario([[a * x + b] for x in xs], [[v] for v in sal], [3 * c for c in cap],
                          scale=(b, 100 * a + b))
    for name in ("mean", "median", "nash"):
        f = get_model(name)().run(base).forecast[0]
        assert min(xs) - 1e-9 <= f <= max(xs) + 1e-9
        g = get_model(name)().run(moved).forecast[0]
        assert g == pytest.approx(a * f + b, abs=1e-6 * (1 + abs(b) + a * 100))


# -- weighted statistics ------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(0.001, 10)), min_size=1, max_size=30))
def test_weighted_median_minimises_weighted_absolute_distance(pairs):
    x = np.array([p[0] for p in pairs])
    w = np.array([p[1] for p in pairs])
    med = weighted_median(x, w)
    cost = lambda m: np.sum(w * np.abs(x - m))  # noqa: E731
    assert med in x
    assert cost(med) <= min(cost(v) for v in x) * (1 + 1e-9) + 1e-9


def test_weighted_statistics_skip_absent_actors():
    x = np.array([[1.0, np.nan, 3.0]])
    w = np.array([[1.0, 100.0, 1.0]])
    assert weighted_mean(x, w)[0] == 2.0
    assert weighted_median(x, w)[0] == 1.0
    assert math.isnan(weighted_mean(np.array([np.nan]), np.array([1.0])))


# -- extreme numbers: a forecast, or a named error; never null -------------------------------------

EXTREME = """\
name: extreme
assumption: numbers at the edge of floating point
decision: {{rule: majority}}
issues:
  - {{id: tax, scale: {{min: {lo}, max: {hi}}}, reference: {lo}}}
  - {{id: vat, scale: {{min: 0, max: 100}}, reference: 0}}
actors:
  - {{id: A, capability: {cap}, issues: {{tax: {{position: {lo}, salience: {sal}}},
                                         vat: {{position: 20, salience: {sal}}}}}}}
  - {{id: B, capability: {cap2}, issues: {{tax: {{position: {hi}, salience: {sal}}},
                                          vat: {{position: 80, salience: {sal}}}}}}}
  - {{id: C, capability: {cap}, issues: {{tax: {{position: {mid}, salience: {sal}}},
                                         vat: {{position: 50, salience: {sal}}}}}}}
"""
#: Models whose forecast depends on capabilities only through their ratios ...
RATIO_MODELS = ("mean", "median", "nash", "accord", "eum", "influence", "exchange")
#: ... and on saliences only through capability x salience.
WEIGHT_MODELS = ("mean", "median", "nash", "accord")


def extreme(tmp_path, name, cap="1.0", sal="0.25", lo="0", hi="100", mid="30", ratio=2):
    cap2 = yaml_number(float(cap) * ratio)
    path = tmp_path / f"{name}.yaml"
    path.write_text(EXTREME.format(cap=cap, cap2=cap2, sal=sal, lo=lo, hi=hi, mid=mid))
    return path


def yaml_number(x: float) -> str:
    import yaml

    return yaml.safe_dump(x).split("\n")[0]  # 5.0e+307: YAML 1.1 reads 5e+307 as text


def forecast_or_error(cli, path, model):
    """(forecasts by issue, None) on success, else (None, the error); never a null forecast."""
    code, out, err = cli("forecast", path, "-m", model, "--json", "--no-store")
    if code == 0:
        runs = json.loads(out)["runs"]
        values = {row["issue"]: row["value"] for run in runs for row in run["forecast"]}
        assert all(isinstance(v, float) and math.isfinite(v) for v in values.values()), out
        return values, None
    text = " ".join(err.split())
    assert code == 2 and "Traceback" not in text and "null" not in text, err
    assert f"model {model} gives no forecast for issue" in text and "`tax`" in text, text
    return None, text


@pytest.mark.parametrize("case, values", [
    ("huge-capabilities", {"cap": "1.0e+308", "ratio": 0.5}),
    ("tiny-capabilities-and-saliences", {"cap": "1.0e-200", "sal": "1.0e-200"}),
    ("tiny-saliences", {"sal": "1.0e-200"}),
])
@pytest.mark.parametrize("model", MODELS)
def test_extreme_capabilities_and_saliences_forecast_or_are_refused_by_name(cli, tmp_path, case, values, model):
    plain = extreme(tmp_path, "plain", ratio=values.get("ratio", 2))
    wild = extreme(tmp_path, case, **values)
    got, error = forecast_or_error(cli, wild, model)
    # weights are relative: capabilities (and, where only c x s counts, saliences) scaled by any
    # common factor forecast as the plain ones do
    if model in (RATIO_MODELS if case == "huge-capabilities" else WEIGHT_MODELS if case != "tiny-saliences" else ()):
        want, _ = forecast_or_error(cli, plain, model)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-9)
    if model in ("mean", "median", "nash", "accord", "influence", "eum", "exchange"):
        assert error is None


def test_a_scale_wider_than_floating_point_is_refused_by_field(cli, tmp_path):
    path = extreme(tmp_path, "wide", lo="-1.0e+308", hi="1.0e+308", mid="0.0")
    code, _, err = cli("validate", path)
    assert code == 2 and "issues[tax].scale: the scale from -1e+308 to 1e+308 is wider than floating-point " \
                          "numbers reach" in " ".join(err.split())
    for model in MODELS:
        code, _, err = cli("forecast", path, "-m", model, "--no-store")
        assert code == 2 and "issues[tax].scale" in " ".join(err.split())


@pytest.mark.parametrize("model", MODELS)
def test_scales_near_the_ends_of_floating_point_forecast_or_are_refused_by_name(cli, tmp_path, model):
    plain, _ = forecast_or_error(cli, extreme(tmp_path, "plain", lo="-1.0", hi="1.0", mid="0.2"), model)
    for size in ("1.0e+300", "1.0e-300"):
        path = extreme(tmp_path, f"scale{size}", lo=f"-{size}", hi=size, mid=yaml_number(0.2 * float(size)))
        got, error = forecast_or_error(cli, path, model)
        if got is not None:  # in proportion to the scale: Nash's squares no longer overflow
            assert got["tax"] / float(size) == pytest.approx(plain["tax"], rel=1e-9, abs=1e-12)
        assert error is None or model not in ("mean", "median", "nash", "accord", "influence", "eum")


def test_a_model_result_that_is_not_finite_is_an_error_naming_model_and_issues():
    from accord.errors import NotApplicable

    class Broken(Model):
        name = "broken"
        summary = "returns NaN on its second issue"

        def solve(self, inputs, rng):
            return Result.static(inputs, np.array([1.0, np.nan]))

    with pytest.raises(NotApplicable, match=r"model broken gives no forecast for issue `i1`: its arithmetic leaves"):
        Broken().run(SMALL)
    zero = make_scenario([[10, 80], [40, 20]], [[0.5, 0.0], [0.5, 0.0]], [1, 1])
    with pytest.raises(NotApplicable, match=r"issue `i1`: no actor gives it any weight"):
        get_model("mean")().run(zero)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(1e-300, 1), st.floats(1e-300, 1e300)), min_size=2, max_size=6),
       st.integers(-1000, 1000))
def test_weighted_forecasts_are_finite_and_depend_only_on_capability_ratios(rows, k):
    """Any capabilities and saliences in floating point's range: a finite forecast inside the
    positions, the same to the last bit when every capability is scaled by a power of two."""
    xs, sal, cap = (np.array(c) for c in zip(*rows))
    with np.errstate(over="ignore"):
        scaled = np.ldexp(cap, k)
    if not (np.isfinite(scaled).all() and (scaled[cap > 0] > 0).all()):
        return
    base = make_scenario([[x] for x in xs], [[s] for s in sal], cap)
    moved = make_scenario([[x] for x in xs], [[s] for s in sal], scaled)
    for name in ("mean", "median", "nash"):
        f = get_model(name)().run(base).forecast[0]
        assert math.isfinite(f) and min(xs) - 1e-9 <= f <= max(xs) + 1e-9
        if (np.abs(np.log2(scaled[scaled > 0])) < 1000).all() and (np.abs(np.log2(cap[cap > 0])) < 1000).all():
            assert get_model(name)().run(moved).forecast[0] == f
