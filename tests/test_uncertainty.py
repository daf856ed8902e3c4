"""Input distributions from claims, and Monte Carlo over them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from accord.io import read_scenario
from accord.models import get_model
from accord.uncertainty import Spreads, monte_carlo, sample_inputs, summarise

from .conftest import KOREA, make_scenario


@pytest.fixture(scope="module")
def korea():
    return read_scenario(KOREA).scenario


def test_draws_repeat_for_a_seed_and_respect_the_allowed_ranges(korea):
    a, b, c = (sample_inputs(korea, 2000, s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.position, b.position)
    assert not np.array_equal(a.position, c.position)
    assert ((a.position >= 0) & (a.position <= 100)).all()
    assert ((a.salience >= 0) & (a.salience <= 1)).all() and (a.capability >= 0).all()
    # Truncated, not clamped: no pile of draws on an edge of the scale.
    assert (a.position == 0).sum() == 0 and (a.position == 100).sum() == 0


def test_each_source_weighs_the_same(korea):
    rus, issue = korea.actor_ids.index("RUS"), korea.issue_ids.index("sanctions")
    draws = sample_inputs(korea, 30000, 4).position[:, rus, issue]
    # Blank reads 85 (two claims), Economy 65 (two), Lukyanov 30 and 40: a third of the draws each,
    # each within 5 points (5% of the scale) of its claim.
    shares = [np.mean(np.abs(draws - v) <= 5) for v in (85, 65)] + [np.mean((draws >= 25) & (draws <= 45))]
    np.testing.assert_allclose(shares, [1 / 3, 1 / 3, 1 / 3], atol=0.02)


def test_a_claims_range_bounds_its_draws():
    s = make_scenario([[50], [20]], [[0.5], [0.5]], [1, 1])
    data = s.canonical()
    data["sources"] = [{"id": "src", "title": "T"}]
    data["actors"][0]["issues"]["i0"]["position"] = {"claims": [{"source": "src", "quote": "q", "low": 40, "high": 44}]}
    scenario = type(s).model_validate(data)
    draws = sample_inputs(scenario, 5000, 0).position[:, 0, 0]
    assert draws.min() >= 40 and draws.max() <= 44 and draws.std() > 1


def test_correlated_draws_keep_one_reading_per_sample(korea):
    rus = korea.actor_ids.index("RUS")
    s, q = korea.issue_ids.index("sanctions"), korea.issue_ids.index("sequencing")
    draws = sample_inputs(korea, 5000, 7, correlate="source").position[:, rus]
    blank_sanctions = np.abs(draws[:, s] - 85) <= 5
    # In Blank's samples Russia's sequencing is Blank's (90), not another source's (45, 60).
    assert np.all(np.abs(draws[blank_sanctions, q] - 90) <= 5 + 1e-9)
    independent = sample_inputs(korea, 5000, 7).position[:, rus]
    assert not np.all(np.abs(independent[np.abs(independent[:, s] - 85) <= 5, q] - 90) <= 5 + 1e-9)


@pytest.mark.parametrize("name", ["mean", "median", "nash"])
def test_batched_monte_carlo_equals_sample_by_sample(korea, name):
    draws = sample_inputs(korea, 200, 9)
    model = get_model(name)()
    batched = monte_carlo(model, korea, draws)
    one_by_one = np.array([model.solve(draws.inputs(korea.inputs(), k), np.random.default_rng(0)).forecast
                           for k in range(200)])
    np.testing.assert_allclose(batched, one_by_one, rtol=1e-12, atol=1e-9)


def test_without_spread_the_samples_reproduce_the_point_forecast(korea):
    no_claims = make_scenario([[10, 70], [60, 20], [90, 40]], [[0.5, 0.4], [0.3, 0.6], [0.8, 0.1]], [1, 2, 3])
    draws = sample_inputs(no_claims, 50, 0, Spreads(position=0, salience=0, capability=0))
    forecasts = monte_carlo(get_model("eum")(rounds=3), no_claims, draws)
    np.testing.assert_allclose(forecasts, get_model("eum")(rounds=3).run(no_claims).forecast[None].repeat(50, 0))
    quantiles = summarise(forecasts)
    assert list(quantiles) == ["q05", "q10", "q25", "median", "q75", "q90", "q95"]


def test_cli_reports_quantiles_and_histograms(cli):
    code, out, _ = cli("forecast", KOREA, "-m", "mean", "-m", "eum", "--samples", "300", "--seed", "5", "--json",
                       "--no-store")
    assert code == 0
    doc = json.loads(out)
    for run in doc["runs"]:
        assert run["samples"] == 300 and run["correlate"] == "none"
        for row in run["forecast"]:
            qs = [row[k] for k in ("q05", "q10", "q25", "median", "q75", "q90", "q95")]
            assert qs == sorted(qs) and "histogram" not in row  # the terminal draws it from the samples
    again = json.loads(cli("forecast", KOREA, "-m", "mean", "-m", "eum", "--samples", "300", "--seed", "5", "--json",
                           "--no-store")[1])
    assert [r["forecast"] for r in again["runs"]] == [r["forecast"] for r in doc["runs"]]
    code, out, _ = cli("forecast", KOREA, "-m", "mean", "--samples", "100")
    assert code == 0 and "[" in out  # median [q05, q95] column
    code, _, err = cli("forecast", KOREA, "--samples", "10", "--correlate", "everything")
    assert code == 2 and "--correlate" in err


def test_salience_shares_stay_shares(korea):
    draws = sample_inputs(korea, 5000, 3)
    assert (korea.inputs().salience.sum(1) <= 1 + 1e-9).all()
    assert (draws.salience.sum(2) <= 1 + 1e-9).all()
    # so that a model which needs shares takes every sample
    forecasts = monte_carlo(get_model("smp")(max_turns=3), korea, sample_inputs(korea, 20, 3))
    assert np.isfinite(forecasts).all()


@pytest.mark.parametrize("params", [{}, {"rounds": 7}, {"tol": 1e-3}, {"scale": "issue"}, {"max_rounds": 4}])
def test_batched_expected_utility_model_equals_sample_by_sample(korea, params):
    model = get_model("eum")(**params)
    draws = sample_inputs(korea, 150, 12)
    batched = model.solve_batch(korea.inputs(), draws)
    assert batched is not None
    one_by_one = np.array([model.solve(draws.inputs(korea.inputs(), k), np.random.default_rng(0)).forecast
                           for k in range(150)])
    np.testing.assert_allclose(batched, one_by_one, atol=1e-9)


def test_choices_without_a_batched_form_run_sample_by_sample(korea):
    draws = sample_inputs(korea, 5, 1)
    for params in ({"preset": "scholz-code"}, {"passes": 2}, {"q": 0.5}, {"scale": "recomputed"}):
        assert get_model("eum")(**params).solve_batch(korea.inputs(), draws) is None
    forecasts = monte_carlo(get_model("eum")(preset="scholz-code", rounds=3), korea, draws)
    assert forecasts.shape == (5, 5) and np.isfinite(forecasts).all()


def test_batched_nash_with_and_without_reference_points(korea):
    draws = sample_inputs(korea, 300, 4)
    for params in ({}, {"disagreement": "worst"}):
        model = get_model("nash")(**params)
        one_by_one = np.array([model.solve(draws.inputs(korea.inputs(), k), np.random.default_rng(0)).forecast
                               for k in range(300)])
        np.testing.assert_allclose(model.solve_batch(korea.inputs(), draws), one_by_one, atol=1e-9)


# -- what-ifs: a value set over claims ------------------------------------------------------------


def _over_claims(value: float | None = None, **kw):
    """Three actors on one issue (0..100); the first actor's position has two sources' claims, 70
    and 76..84 (consensus 75), and, when given, an explicit value over them."""
    s = make_scenario([[75], [30], [50]], [[0.5], [0.5], [0.5]], [1, 1, 1])
    data = s.canonical()
    data["sources"] = [{"id": "a", "title": "A"}, {"id": "b", "title": "B"}]
    position = {"claims": [{"source": "a", "quote": "q", "value": 70},
                           {"source": "b", "quote": "q", "low": 76, "high": 84}], **kw}
    if value is not None:
        position["value"] = value
    data["actors"][0]["issues"]["i0"]["position"] = position
    return type(s).model_validate(data)


def test_a_value_set_over_claims_is_what_the_monte_carlo_samples():
    edited = _over_claims(10)
    draws = sample_inputs(edited, 4000, 0)
    x = draws.position[:, 0, 0]
    # The claims shifted by 10 - 75: 5 +/- 5 and 11..19, half the draws each, so centred on 10.
    assert x.max() <= 19 + 1e-9 and abs(x.mean() - 10) < 0.3
    assert 0.45 < np.mean(x <= 10) < 0.55
    model = get_model("mean")()
    point = model.run(edited).forecast[0]  # (10 + 30 + 50) / 3
    q = summarise(monte_carlo(model, edited, draws))
    assert point == pytest.approx(30) and q["q05"][0] <= point <= q["q95"][0]
    assert abs(q["median"][0] - point) < 0.5
    # the other inputs are drawn as before
    np.testing.assert_array_equal(draws.position[:, 1:], sample_inputs(_over_claims(), 4000, 0).position[:, 1:])


def test_near_the_end_of_the_scale_the_sources_spread_narrows_around_the_value():
    from accord.uncertainty import evidence

    edited = _over_claims(2)
    claims, narrowed = evidence(edited.actors[0].issues["i0"].position, 0.0, 100.0)
    # Offsets from the consensus 75: -5 (a) and +1..+9 (b); 2 - 5 leaves the scale, so the offsets
    # are scaled by 2/5: a at 0, b 2.4..5.6; their consensus is the value.
    assert narrowed == pytest.approx(0.4)
    assert [c.point for c in claims] == pytest.approx([0, 4])
    assert (claims[1].low, claims[1].high) == pytest.approx((2.4, 5.6))
    x = sample_inputs(edited, 4000, 0).position[:, 0, 0]
    assert x.min() >= 0 and x.max() <= 5.6 + 1e-9
    # a value equal to the claims' consensus is no override: the claims are drawn as they are
    assert evidence(_over_claims(75).actors[0].issues["i0"].position, 0.0, 100.0)[1] == 1.0
    np.testing.assert_array_equal(sample_inputs(_over_claims(75), 500, 1).position,
                                  sample_inputs(_over_claims(), 500, 1).position)


def test_forecast_says_which_inputs_are_overridden_and_how_they_are_sampled(cli, tmp_path):
    import yaml

    path = tmp_path / "what-if.yaml"
    path.write_text(yaml.safe_dump(_over_claims(10).canonical(), sort_keys=False), encoding="utf-8")
    code, out, _ = cli("forecast", path, "-m", "mean", "--samples", "400", "--json", "--no-store")
    assert code == 0
    run = json.loads(out)["runs"][0]
    assert run["overrides"] == [{"input": "A0 position on i0", "actor": "A0", "issue": "i0", "what": "position",
                                 "value": 10.0, "consensus": 75.0, "shift": -65.0, "narrowed": 1.0,
                                 "sampled": "its claims shifted by -65 to centre on 10"}]
    row = run["forecast"][0]
    assert row["value"] == pytest.approx(30) and row["q05"] <= row["value"] <= row["q95"]
    code, out, _ = cli("forecast", path, "-m", "mean", "--samples", "50", "--no-store")
    assert code == 0 and "A0 position on i0 = 10 over claims (consensus 75)" in " ".join(out.split())
    # without Monte Carlo there is nothing sampled to report
    assert "overrides" not in json.loads(cli("forecast", path, "-m", "mean", "--json", "--no-store")[1])["runs"][0]


def test_unedited_scenarios_draw_exactly_as_before(korea, cli):
    """Digests and quantiles computed with the sampler as it was before values set over claims
    were sampled (Korea's only value over claims, the USA's capability, equals its claims).
    Pinned on the scenario's numbers as re-examined (US posture, Lukyanov's Russia on
    sequencing); the same sampler gave the earlier pins on the earlier numbers."""
    import hashlib

    def digest(d):
        h = hashlib.sha256()
        for a in (d.position, d.salience, d.capability, d.reference):
            h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
        return h.hexdigest()

    assert digest(sample_inputs(korea, 500, 11)) == \
        "22561206ce627e8c88b53ffc1be674c27afc4f331b106625fea6425efc8e025c"
    assert digest(sample_inputs(korea, 500, 11, correlate="source")) == \
        "e0064a2bfa988a97e9786df6b94e890ccc10b34f47ff7e07913e97c1fe4d798d"
    doc = json.loads(cli("forecast", KOREA, "-m", "mean", "--samples", "200", "--seed", "5", "--json",
                         "--no-store")[1])
    got = {f["issue"]: (f["q05"], f["median"], f["q95"]) for f in doc["runs"][0]["forecast"]}
    assert got == {"sanctions": (39.06944134103933, 43.99905261705691, 49.076072162169226),
                   "sequencing": (46.76085054941885, 52.046637613495015, 56.49666828243398),
                   "us_posture": (58.77243127662798, 63.331877901679846, 67.15698923942146),
                   "economic_links": (45.47358317445177, 53.786307039042796, 60.86828489487044),
                   "format": (38.60300733868836, 46.385047099723664, 53.6530456896643)}
    assert "overrides" not in doc["runs"][0]


def test_the_tornado_moves_an_overridden_input_around_its_value():
    from accord.sensitivity import tornado

    swings = tornado(get_model("mean")(), _over_claims(10), samples=2000).swings
    row = swings[swings["input"] == "A0 position on i0"].iloc[0]
    assert row["low"] < 10 < row["high"] <= 19  # the shifted claims' 5%..95%, not the claims' 65..84


@pytest.mark.parametrize("claims", [[], [{"source": "s", "quote": "q", "value": 40.0}],
                                    [{"source": "s", "quote": "q", "value": 40.0, "low": 35.0, "high": 80.0}]])
def test_an_estimate_with_one_interval_for_every_sample_draws_the_numbers_of_one_per_sample(claims):
    """An estimate without claims, or with one, has one interval for every sample: drawn with its
    ends computed once, the numbers are those of the per-sample ends, draw for draw, from the same
    stream (the choice of claim is drawn all the same)."""
    from accord.scenario import Estimate
    from accord.uncertainty import _draw, _uniform

    est = Estimate(value=40.0, claims=claims, assumption=None if claims else "a test")
    spread, lo, hi, n = 12.5, 0.0, 75.0, 64
    found = _draw(est, n, np.random.default_rng(3), spread, lo, hi, ["s"], None)
    rng = np.random.default_rng(3)
    if claims:
        rng.integers(0, 1, n), rng.integers(0, 1, n)  # the source, then its claim
        c = est.claims[0]
        low, high = (c.low if c.low is not None else c.point - spread), (c.high if c.high is not None else
                                                                          c.point + spread)
    else:
        low, high = est.point - spread, est.point + spread
    expected = _uniform(rng, np.full(n, low), np.full(n, high), lo, hi)
    assert found.tobytes() == expected.tobytes() and (found >= lo).all() and (found <= hi).all()
