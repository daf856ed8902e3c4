"""Backtests: every model's forecasts scored against negotiations whose outcomes are known.

The data are DEU issues (:mod:`accord.io.deu`). Each model forecasts each issue on its own
scenario; a model that cannot take one issue alone (the exchange model trades *across*
issues) forecasts the issues of a proposal together, as they were negotiated, and scores the
issues of proposals with at least two. An issue a model cannot take is left unscored and
counted, with the model's reason.

Scores per model, on the issues it forecast and whose outcome is recorded: mean absolute
error (MAE), root mean squared error, median absolute error, share of forecasts within 10
points of the outcome, and the paired difference of absolute errors to the compromise model
(``mean``) on the same issues, with a 95% percentile bootstrap interval that resamples
*proposals* (the issues of one proposal are negotiated together, so they are not independent
draws; Field & Welsh 2007, "Bootstrapping clustered data", JRSS B 69(3)). MAE is also
given by procedure (COD/CNS) and Council voting rule (QMV/unanimity).

With ``samples``, each model also runs a Monte Carlo over its inputs (the default spreads
of :mod:`accord.uncertainty`: DEU codes points, not ranges) and the backtest reports the
share of outcomes inside the central 50% and 80% intervals of the forecasts. The ``accord``
forecaster's own intervals are scored under proposal-grouped cross-validation
(:func:`cross_validate`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import __version__
from .errors import NotApplicable
from .experiment import evaluate, pooled
from .experiment import proposals as proposal_jobs
from .io.deu import DeuData, DeuIssue
from .models import get_model
from .uncertainty import monte_carlo, sample_inputs

BOOTSTRAP = 2000
LEVELS = (0.5, 0.8)


@dataclass
class Forecasts:
    """One model's forecasts of a DEU file's issues (NaN: not forecast), and why some are missing."""

    model: str
    value: np.ndarray
    together: list[str] = field(default_factory=list)  # proposals forecast as one scenario
    reasons: dict[str, str] = field(default_factory=dict)  # issue -> why it is not forecast
    draws: np.ndarray | None = None  # (samples, issues) with Monte Carlo


def forecast(data: DeuData, model: str, params: dict[str, Any] | None = None, seed: int | None = 0,
             samples: int = 0, *, workers: int = 1, scheduler: str | None = None, pool: Executor | None = None,
             progress: Callable[[int, int], None] | None = None) -> Forecasts:
    """Run one model on every issue of the data: each issue alone, or, when the model can take
    none of a proposal's issues alone, the proposal's issues together.

    The proposals run as jobs (:func:`accord.experiment.proposals`) on ``pool``, or on
    ``workers`` local processes or the Dask cluster at ``scheduler``; each issue's Monte Carlo
    draws from its own stream, so the forecasts are the same whatever runs them.
    ``progress(done, total)`` counts issues.

    >>> from pathlib import Path
    >>> from accord.io.deu import read_deu
    >>> data = read_deu(Path(__file__).parents[2] / "data" / "deu3" / "deu3-dev.csv")
    >>> fc = forecast(data, "mean")
    >>> len(fc.value), int(np.isnan(fc.value).sum())
    (251, 0)
    """
    return _forecasts(data, [(model, params)], seed, samples, workers=workers, scheduler=scheduler, pool=pool,
                      progress=progress)[0]


def _forecasts(data: DeuData, specs: Sequence[tuple[str, dict[str, Any] | None]], seed: int | None, samples: int,
               **evaluation: Any) -> list[Forecasts]:
    """Every model's forecasts of the data, as one experiment: (model, group of proposals) jobs."""
    design = proposal_jobs(data)  # sample
    index = {issue.issue: k for k, issue in enumerate(data.issues)}
    instances = [get_model(name)(**(params or {})) for name, params in specs]
    jobs, sizes = [], []
    for instance in instances:
        for group in design:
            issues = [i for _, members in group for i in members]
            view = replace(data, issues=issues, warnings=[])  # what a job needs of the data: its issues
            jobs.append((instance, view, [index[i.issue] for i in issues], seed, samples))
            sizes.append(len(issues))
    parts = evaluate(_forecast_part, jobs, sizes=sizes, **evaluation)  # evaluate
    out = []
    for m, (name, _) in enumerate(specs):  # analyse: the parts put together in the file's order
        result = Forecasts(name, np.full(len(data.issues), np.nan))
        if samples:
            result.draws = np.full((samples, len(data.issues)), np.nan)
        for (_, _, cols, _, _), part in zip(jobs[m * len(design):(m + 1) * len(design)],
                                            parts[m * len(design):(m + 1) * len(design)]):
            result.value[cols] = part.value
            if samples:
                result.draws[:, cols] = part.draws
            result.together += part.together
            result.reasons.update(part.reasons)
        out.append(result)
    return out


