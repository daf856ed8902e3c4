"""The search behind the `accord` forecaster: candidates scored by proposal-grouped cross-validation.

Every candidate is a family of forecasts indexed by a grid of parameters. Fitting picks the
grid point of least MAE on the training proposals; cross-validation scores that pick on the
held-out proposals (10 folds, repeated over random splits) and leave-one-proposal-out. Only
the DEU III development split is used.

    python benchmarks/deu_candidates.py [--file data/deu3/deu3-dev.csv] [--repeats 20]

Prints one row per candidate: grid size, in-sample MAE of the best grid point, cross-validated
MAE (mean over repeats), leave-one-proposal-out MAE, and the cross-validated difference to the
weighted mean's absolute errors (first split) with a 95% bootstrap interval over proposals.
The rule for adopting a fitted candidate as `accord`: that interval lies below zero.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np

from accord.backtest import cluster_bootstrap, forecast, outcomes, proposal_folds
from accord.io.deu import read_deu

ROOT = Path(__file__).resolve().parent.parent


def arrays(data):
    """Positions, capabilities, saliences (issues x actors, NaN/0 where absent) and institution masks."""
    inputs = [s.inputs() for s in data.scenarios()]
    n, width = len(inputs), max(len(x.actors) for x in inputs)
    X = np.full((n, width), np.nan)
    C, S = np.zeros((n, width)), np.zeros((n, width))
    com, ep = np.zeros((n, width), bool), np.zeros((n, width), bool)
    for k, x in enumerate(inputs):
        m = len(x.actors)
        X[k, :m], C[k, :m], S[k, :m] = x.position[:, 0], x.capability[:, 0], x.salience[:, 0]
        com[k, :m] = [a == "com" for a in x.actors]
        ep[k, :m] = [a == "ep" for a in x.actors]
    return X, C, S, com, ep


def weighted_means(data, grid):
    """Forecasts (issues x grid) of the weighted mean with weight c^gamma s^beta, times k_com for
    the Commission and k_ep (by procedure) for the Parliament."""
    X, C, S, com, ep = arrays(data)
    present, X0 = ~np.isnan(X), np.nan_to_num(X)
    cod = np.array([i.procedure == "COD" for i in data.issues])[:, None]
    out = np.empty((len(X), len(grid)))
    for j, (beta, gamma, k_com, k_cod, k_cns) in enumerate(grid):
        w = np.where(present, C ** gamma * S ** beta, 0.0)
        w = np.where(com, w * k_com, w)
        w = np.where(ep, w * np.where(cod, k_cod, k_cns), w)
        out[:, j] = (w * X0).sum(1) / w.sum(1)
    return out


def blend(mean, other, step=0.05):
    """(1 - lam) mean + lam other over lam in [0, 1]; the mean where `other` is missing."""
    other = np.where(np.isnan(other), mean, other)
    lams = np.arange(0, 1 + 1e-9, step)
    return mean[:, None] * (1 - lams) + other[:, None] * lams


def position_of(data, actor):
    return np.array([i.position.get(actor, np.nan) for i in data.issues])


def evaluate(P, y, proposals, repeats, baseline):
    """In-sample MAE of the best grid point, CV MAE (mean over repeats), LOPO MAE, and the CV
    gain over the baseline's absolute errors with its proposal-clustered 95% interval (first split)."""
    E = np.abs(P - y[:, None])
    in_sample = E.mean(0).min()
    cv, first = [], None
    for r in range(repeats):
        err = np.empty(len(y))
        for test in proposal_folds(proposals, 10, r):
            err[test] = E[test, np.argmin(E[~test].mean(0))]
        cv.append(err.mean())
        first = err if first is None else first
    lopo = np.empty(len(y))
    for p in np.unique(proposals):
        test = proposals == p
        lopo[test] = E[test, np.argmin(E[~test].mean(0))]
    gain = first - baseline
    return in_sample, float(np.mean(cv)), float(lopo.mean()), gain.mean(), cluster_bootstrap(gain, proposals)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=ROOT / "data" / "deu3" / "deu3-dev.csv")
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = read_deu(args.file, "council")
    y_all = outcomes(data)
    ok = ~np.isnan(y_all)
    proposals = np.array([i.proposal for i in data.issues])[ok]
    y = y_all[ok]
    one = [(1.0, 1.0, 1.0, 1.0, 1.0)]
    betas, gammas, ks = [0.5, 1, 1.5, 2, 2.5, 3], [0.5, 1, 1.5, 2], [0.5, 1, 1.5, 2, 3]
    mean = weighted_means(data, one)[:, 0]
    candidates = {
        "weighted mean (no parameter)": weighted_means(data, one),
        "salience exponent": weighted_means(data, [(b, 1, 1, 1, 1) for b in betas]),
        "capability exponent": weighted_means(data, [(1, g, 1, 1, 1) for g in gammas]),
        "Parliament weight": weighted_means(data, [(1, 1, 1, k, k) for k in ks]),
        "five weights (s, c, Commission, EP by procedure)": weighted_means(
            data, list(itertools.product(betas, gammas, [0.5, 0.75, 1, 1.5], ks, ks + [4]))),
    }
    others = {"weighted median": forecast(data, "median").value, "scale midpoint": np.full(len(mean), 50.0),
              "Commission position": position_of(data, "com"), "Parliament position": position_of(data, "ep"),
              "reference point": np.array([np.nan if i.reference is None else i.reference for i in data.issues]),
              "expected utility model": forecast(data, "eum").value}
    for name, other in others.items():
        candidates[f"mean blended with {name}"] = blend(mean, other)
    print(f"{'candidate':52s} {'grid':>5s} {'in-sample':>9s} {'CV 10-fold':>10s} {'LOPO':>7s}  "
          "CV vs mean [95% CI by proposal]")
    baseline = np.abs(mean[ok] - y)
    for name, P in candidates.items():
        fit, cv, lopo, gain, (lo, hi) = evaluate(P[ok], y, proposals, args.repeats, baseline)
        print(f"{name:52s} {P.shape[1]:5d} {fit:9.2f} {cv:10.2f} {lopo:7.2f}  {gain:+.2f} [{lo:+.2f}, {hi:+.2f}]")
    print(f"\n{ok.sum()} issues, {len(np.unique(proposals))} proposals; CV: 10 folds by proposal, "
          f"{args.repeats} random splits; {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
