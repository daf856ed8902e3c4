"""SMP's batched form (Monte Carlo): the same forecasts, to the bit, as solving each sample."""

from __future__ import annotations

import numpy as np
import pytest

from accord.io import from_arrays, read_scenario
from accord.models import get_model
from accord.models._smp_batch import MAX_ACTORS
from accord.uncertainty import sample_inputs, solve_draws

from .conftest import KOREA


def one_by_one(model, base, draws):
    """Each sample solved alone, as Monte Carlo does without a batched form."""
    return np.array([model.evaluate(draws.inputs(base, j), np.random.default_rng(
        np.random.SeedSequence(0, spawn_key=(j,)))).forecast for j in range(len(draws))])


def synthetic(seed: int, n: int, dims: int):
    """The SMP benchmark's generator: capabilities U(10, 200), positions U(0, 100), saliences summing below 1."""
    rng = np.random.default_rng(seed)
    total = rng.uniform(0.75, 0.99, n)
    sal = np.floor(1e4 * total[:, None] * rng.dirichlet(np.ones(dims), n)) / 1e4
    return from_arrays(rng.uniform(0, 100, (n, dims)), sal, rng.uniform(10, 200, n), name="synthetic",
                       assumption="test data")


def assert_batched_is_exact(model, scenario, samples: int, seed: int = 0):
    base, draws = scenario.inputs(), sample_inputs(scenario, samples, seed=seed)
    batched = model.solve_batch(base, draws)
    assert batched is not None
    np.testing.assert_array_equal(batched, one_by_one(model, base, draws))


def test_korea_monte_carlo_is_the_same_batched():
    assert_batched_is_exact(get_model("smp")(), read_scenario(KOREA).scenario, 40)


@pytest.mark.parametrize("seed,n,dims", [(1, 2, 1), (2, 3, 2), (3, 5, 3), (4, 8, 1), (5, 9, 2), (6, 13, 1),
                                         (7, MAX_ACTORS, 2)])
def test_random_scenarios_are_the_same_batched(seed, n, dims):
    assert_batched_is_exact(get_model("smp")(), synthetic(seed, n, dims), 12, seed)


@pytest.mark.parametrize("params", [
    {"VotingRule": "Binary"}, {"VotingRule": "ASymProsp"}, {"VotingRule": "Cubic"}, {"BigRAdjust": "None"},
    {"BigRAdjust": "Full"}, {"BigRRange": "Min"}, {"BigRRange": "Max"}, {"ThirdPartyCommit": "NoCommit"},
    {"VictoryProbModel": "Quartic"}, {"PCEModel": "MarkovIncentive"}, {"InterVecBrgn": "S1P1"},
    {"forecast": "most-probable"}, {"turns": 3}, {"min_turns": 5, "stop_ratio": 0.1}])
def test_options_are_the_same_batched(params):
    assert_batched_is_exact(get_model("smp")(**params), synthetic(11, 6, 2), 10, 3)


@pytest.mark.parametrize("params", [{"StateTransitions": "Stochastic"}, {"BargnModel": "InitRcvrInterp"},
                                    {"InterVecBrgn": "S2PMax"}])
def test_other_choices_are_solved_one_by_one(params):
    sc = synthetic(12, 5, 2)
    model = get_model("smp")(**params)
    draws = sample_inputs(sc, 4, seed=0)
    assert model.solve_batch(sc.inputs(), draws) is None
    assert solve_draws(model, sc.inputs(), draws, 0).shape == (4, 2)


def test_more_actors_than_one_chunk_are_solved_one_by_one():
    sc = synthetic(13, MAX_ACTORS + 1, 1)
    assert get_model("smp")().solve_batch(sc.inputs(), sample_inputs(sc, 2, seed=0)) is None