def _forecast_part(instance, data: DeuData, keys: list[int], seed: int | None, samples: int) -> Forecasts:
    """One job: the forecasts of ``data``'s issues (some whole proposals), in its order; ``keys``:
    each issue's place in the whole file, which names its Monte Carlo stream."""
    local = {issue.issue: k for k, issue in enumerate(data.issues)}
    key = {issue.issue: keys[k] for k, issue in enumerate(data.issues)}
    result = Forecasts(instance.name, np.full(len(data.issues), np.nan))
    if samples:
        result.draws = np.full((samples, len(data.issues)), np.nan)
    for name, issues in data.proposals().items():
        alone = [_run_group(instance, data, [issue], seed, samples, result, local, key) for issue in issues]
        if len(issues) > 1 and not any(alone):  # perhaps a model of trade across issues: the proposal together
            reasons = {i.issue: result.reasons.pop(i.issue) for i in issues}
            if _run_group(instance, data, issues, seed, samples, result, local, key):
                result.together.append(name)
            else:  # the reasons each issue alone gave are the telling ones
                result.reasons.update(reasons)
    return result


def _run_group(instance, data: DeuData, group: list[DeuIssue], seed, samples, result: Forecasts,
               index: dict[str, int], key: dict[str, int]) -> bool:
    """Forecast one scenario of the group's issues into ``result``; False if the model cannot take it."""
    scenario = data.scenario(group)
    cols = [index[i.issue] for i in group]
    try:
        result.value[cols] = instance.run(scenario, seed=seed).forecast
    except NotApplicable as exc:
        result.reasons.update({i.issue: str(exc) for i in group})
        return False
    for i, value in zip(group, result.value[cols]):
        if np.isnan(value):
            result.reasons[i.issue] = "no forecast: no actor has weight (capability x salience) on the issue"
    if samples:
        stream = (key[group[0].issue],)  # each issue's own stream: the draws do not depend on the other issues
        draws = sample_inputs(scenario, samples, seed, key=stream)
        result.draws[:, cols] = monte_carlo(instance, scenario, draws, seed, key=(*stream, 1))
    return True


# -- scores ------------------------------------------------------------------------------------


def scores(error: np.ndarray) -> dict[str, float | int]:
    """MAE, RMSE, median absolute error and share within 10 points of signed errors (NaN ignored)."""
    e = np.abs(error[~np.isnan(error)])
    if not e.size:
        return {"n": 0, "mae": None, "rmse": None, "median_ae": None, "within10": None}
    return {"n": int(e.size), "mae": float(e.mean()), "rmse": float(math.sqrt(np.mean(e ** 2))),
            "median_ae": float(np.median(e)), "within10": float(np.mean(e <= 10))}


