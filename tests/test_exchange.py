"""Stokman's exchange model: a plain reference, decide's outcomes, seeds, sparse data, REX."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from accord.errors import UsageError
from accord.io import read_scenario
from accord.models import get_model

from . import exchange_reference
from .conftest import KOREA, make_scenario, shared

# decide-exchange-model's own outcomes over tie-break seeds (see the file's "source").
DECIDE = json.loads((Path(__file__).parent / "data" / "decide_outcomes.json").read_text())
DECIDE_RANGES = DECIDE["section3_seeds_0_9"]
DECIDE_40_SEEDS = DECIDE["seeds_0_39"]


def random_game(seed: int, n: int, k: int, sparse: float = 0.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, (n, k))
    x[rng.random((n, k)) < sparse] = np.nan
    s, c = rng.uniform(0.1, 1, (n, k)), rng.uniform(0.05, 1, n)
    return x, s, c


@pytest.mark.parametrize("seed", range(12))
def test_equals_the_plain_reference_without_ties(seed):
    n, k = 6 + seed % 5, 3 + seed % 3
    x, s, c = random_game(seed, n, k, sparse=0.15 if seed % 2 else 0.0)
    keep = ~np.isnan(x).all(1) & (np.sum(~np.isnan(x), 1) >= 1)
    x, s, c = x[keep], s[keep], c[keep]
    scenario = make_scenario(x.tolist(), s.tolist(), c.tolist())
    result = get_model("exchange")(rounds=3, ties="order").run(scenario)
    ref_x = [[None if np.isnan(v) else float(v) for v in row] for row in x]
    states, exchanges = exchange_reference.run(ref_x, s.tolist(), c.tolist(), rounds=3)
    expected = np.array([[[np.nan if v is None else v for v in row] for row in st] for st in states])
    np.testing.assert_allclose(result.positions, expected, atol=1e-9, equal_nan=True)
    table = result.table_frame("exchanges")
    assert len(table) == sum(len(r) for r in exchanges)
    ours = table[["actor_i", "voting_position_i", "actor_j", "voting_position_j", "gain"]].to_numpy()
    theirs = [(f"A{a}", yi, f"A{b}", yj, g) for r in exchanges for a, _, yi, b, _, yj, g in r]
    for row, ref in zip(ours, theirs):
        assert (row[0], row[2]) == (ref[0], ref[2])
        np.testing.assert_allclose([row[1], row[3], row[4]], [ref[1], ref[3], ref[4]], atol=1e-9)


def test_deterministic_rule_gives_the_verified_trajectory():
    # Ties by creation order reproduce, on the road-toll case, the exchange-by-exchange emulation
    # of decide that was checked against decide itself (outcomes within 1e-13).
    scenario = read_scenario(shared("data", "decide", "sample_data.txt")).scenario
    result = get_model("exchange")(ties="order").run(scenario)
    np.testing.assert_allclose(result.forecast, [66.2138, 4.1745, 47.6378, 12.7793, 80.2142, 48.3353], atol=5e-5)
    assert result.table_frame("exchanges").groupby("round").size().tolist() == [39, 37, 36, 42, 36, 39, 36, 35, 37, 28]


@pytest.mark.parametrize("name", sorted(DECIDE_RANGES))
def test_outcomes_fall_in_decides_range_over_tie_seeds(name):
    """Every seed 0-9 lands within 1.5 of decide's range over its seeds 0-9.

    The issue asks for 0.5. decide's own seeds 10-39 fall up to 1.2 (preference) outside its
    seeds 0-9 range, so that range is itself a sample; see the closing note.
    """
    scenario = read_scenario(shared("data", "decide", name)).scenario
    model = get_model("exchange")()
    worst = 0.0
    for seed in range(10):
        forecast = model.run(scenario, seed=seed).forecast
        for i, issue in enumerate(scenario.issue_ids):
            lo, hi = DECIDE_RANGES[name][issue]
            worst = max(worst, lo - forecast[i], forecast[i] - hi)
    assert worst <= 1.5


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DECIDE_40_SEEDS))
def test_distribution_over_tie_seeds_matches_decides(name):
    """40 seeds of ours against 40 of decide's: means within 0.5, extremes within 0.75.

    Even an emulation of decide that reproduces it exchange by exchange lands up to 0.57 beyond
    decide's 40-seed extremes with another 40 seeds, and 0.64 from its means: the spread of
    tie draws, which no implementation shares without decide's unseeded random stream.
    """
    scenario = read_scenario(shared("data", "decide", name)).scenario
    model = get_model("exchange")()
    ours = np.array([model.run(scenario, seed=s).forecast for s in range(40)])
    for i, issue in enumerate(scenario.issue_ids):
        low, mean, high = DECIDE_40_SEEDS[name][issue]
        assert abs(ours[:, i].mean() - mean) <= 0.5, issue
        assert low - 0.75 <= ours[:, i].min() and ours[:, i].max() <= high + 0.75, issue


def test_seeds_decide_ties_and_repeat():
    scenario = read_scenario(shared("data", "decide", "copenhagen.csv")).scenario
    model = get_model("exchange")()
    a, b, c = (model.run(scenario, seed=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(a.positions, b.positions)
    assert a.table_frame("exchanges").equals(b.table_frame("exchanges"))
    assert not np.array_equal(a.positions, c.positions)  # copenhagen has real ties


def test_sparse_actors_never_move_where_absent():
    scenario = read_scenario(shared("data", "decide", "cop21.csv")).scenario
    result = get_model("exchange")(rounds=3).run(scenario)
    absent = ~scenario.inputs().present
    assert np.isnan(result.positions[:, absent]).all()
    assert np.isfinite(result.forecast).all()


def test_tables_and_rounds():
    scenario = read_scenario(shared("data", "decide", "sample_data.txt")).scenario
    result = get_model("exchange")(rounds=2).run(scenario)
    ex = result.table_frame("exchanges")
    assert {"round", "actor_i", "actor_j", "supply_issue_i", "demand_issue_i", "move_i", "gain"} <= set(ex)
    assert (ex["supply_issue_i"] == ex["demand_issue_j"]).all() and (ex["gain"] > 0).all()
    voting = result.table_frame("voting")
    assert set(voting["round"]) == {1, 2} and {"voting_position", "voting_outcome"} <= set(voting)
    ext = result.table_frame("externalities")
    assert set(ext.columns) >= {"actor", "own", "inner_positive", "inner_negative", "outer_positive", "outer_negative"}
    assert (ext["inner_positive"] >= 0).all() and (ext["outer_negative"] <= 0).all()
    # Voting positions move toward partners; preferences follow part of the way.
    assert get_model("exchange")(rounds=0).run(scenario).positions.shape[0] == 1


def test_randomised_exchange_rates():
    scenario = read_scenario(shared("data", "decide", "sample_data.txt")).scenario
    plain = get_model("exchange")().run(scenario, seed=1).forecast
    rex = get_model("exchange")(p=0.5).run(scenario, seed=1)
    assert not np.allclose(rex.forecast, plain)
    lo, hi = scenario.inputs().scale_min, scenario.inputs().scale_max
    assert ((rex.forecast >= lo) & (rex.forecast <= hi)).all()
    np.testing.assert_array_equal(rex.forecast, get_model("exchange")(p=0.5).run(scenario, seed=1).forecast)


def test_one_issue_cannot_be_traded():
    with pytest.raises(UsageError, match="at least two issues"):
        get_model("exchange")().run(make_scenario([[10], [90]], [[0.5], [0.5]], [1, 1]))


def test_korea_story(cli):
    code, out, _ = cli("explain", KOREA, "-m", "exchange", "--issue", "sanctions", "--no-store")
    assert code == 0 and "Round 1" in out and "Forecast:" in out


def tied_game(seed: int, n: int, k: int, absent: float = 0.0):
    """Positions on a coarse grid, saliences and powers to one digit: many equal gains (ties)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, (n, k)) * 25.0
    x[rng.random((n, k)) < absent] = np.nan
    return make_scenario(x.tolist(), np.round(rng.uniform(0.1, 1.0, (n, k)), 1).tolist(),
                         np.round(rng.uniform(0.05, 1.0, n), 1).tolist())


