"""The expected utility model's compiled round (numba, the optional extra "fast") gives the array
code's numbers to the last bit: single runs (every table) and Monte Carlo batches alike."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.io import from_arrays
from accord.models import _eum_compiled as fast
from accord.models import get_model
from accord.uncertainty import Draws

if fast.compiled("offers") is None:  # pragma: no cover - the dev install has numba
    pytest.skip("numba (the optional extra 'fast') is not installed", allow_module_level=True)

#: Choices the compiled round computes, each against the array code.
CHOICES = [{}, {"preset": "scholz-code"}, {"passes": 2}, {"q": 0.6}, {"utility_r": "challenger"},
           {"danger": "outgoing"}, {"scale": "recomputed"}, {"scale": "issue"}, {"p_denominator": "all-pairs"},
           {"offer_rule": "scholz-code", "capitulation": "never"}, {"offers": "accepted"}, {"offers": "none"},
           {"preset": "scholz-code", "q": 0.5, "status_quo_terms": "full"}]  # the last: the array code's alone

GRID = [0.0, 10.0, 12.5, 20.0, 50.0, 61.7, 90.0, 100.0]  # few distinct positions: ties everywhere


@st.composite
def scenarios(draw):
    """1 to 40 actors on one or two issues: positions tied or not, saliences and capabilities some
    of them zero, an actor now and then absent from an issue."""
    n, k = draw(st.integers(1, 40)), draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.choice(GRID, (n, k)) if draw(st.booleans()) else np.round(rng.uniform(0, 100, (n, k)), 1)
    s = np.where(rng.random((n, k)) < 0.15, 0.0, rng.uniform(0.05, 1, (n, k)))
    c = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.05, 1, n))
    if n > 2 and draw(st.booleans()):
        x[rng.integers(n), 0] = np.nan
    return from_arrays(x, s, c)


def _run(model, scenario, compiled: bool):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(fast, "COMPILED_FROM", 0)
        if not compiled:
            m.setattr(fast, "compiled", lambda name: None)  # as without numba
        return model.solve(scenario.inputs(), np.random.default_rng(0))


def _assert_identical(a, b) -> None:
    import pandas as pd

    np.testing.assert_array_equal(a.forecast, b.forecast)
    np.testing.assert_array_equal(a.positions, b.positions)
    for name in ("risk", "offers"):
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
    assert a.notes == b.notes


@settings(max_examples=120, deadline=None, derandomize=True)
@given(scenarios(), st.sampled_from(CHOICES), st.sampled_from([None, 1, 4]))
def test_compiled_round_equals_the_array_code(scenario, choice, rounds):
    model = get_model("eum")(rounds=rounds, max_rounds=12, **choice)
    _assert_identical(_run(model, scenario, True), _run(model, scenario, False))


@pytest.mark.parametrize("positions", [[[50.0]], [[10.0], [90.0]], [[30.0], [30.0]], [[10.0], [10.0], [90.0]],
                                       [[0.0], [100.0], [50.0], [50.0]]])
def test_few_actors_and_ties(positions):
    n = len(positions)
    scenario = from_arrays(positions, [[0.5]] * n, [1.0] * n)
    for choice in CHOICES:
        model = get_model("eum")(rounds=3, **choice)
        _assert_identical(_run(model, scenario, True), _run(model, scenario, False))


@pytest.mark.parametrize("loaded, compiled_runs", [(False, 1), (True, 2)])
def test_large_runs_take_the_compiled_round_and_small_ones_only_once_numba_is_loaded(monkeypatch, loaded,
                                                                                    compiled_runs):
    calls = []
    monkeypatch.setattr(fast.Stages, "offers", lambda self, rho, f=fast.Stages.offers: calls.append(1) or f(self, rho))
    monkeypatch.setattr(fast, "numba_loaded", lambda: loaded)
    rng = np.random.default_rng(3)
    for n in (fast.COMPILED_FROM - 1, fast.COMPILED_FROM):
        get_model("eum")(rounds=1).run(from_arrays(rng.uniform(0, 100, (n, 1)), rng.uniform(0.1, 1, (n, 1)),
                                                   rng.uniform(0.1, 1, n)))
    assert len(calls) == compiled_runs
    assert fast.batched(10, 6) is loaded  # a small batch: compiled only once numba is loaded
    assert fast.stages(np.ones(30), np.ones(30), {"status_quo_terms": "full", "q": 0.5}) is None


def test_without_numba_the_array_code_runs(monkeypatch):
    monkeypatch.setattr(fast, "compiled", lambda name: None)
    opt = get_model("eum")().params.resolved()
    assert fast.stages(np.ones(50), np.ones(50), opt) is None and not fast.batched(10_000, 6)
    rng = np.random.default_rng(4)
    result = get_model("eum")(rounds=2).run(from_arrays(rng.uniform(0, 100, (30, 1)), rng.uniform(0.1, 1, (30, 1)),
                                                        rng.uniform(0.1, 1, 30)))
    assert np.isfinite(result.forecast).all()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(scenarios(), st.sampled_from([{}, {"rounds": 3}, {"scale": "issue"}]), st.integers(0, 2**32 - 1))
def test_compiled_batch_equals_the_array_batch_and_single_runs(scenario, choice, seed):
    """Monte Carlo's batched form, compiled, against the array batch and each sample solved alone."""
    base, rng, S = scenario.inputs(), np.random.default_rng(seed), 12
    shape = (S, *base.position.shape)
    moved = np.where(rng.random(shape) < 0.5, 0.0, rng.choice([-10.0, 5.0, 10.0], shape))
    draws = Draws(np.repeat(base.position[None], S, 0) + moved,
                  np.clip(base.salience[None] + rng.normal(0, 0.1, shape), 0, 1),
                  base.capability[None] * rng.uniform(0.5, 1.5, (S, *base.capability.shape)),
                  np.repeat(base.reference[None], S, 0))
    model = get_model("eum")(**choice)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(fast, "LOAD_FROM", 0)
        compiled = model.solve_batch(base, draws)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(fast, "compiled", lambda name: None)
        arrays = model.solve_batch(base, draws)
        alone = np.array([model.solve(draws.inputs(base, j), np.random.default_rng(0)).forecast for j in range(S)])
    np.testing.assert_array_equal(compiled, arrays)
    np.testing.assert_array_equal(compiled, alone)