def cluster_bootstrap(diff: np.ndarray, clusters: np.ndarray, n: int = BOOTSTRAP, seed: int | None = 0,
                      level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the mean of ``diff`` over bootstrap resamples of whole clusters.

    Each resample draws as many clusters as there are, with replacement, and averages the
    differences of all their items (a ratio estimator: clusters count by their size).
    """
    labels, inverse = np.unique(clusters, return_inverse=True)
    sums = np.bincount(inverse, weights=diff, minlength=len(labels))
    sizes = np.bincount(inverse, minlength=len(labels)).astype(float)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(labels), np.full(len(labels), 1 / len(labels)), size=n)  # clusters drawn
    means = (counts @ sums) / (counts @ sizes)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def coverage(draws: np.ndarray, outcome: np.ndarray, level: float) -> dict[str, float | int | None]:
    """Share of outcomes inside the central ``level`` interval of Monte Carlo forecasts, and its mean width."""
    ok = ~np.isnan(outcome) & ~np.isnan(draws).any(axis=0)
    if not ok.any():
        return {"n": 0, "share": None, "width": None}
    lo, hi = np.quantile(draws[:, ok], [(1 - level) / 2, (1 + level) / 2], axis=0)
    inside = (lo <= outcome[ok]) & (outcome[ok] <= hi)
    return {"n": int(ok.sum()), "share": float(inside.mean()), "width": float(np.mean(hi - lo))}


# -- cross-validation --------------------------------------------------------------------------


def proposal_folds(proposals: Sequence[str], k: int = 10, seed: int | None = 0) -> list[np.ndarray]:
    """k test masks that split whole proposals at random (each proposal in exactly one fold)."""
    labels = np.unique(np.asarray(proposals))
    order = np.random.default_rng(seed).permutation(labels)
    return [np.isin(proposals, order[f::k]) for f in range(k)]


def conformal_halfwidth(abs_error: np.ndarray, level: float) -> float:
    """The split-conformal half-width: the ceil((n + 1) level)-th smallest absolute error, so that
    a new error is at most it with probability >= level (Vovk et al. 2005; Lei et al. 2018)."""
    e = np.sort(abs_error[~np.isnan(abs_error)])
    rank = math.ceil((len(e) + 1) * level)
    return float(e[min(rank, len(e)) - 1])


def cross_validate(data: DeuData, k: int = 10, repeats: int = 20, seed: int | None = 0, *, workers: int = 1,
                   scheduler: str | None = None, pool: Executor | None = None) -> dict[str, Any]:
    """The ``accord`` forecaster under proposal-grouped k-fold cross-validation, repeated.

    Its point forecast has no fitted parameter, so its cross-validated MAE equals the MAE;
    its interval half-widths are fitted on the training folds and scored on the test fold.
    """
    from .models.accord import Accord

    fc = forecast(data, "accord", seed=seed, workers=workers, scheduler=scheduler, pool=pool)
    outcome = outcomes(data)
    ok = ~np.isnan(outcome) & ~np.isnan(fc.value)
    error = np.abs(fc.value - outcome)[ok]
    proposals = np.array([i.proposal for i in data.issues])[ok]
    inside = {level: [] for level in LEVELS}
    width = {level: [] for level in LEVELS}
    for r in range(repeats):
        for level in LEVELS:
            hits, widths = np.empty(len(error), bool), np.empty(len(error))
            for test in proposal_folds(proposals, k, None if seed is None else seed + r):
                h = conformal_halfwidth(error[~test], level)
                hits[test], widths[test] = error[test] <= h, 2 * h
            inside[level].append(hits.mean())
            width[level].append(widths.mean())
    return {"folds": k, "repeats": repeats, "n": int(ok.sum()), "mae": float(error.mean()),
            "coverage": {f"{level:g}": float(np.mean(inside[level])) for level in LEVELS},
            "width": {f"{level:g}": float(np.mean(width[level])) for level in LEVELS},
            "frozen": {f"{level:g}": 2 * 100 * Accord.HALF_WIDTH[level] for level in LEVELS}}


def outcomes(data: DeuData) -> np.ndarray:
    return np.array([np.nan if i.outcome is None else i.outcome for i in data.issues])


# -- the backtest ------------------------------------------------------------------------------


def backtest(data: DeuData, models: Sequence[str], params: dict[str, dict[str, Any]] | None = None,
             seed: int | None = 0, samples: int = 0, progress: Callable[[int, int], None] | None = None, *,
             workers: int = 1, scheduler: str | None = None) -> dict[str, Any]:
    """Score each model on the data; the JSON document of ``accord backtest`` (with the ``accord``
    forecaster's cross-validation when it is among the models).

    Every model's forecasts of every proposal are one experiment (:func:`forecast`), run on
    ``workers`` local processes or the Dask cluster at ``scheduler`` with the same result;
    ``progress(done, total)`` counts forecasts of issues.

    >>> from pathlib import Path
    >>> from accord.io.deu import read_deu
    >>> data = read_deu(Path(__file__).parents[2] / "data" / "deu3" / "deu3-dev.csv")
    >>> doc = backtest(data, ["median"])
    >>> doc["models"][0]["model"], doc["models"][0]["n"]
    ('median', 241)
    """
    params = params or {}
    outcome = outcomes(data)
    proposal = np.array([i.proposal for i in data.issues])
    groups = {"procedure": np.array([i.procedure for i in data.issues]),
              "rule": np.array([i.rule for i in data.issues])}
    names = list(dict.fromkeys(["mean", *models]))  # the baseline always runs
    with pooled(workers, scheduler) as pool:
        runs = dict(zip(names, _forecasts(data, [(name, params.get(name)) for name in names], seed, samples,
                                          pool=pool, progress=progress)))
        cv = cross_validate(data, seed=seed, pool=pool) if "accord" in models else None
    base_error = np.abs(runs["mean"].value - outcome)
    entries = []
    for name in models:
        fc = runs[name]
        error = fc.value - outcome
        entry: dict[str, Any] = {"model": name, **scores(error)}
        paired = ~np.isnan(error) & ~np.isnan(base_error)
        diff = (np.abs(error) - base_error)[paired]
        entry["delta_vs_mean"] = float(diff.mean()) if diff.size else None
        entry["ci_low"], entry["ci_high"] = (cluster_bootstrap(diff, proposal[paired], seed=seed)
                                             if diff.size else (None, None))
        for key, labels in groups.items():
            entry[f"by_{key}"] = {g: scores(np.where(labels == g, error, np.nan))
                                  for g in sorted(set(labels.tolist()))}
        if fc.draws is not None:
            entry["coverage"] = {f"{level:g}": coverage(fc.draws, outcome, level) for level in LEVELS}
        entry["unscored"] = _unscored(fc, outcome, data)
        entries.append(entry)
    doc = {
        "data": {"file": data.path.name, "sha256": hashlib.sha256(data.path.read_bytes()).hexdigest(),
                 "capabilities": data.capabilities, "issues": len(data.issues),
                 "proposals": len(set(proposal.tolist())), "with_outcome": int((~np.isnan(outcome)).sum())},
        "seed": seed, "samples": samples, "bootstrap": BOOTSTRAP, "version": __version__,
        "models": entries,
    }
    if cv is not None:
        doc["cross_validation"] = cv
    return doc


def _unscored(fc: Forecasts, outcome: np.ndarray, data: DeuData) -> dict[str, Any]:
    """How many issues with an outcome the model did not forecast, with the first reasons."""
    missing = [i.issue for i, y, f in zip(data.issues, outcome, fc.value) if not np.isnan(y) and np.isnan(f)]
    return {"issues": len(missing), "examples": [{"issue": k, "reason": fc.reasons[k]} for k in missing[:3]],
            "proposals_together": len(fc.together)}
