"""The exchange model's batched form (Monte Carlo): the same forecasts, to the bit, as solving each sample."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from accord.experiment import solve_samples
from accord.io import from_arrays, read_scenario
from accord.models import exchange, get_model
from accord.uncertainty import sample_inputs, solve_draws

from .conftest import KOREA

pytestmark = pytest.mark.skipif(exchange.SAMPLES.get() is None,
                                reason="numba (the optional extra 'fast') is not installed")


def one_by_one(model, base, draws, seed=0, key=()):
    """Each sample solved alone with its own stream, as Monte Carlo does without a batched form."""
    return np.array([model.evaluate(draws.inputs(base, j), np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(*key, j)))).forecast for j in range(len(draws))])


def synthetic(seed: int, n: int, issues: int, integers: bool):
    """The exchange benchmark's generator; integer positions on a coarse grid make equal gains (ties)."""
    rng = np.random.default_rng(seed)
    pos = rng.integers(0, 5, (n, issues)) * 25.0 if integers else rng.uniform(0, 100, (n, issues))
    sal = np.round(rng.uniform(0.1, 1.0, (n, issues)), 1) if integers else rng.uniform(0.1, 1.0, (n, issues))
    return from_arrays(pos, sal, np.round(rng.uniform(0.05, 1.0, n), 1), name="synthetic", assumption="test data")


def assert_batched_is_exact(model, scenario, samples, seed=0):
    base, draws = scenario.inputs(), sample_inputs(scenario, samples, seed=seed)
    batched = solve_draws(model, base, draws, seed)
    np.testing.assert_array_equal(batched, one_by_one(model, base, draws, seed))
    assert model.solve_batch(base, draws) is not None


def test_korea_monte_carlo_is_the_same_batched():
    assert_batched_is_exact(get_model("exchange")(), read_scenario(KOREA).scenario, 30)


@pytest.mark.parametrize("seed,n,issues,integers", [(1, 3, 2, True), (2, 5, 3, True), (3, 8, 4, False),
                                                    (4, 6, 5, True), (5, 12, 3, False), (6, 9, 2, True)])
@pytest.mark.parametrize("ties", ["random", "order"])
def test_random_scenarios_are_the_same_batched(seed, n, issues, integers, ties):
    assert_batched_is_exact(get_model("exchange")(rounds=4, ties=ties), synthetic(seed, n, issues, integers), 6,
                            seed)


def test_coarse_grids_tie_and_the_samples_streams_break_them():
    # Without spreads the draws are the scenario itself: every sample ties alike, and only its
    # own stream tells the coins apart.
    sc = synthetic(9, 6, 3, True)  # a scenario whose runs differ by seed
    model = get_model("exchange")(rounds=3)
    base = sc.inputs()
    draws = sample_inputs(sc, 8, seed=1)
    draws = type(draws)(np.repeat(base.position[None], 8, 0), np.repeat(base.salience[None], 8, 0),
                        np.repeat(base.capability[None], 8, 0), np.repeat(base.reference[None], 8, 0))
    batched = solve_draws(model, base, draws, 3, key=(2,))
    np.testing.assert_array_equal(batched, one_by_one(model, base, draws, 3, (2,)))
    assert len({tuple(row) for row in batched}) > 1  # the coins differ between samples


def test_rounds_past_the_compiled_threshold_keep_the_compiled_loops_keys(monkeypatch):
    monkeypatch.setattr(exchange, "COMPILED_FROM", 20)  # Round then runs the compiled loop, with its keys
    assert_batched_is_exact(get_model("exchange")(rounds=3), synthetic(8, 10, 4, False), 4)


@pytest.mark.parametrize("coins_at_once", [1, 900])
def test_samples_solved_chunk_by_chunk_are_the_same(monkeypatch, coins_at_once):
    # 3 rounds of up to 3 * 4 * 3 / 8 * 10^2 = 450 candidates: one sample, then two, per compiled call
    monkeypatch.setattr(exchange, "COINS_AT_ONCE", coins_at_once)
    assert_batched_is_exact(get_model("exchange")(rounds=3, ties="random"), synthetic(11, 10, 4, True), 5, seed=2)


def test_experiment_layer_and_parts_give_the_same_samples():
    sc = read_scenario(KOREA).scenario
    model = get_model("exchange")(rounds=3)
    draws = sample_inputs(sc, 12, seed=5)
    whole = solve_samples(model, sc.inputs(), draws, 5, (1,))
    np.testing.assert_array_equal(whole, one_by_one(model, sc.inputs(), draws, 5, (1,)))
    np.testing.assert_array_equal(solve_draws(model, sc.inputs(), draws.part(4, 12), 5, (1,), start=4), whole[4:])


@pytest.mark.parametrize("params", [{"p": 0.3}, {"preset": "decide"}])
def test_other_arithmetics_are_solved_one_by_one(params):
    sc = synthetic(9, 5, 3, False)
    assert get_model("exchange")(**params).solve_batch(sc.inputs(), sample_inputs(sc, 2, seed=0)) is None


def test_without_numba_monte_carlo_solves_sample_by_sample(monkeypatch):
    monkeypatch.setattr(exchange, "SAMPLES", SimpleNamespace(get=lambda: None))
    sc = synthetic(10, 5, 3, False)
    assert get_model("exchange")().solve_batch(sc.inputs(), sample_inputs(sc, 2, seed=0)) is None