def assert_same_runs(a, b):
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.forecast, b.forecast)
    for table in ("exchanges", "voting", "externalities"):
        assert a.table_frame(table).equals(b.table_frame(table)), table


@pytest.mark.parametrize("heap_from", [0, 10**9])  # the next candidate from a heap, or by a scan
@pytest.mark.parametrize("name,ties", [("cop21.csv", "random"), ("copenhagen.csv", "order")])
def test_compiled_round_equals_the_array_round(monkeypatch, name, ties, heap_from):
    from accord.models import exchange

    if exchange.ROUND.get() is None:
        pytest.skip("numba (the optional extra 'fast') is not installed")
    scenario = read_scenario(shared("data", "decide", name)).scenario
    model = get_model("exchange")(rounds=4, ties=ties)
    monkeypatch.setattr(exchange, "HEAP_FROM", heap_from)
    monkeypatch.setattr(exchange, "COMPILED_FROM", 0)
    compiled = model.run(scenario, seed=5)
    monkeypatch.setattr(exchange, "COMPILED_FROM", 10**9)
    assert_same_runs(compiled, model.run(scenario, seed=5))


@pytest.mark.parametrize("heap_from", [0, 10**9])
@pytest.mark.parametrize("seed,n,k,absent", [(1, 8, 3, 0.0), (2, 14, 4, 0.1), (3, 20, 3, 0.0), (4, 11, 5, 0.2)])
@pytest.mark.parametrize("ties", ["random", "order"])
def test_compiled_round_equals_the_array_round_with_ties(monkeypatch, seed, n, k, absent, ties, heap_from):
    # Equal gains send the pick to the coins (random) or to list order, and the compiled round
    # must break them alike, from its heap or its scan.
    from accord.models import exchange

    if exchange.ROUND.get() is None:
        pytest.skip("numba (the optional extra 'fast') is not installed")
    scenario, model = tied_game(seed, n, k, absent), get_model("exchange")(rounds=4, ties=ties)
    monkeypatch.setattr(exchange, "HEAP_FROM", heap_from)
    monkeypatch.setattr(exchange, "COMPILED_FROM", 0)
    compiled = model.run(scenario, seed=seed)
    monkeypatch.setattr(exchange, "COMPILED_FROM", 10**9)
    arrays = model.run(scenario, seed=seed)
    assert_same_runs(compiled, arrays)
    assert len(arrays.table_frame("exchanges")) > 0