@pytest.mark.parametrize("max_rounds", [4, 30])
def test_compiled_batch_stops_cycles_where_the_array_batch_does(max_rounds):
    """Grid positions make the paper's rounds cycle often; each sample must stop at the round the
    array code stops it (the test of cycles compares with every earlier state): the final
    positions of every sample are the same."""
    from accord.models import eum

    rng, S, n = np.random.default_rng(0), 300, 6
    x = rng.choice([0.0, 20.0, 40.0, 60.0, 80.0, 100.0], (S, n))
    s, c = np.round(rng.uniform(0.1, 1, (S, n)), 1), np.round(rng.uniform(0.1, 1, (S, n)), 1)
    opt = get_model("eum")(max_rounds=max_rounds).params.resolved()
    finals = []
    for threshold, kernels in ((0, fast.compiled), (0, lambda name: None)):
        with pytest.MonkeyPatch.context() as m:
            m.setattr(fast, "LOAD_FROM", threshold)
            m.setattr(fast, "compiled", kernels)
            finals.append(eum._rounds_batch(x.copy(), c * s, s, np.full(S, 100.0), opt))
    cycling = [j for j in range(S) if any("cycle" in note for note in get_model("eum")(max_rounds=max_rounds).solve(
        from_arrays(x[j][:, None], s[j][:, None], c[j]).inputs(), rng).notes)]
    assert len(cycling) >= 3
    np.testing.assert_array_equal(finals[0], finals[1])


@pytest.mark.parametrize("samples, loads", [(1_000, False), (6_000, True)])
def test_numba_is_loaded_only_when_the_whole_monte_carlo_repays_it(samples, loads):
    """Batches of 1,000 run compiled from 556 samples at Korea's size once numba is loaded, but a
    process loads it (about half a second) only for an experiment large enough to repay it:
    the experiment's total, not one batch's size, decides (a speed choice, never a change of number)."""
    import os
    import subprocess
    import sys

    from .conftest import KOREA

    code = ("import sys, accord\n"
            f"accord.monte_carlo({str(KOREA)!r}, ['eum'], samples={samples}, seed=1)\n"
            "print('numba' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "ACCORD_NO_JIT"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == str(loads)


@given(st.lists(st.floats(0.0, 1.0, allow_subnormal=True), min_size=1, max_size=300))
def test_a_power_of_one_is_its_base_as_every_path_assumes(bases):
    """The risk stage (all exponents 1) takes no power in any path: numpy's pow, vectorised or
    not, must give u^1 = u to the bit for the paths to agree with runs that took it."""
    u = np.array(bases)
    assert np.array_equal(np.power(u, np.ones_like(u)), u)
    assert np.array_equal(np.power(u.reshape(-1, 1), np.ones((1, 3))), np.repeat(u.reshape(-1, 1), 3, axis=1))
