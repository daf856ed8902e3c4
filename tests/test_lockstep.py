"""Many runs at once give, to the last bit, what the runs give one by one.

The batched and lockstep forms (EUM.solve_batch for Monte Carlo, Influence.solve_runs and
Model.evaluate_many for the roles' counterfactuals) and the vectorised role measures are
checked against the single runs and against the measures written as plain loops over actors.
"""

from __future__ import annotations

import numpy as np
import pytest

from accord.experiment import sample, without_each
from accord.io import read_scenario
from accord.models import get_model
from accord.role_analysis import _count_holds
from accord.roles import (SAME, _closure, _following, _kingmaker, _lifts, _sides, _typical_other, counterfactual_runs,
                          measure, score)
from accord.synthetic import planted

from .conftest import KOREA, make_scenario


def _random_scenarios(seed: int, count: int, most: int = 16):
    """One- to three-issue scenarios of 2 to ``most`` actors (more than 8: numpy's pairwise sums),
    some actors absent from some issues, positions on a 0.1 grid (ties happen)."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n, m = int(rng.integers(2, most)), int(rng.integers(1, 4))
        x = np.round(rng.uniform(0, 100, (n, m)), 1)
        x[2:][rng.random((n - 2, m)) < 0.15] = np.nan
        yield make_scenario(x, rng.uniform(0.05, 1, (n, m)), rng.uniform(0.1, 2, n))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


# -- models ------------------------------------------------------------------------------------------


def test_influence_in_lockstep_is_each_run_alone():
    model = get_model("influence")()
    for sc in _random_scenarios(1, 8, most=14):
        base = sc.inputs()
        runs = [base, *without_each(base), *[sample(sc, 3, 1).inputs(base, k) for k in range(3)]]
        for inputs, together in zip(runs, model.evaluate_many(runs, 0)):
            alone = model.evaluate(inputs, np.random.default_rng(0))
            assert _same(together.positions, alone.positions) and _same(together.forecast, alone.forecast)
            assert together.notes == alone.notes and together.params == alone.params


def test_influence_monte_carlo_batch_is_each_sample_alone():
    model = get_model("influence")()
    for sc in [read_scenario(KOREA).scenario, *_random_scenarios(4, 3)]:
        base, draws = sc.inputs(), sample(sc, 40, 2)
        alone = np.array([model.evaluate(draws.inputs(base, k), np.random.default_rng(0)).forecast
                          for k in range(len(draws))])
        assert _same(model.solve_batch(base, draws), alone)


def test_evaluate_many_falls_back_to_single_runs():
    model = get_model("median")()  # no lockstep form
    sc = make_scenario([[10.0], [60.0], [90.0]], [[0.5], [0.5], [0.5]], [1, 2, 1])
    runs = without_each(sc.inputs())
    assert [r.forecast.tolist() for r in model.evaluate_many(runs, 0)] == [[60.0], [10.0], [60.0]]


@pytest.mark.parametrize("which", ["korea", "random"])
def test_eum_monte_carlo_batch_is_each_sample_alone(which):
    model = get_model("eum")()
    scenarios = [read_scenario(KOREA).scenario] if which == "korea" else list(_random_scenarios(2, 4, most=11))
    for sc in scenarios:
        base, draws = sc.inputs(), sample(sc, 20, 3)
        batch = model.solve_batch(base, draws)
        alone = np.array([model.evaluate(draws.inputs(base, k), np.random.default_rng(0)).forecast
                          for k in range(len(draws))])
        assert _same(batch, alone)


# -- roles: the counterfactuals together, the measures over arrays -----------------------------------


def test_roles_counted_over_samples_together_are_counted_one_by_one():
    model = get_model("influence")()
    sc = planted(3)[0]
    base, draws = sc.inputs(), sample(sc, 6, 0, key=(7,))
    together = _count_holds(model, base, draws, 0)
    one_by_one = {}
    for k in range(len(draws)):
        held = measure(model, draws.inputs(base, k), 0,
                       (model.evaluate(draws.inputs(base, k), np.random.default_rng(0)),
                        [_put_back(model.evaluate(x, np.random.default_rng(0)), a)
                         for a, x in enumerate(without_each(draws.inputs(base, k)))])).holds()
        for role, h in held.items():
            one_by_one[role] = one_by_one.get(role, 0) + h
    assert all(_same(together[role], one_by_one[role].astype(float)) for role in together)


def _put_back(run, a):
    run.positions = np.insert(run.positions, a, np.nan, axis=1)
    return run


def _measured_runs(seed: int):
    """Inputs and influence runs of planted and random scenarios."""
    model = get_model("influence")()
    scenarios = [planted(s)[0] for s in range(seed, seed + 7)] + list(_random_scenarios(seed, 5))
    inputs = [sc.inputs() for sc in scenarios]
    return list(zip(inputs, counterfactual_runs(model, inputs, 0)))


# The measures as the definitions read, actor by actor: the reference the arrays must equal.


def _kingmaker_loop(x, w, span):
    n_a, n_i = x.shape
    out = np.zeros((n_a, n_i))
    for i in range(n_i):
        xi, wi = x[:, i], np.where(np.isnan(x[:, i]), 0.0, w[:, i])
        total = wi.sum()
        for a in range(n_a):
            if np.isnan(xi[a]) or wi[a] <= 0:
                continue
            others = np.arange(n_a) != a
            same = others & (np.abs(xi - xi[a]) <= SAME * span[i])
            left = (others & (xi < xi[a]) & ~same) | same
            right = (others & (xi > xi[a]) & ~same) | same
            margin = min(total / 2 - wi[left].sum(), total / 2 - wi[right].sum())
            out[a, i] = max(margin, 0.0) / (wi[a] / 2)
    return out


def _closure_loop(positions, x0, w, span):
    n_a, n_i = x0.shape
    out = np.zeros((n_a, n_i))
    for i in range(n_i):
        for a in range(n_a):
            if np.isnan(x0[a, i]):
                continue
            gaps = []
            for x in (positions[0][:, i], positions[-1][:, i]):
                ok = ~np.isnan(x) & (np.arange(n_a) != a)
                left = ok & (x0[:, i] < x0[a, i] - SAME * span[i])
                right = ok & (x0[:, i] > x0[a, i] + SAME * span[i])
                if w[left, i].sum() <= 0 or w[right, i].sum() <= 0:
                    break
                gaps.append(np.average(x[right], weights=w[right, i]) - np.average(x[left], weights=w[left, i]))
            if len(gaps) == 2 and gaps[0] > 0:
                out[a, i] = 1 - gaps[1] / gaps[0]
    return out


def _sides_loop(x, w, span):
    n_a, n_i = x.shape
    between, opposed, acceptable = (np.zeros((n_a, n_i)) for _ in range(3))
    for i in range(n_i):
        xi, wi, d = x[:, i], w[:, i], span[i]
        for a in range(n_a):
            if np.isnan(xi[a]):
                continue
            others = (np.arange(n_a) != a) & ~np.isnan(xi)
            left, right = others & (xi < xi[a] - SAME * d), others & (xi > xi[a] + SAME * d)
            wl, wr, wt = wi[left].sum(), wi[right].sum(), wi[others].sum()
            if wl <= 0 or wr <= 0 or wt <= 0:
                continue
            ml, mr = (wi[left] * xi[left]).sum() / wl, (wi[right] * xi[right]).sum() / wr
            between[a, i] = min(wl, wr) / wt
            opposed[a, i] = (xi[right].min() - xi[left].max()) / d
            acceptable[a, i] = 1 - abs(2 * ((xi[a] - ml) / (mr - ml)) - 1)
    return between, opposed, acceptable


def _following_loop(x0, xT, F, span):
    n_a, n_i = x0.shape
    out = {k: np.zeros((n_a, n_i)) for k in ("moves", "toward", "led", "distinct")}
    out["led"][:] = 1.0
    patron = np.full((n_a, n_i), -1)
    for i in range(n_i):
        d = span[i]
        move = np.abs(xT[:, i] - x0[:, i]) / d
        for a in range(n_a):
            if np.isnan(x0[a, i]):
                continue
            best = None
            for p in range(n_a):
                gap0 = abs(x0[a, i] - x0[p, i]) / d
                if p == a or np.isnan(x0[p, i]) or gap0 <= SAME:
                    continue
                cand = {"moves": move[a], "toward": (gap0 - abs(xT[a, i] - xT[p, i]) / d) / gap0,
                        "led": move[p] / move[a] if move[a] > 0 else 1.0, "distinct": abs(xT[p, i] - F[i]) / d}
                s = score("follower", cand)
                if best is None or s > best[0]:
                    best = (s, p, cand)
            if best is not None:
                for k, v in best[2].items():
                    out[k][a, i] = v
                patron[a, i] = best[1]
    return out, patron


def _lifts_loop(x, w, d):
    ok = ~np.isnan(x)
    n = len(x)
    num, den = np.zeros((n, n)), np.zeros((n, n))
    xs, ws = np.where(ok, x, 0.0), np.where(ok, w, 0.0)
    gap = np.abs(xs[:, None] - xs[None, :]) / d
    v = ws[:, None, None] * (gap[:, None, :] - gap[:, :, None])
    pro, tot = np.clip(v, 0, None).sum(axis=0), np.abs(v).sum(axis=0)
    contest = (gap >= 0.25) & ok[:, None] & ok[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(tot > 0, pro / tot, 0.5)
        for e in np.flatnonzero(ok & (ws > 0)):
            pro_e, tot_e = pro - np.clip(v[e], 0, None), tot - np.abs(v[e])
            p_e = np.where(tot_e > 0, pro_e / tot_e, 0.5)
            rel = contest.copy()
            rel[e, :] = rel[:, e] = False
            weight = np.where(rel, ws[None, :] * gap, 0.0)
            num[e] = (weight * (p - p_e)).sum(axis=1)
            den[e] = weight.sum(axis=1)
    return num, den


def test_role_measures_over_arrays_are_the_loops_to_the_last_bit():
    with np.errstate(invalid="ignore", divide="ignore"):
        for inputs, (base, outs) in _measured_runs(0):
            x0, xT, w = base.positions[0], base.positions[-1], inputs.weight
            span = inputs.scale_max - inputs.scale_min
            assert _same(_kingmaker(x0, w, span), _kingmaker_loop(x0, w, span))
            assert all(_same(a, b) for a, b in zip(_sides(x0, w, span), _sides_loop(x0, w, span)))
            assert _same(_closure(x0, xT, x0, w, span), _closure_loop(base.positions, x0, w, span))
            cf = _closure(np.stack([o.positions[0] for o in outs]), np.stack([o.positions[-1] for o in outs]), x0, w,
                          span)
            assert _same(cf, np.array([_closure_loop(o.positions, x0, w, span)[a] for a, o in enumerate(outs)]))
            (got, patron), (want, want_patron) = (_following(x0, xT, base.forecast, span),
                                                  _following_loop(x0, xT, base.forecast, span))
            assert _same(patron, want_patron) and all(_same(got[k], want[k]) for k in want)
            others = [np.nanmedian(np.delete(x0, a, axis=0), axis=0) for a in range(len(x0))]
            assert _same(_typical_other(x0), np.array(others))
            for i in range(x0.shape[1]):
                rounds = base.positions[:, :, i]
                num, den = _lifts(rounds, w[:, i], span[i])
                for r in range(len(rounds)):
                    n_loop, d_loop = _lifts_loop(rounds[r], w[:, i], span[i])
                    assert _same(num[r], n_loop) and _same(den[r], d_loop)