@pytest.mark.parametrize("seed", range(8))
def test_candidates_are_counted_as_the_round_lists_them(seed):
    from accord.models.exchange import Round, candidate_count
    from accord.stats import relative_weight

    rng = np.random.default_rng(seed)
    n, k = 3 + seed, 2 + seed % 4
    x = rng.integers(0, 5, (n, k)) * 25.0  # actors at the outcome, on either side
    x[rng.random((n, k)) < 0.2] = np.nan
    s = np.where(rng.random((n, k)) < 0.15, 0.0, rng.uniform(0.1, 1.0, (n, k)))  # some weigh an issue not at all
    w = relative_weight(rng.uniform(0.05, 1.0, n)[:, None].repeat(k, 1), s, ~np.isnan(x))
    assert candidate_count(x, s, w) == Round(x, s, w, 0.0, "order", np.random.default_rng(0)).M


def test_a_round_in_which_nobody_can_trade_ends_with_the_positions_unchanged():
    # Only C and D weigh the second issue, and both sit at its outcome: no pair stands in opposite
    # corners (as in some DEU proposals), so there is no candidate exchange.
    sc = make_scenario([[0, 50], [100, 50], [30, 20], [60, 20]], [[0.5, 0.0], [0.5, 0.0], [0.5, 0.5], [0.5, 0.5]],
                       [1, 1, 1, 1])
    for preset in ("float", "decide"):
        result = get_model("exchange")(preset=preset).run(sc)
        assert len(result.table_frame("exchanges")) == 0
        np.testing.assert_array_equal(result.positions[-1], result.positions[0])
