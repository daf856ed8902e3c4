"""Advice: what one actor has at stake on each issue, and what it can do to move the outcome.

The practical use of the expected utility model is advice: given the forecast, what can a
party do to get a better outcome (Bueno de Mesquita 2002, *Predicting Politics*, ch. 3; 2009,
*The Predictioneer's Game*, ch. 4-6)? :func:`advise` answers for one actor ``a``.

**Utility.** On issue i with scale range r_i, a at position x_i with salience s_i values an
outcome f_i at ``-s_i |x_i - f_i| / r_i`` (symmetric, single-peaked, linear loss: the
convention of the models' own utilities); over the issues, ``U_a(f) = -sum_i s_i |x_i - f_i| / r_i``.
Position and salience are a's *true* ones: a lever that changes what a states (its position,
its commitment) is valued with what a wants, not with what it says.

**Stakes.** Per issue: the loss if the forecast holds, ``s_i |x_i - f_i| / r_i``; the loss at
the status quo q_i, ``s_i |x_i - q_i| / r_i``; and their difference, what the forecast gains a
over the status quo. Each comes with the claims behind x_i, s_i and q_i.

**Levers.** Each lever is a what-if on a's inputs or another actor's, run again through the
models (:func:`accord.experiment.solve_samples`); its **gain** is ``U_a(f') - U_a(f)``, f' the
forecast with the lever pulled, f without, on the same draw of the evidence:

* ``position``: a states a position ``step`` of the scale up or down on one issue;
* ``salience``: a raises or lowers its salience (its commitment) by ``step``;
* ``persuade``: another actor b moves ``step`` of the scale toward a's position;
* ``coalition``: a and a partner b both move ``step`` of the scale in the direction that
  takes the forecast toward a (from the models' mean forecast to a's position);
* ``veto``: where the issue's decision rule (:mod:`accord.institutions`) makes a a veto
  player (or the decider) and the issue has a status quo, a blocks: the outcome is the status
  quo, the floor a can enforce. Its gain is ``s_i (|x_i - f_i| - |x_i - q_i|) / r_i``; a
  threat to veto is credible when that gain is positive. Nothing is re-run: blocking leaves q.

**Gain per unit of change** is the gain divided by the lever's size: the moves it makes as
shares of their scale (a position move of 10 on a 0-100 scale is 0.1; two actors moving 0.1
each is 0.2; a salience change of 0.1 is 0.1, salience being on [0, 1]); a veto is a discrete
act counted as one unit. A move that would leave the scale stops at its end and is measured
as made (a lever with no room in a sample gains nothing there). Levers are ranked by the
expected gain per unit over the Monte Carlo draws of the evidence (:mod:`accord.uncertainty`;
all levers on the same draws), averaged over the models; the interval is the 5%-95% range
over the draws. On the weighted mean the gain per unit of moving actor b toward a is b's
weight share ``c_b s_b / sum c s`` (times a's salience): persuading the heaviest actor pays
most, and an actor at the forecast gains nothing by moving.

**Robustness.** The levers are designed once, on the consensus, and pulled under every
source's reading (:func:`accord.experiment.readings`) and every model: a lever whose expected
gain is positive under one model or reading and negative under another is flagged as mixed,
naming where it helps and where it hurts.

**Reach** ("how far"): on the point values, a's best own move on each issue (a grid of tenths
of the scale each way) and, for each actor worth persuading, the smallest move toward a's
position that gives a the most (a grid of tenths of the distance between them).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import NotApplicable, UsageError
from .experiment import CONSENSUS, evaluate, readings, sample, solve_samples
from .experiment import one_issue as _one_issue
from .models import Model, applicable, get_model
from .models._jit import PLANNED
from .scenario import Estimate, Inputs, Scenario
from .uncertainty import Draws

__all__ = ["DEFAULT_MODELS", "Advice", "Lever", "advise", "design"]

#: The models advice runs by default: the weighted mean (the baseline forecast), the weighted
#: median and the expected utility model. The exchange model (about 40 ms a run on Korea) and
#: SMP are left out for speed: every lever is a batch of runs; name them with ``models``.
DEFAULT_MODELS = ("mean", "median", "eum")
STEP = 0.1  # a lever's move: a tenth of the scale, or 0.1 of salience
TOL = 1e-9  # a gain this small is no gain
KINDS = ("position", "salience", "persuade", "coalition", "veto")
REACH_STEPS = 10


@dataclass(frozen=True)
class Lever:
    """One lever: ``moves`` are (what, actor index, issue index, signed change) with positions'
    changes as shares of the scale; a veto has no moves (its issue's outcome is the status quo)."""

    key: str
    kind: str
    issue: str
    partner: str | None
    direction: int
    label: str
    moves: tuple[tuple[str, int, int, float], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"lever": self.key, "kind": self.kind, "issue": self.issue, "partner": self.partner,
                "direction": self.direction, "label": self.label}


def _vetoes(inputs: Inputs, a: int, i: int) -> bool:
    rule = inputs.rules[i] if i < len(inputs.rules) else None
    if rule is None or not np.isfinite(inputs.reference[i]):
        return False
    actor = inputs.actors[a]
    return actor in rule.vetoes or rule.decider == actor


def design(inputs: Inputs, a: int, forecast: np.ndarray, step: float = STEP) -> list[Lever]:
    """The levers of actor ``a`` (index) on these inputs, ``forecast`` the models' mean point
    forecast per issue (for the coalitions' direction).

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1], actors=["A", "B"])
    >>> [lev.key for lev in design(sc.inputs(), 0, np.array([50.0]))]
    ['position:i0:+', 'position:i0:-', 'salience:i0:+', 'salience:i0:-', 'persuade:i0:B', 'coalition:i0:B']
    """
    out: list[Lever] = []
    x, s = inputs.position, inputs.salience
    word = {1: "up", -1: "down"}
    for i, issue in enumerate(inputs.issues):
        if np.isnan(x[a, i]):
            continue
        lo, hi = inputs.scale_min[i], inputs.scale_max[i]
        points = step * (hi - lo)
        for d in (1, -1):
            if (x[a, i] < hi) if d > 0 else (x[a, i] > lo):
                out.append(Lever(f"position:{issue}:{'+' if d > 0 else '-'}", "position", issue, None, d,
                                 f"state own position {points:g} {word[d]} on {issue}",
                                 (("position", a, i, d * step),)))
        for d in (1, -1):
            if (s[a, i] < 1) if d > 0 else (s[a, i] > 0):
                out.append(Lever(f"salience:{issue}:{'+' if d > 0 else '-'}", "salience", issue, None, d,
                                 f"{'raise' if d > 0 else 'lower'} own salience on {issue} by {step:g}",
                                 (("salience", a, i, d * step),)))
        for b, other in enumerate(inputs.actors):
            if b == a or np.isnan(x[b, i]) or x[b, i] == x[a, i]:
                continue
            d = 1 if x[a, i] > x[b, i] else -1
            out.append(Lever(f"persuade:{issue}:{other}", "persuade", issue, other, d,
                             f"persuade {other} to move {points:g} {word[d]} on {issue}, toward {x[a, i]:.4g}",
                             (("position", b, i, d * step),)))
        toward = np.sign(x[a, i] - forecast[i])  # NaN where no model forecasts the issue: no direction
        if np.isfinite(toward) and toward:
            d = int(toward)
            for b, other in enumerate(inputs.actors):
                if b != a and not np.isnan(x[b, i]):
                    out.append(Lever(f"coalition:{issue}:{other}", "coalition", issue, other, d,
                                     f"with {other}, both move {points:g} {word[d]} on {issue}",
                                     (("position", a, i, d * step), ("position", b, i, d * step))))
        if _vetoes(inputs, a, i):
            out.append(Lever(f"veto:{issue}", "veto", issue, None, 0,
                             f"veto on {issue}: block, keep the status quo {inputs.reference[i]:.4g}"))
    return out


def _reach_design(inputs: Inputs, a: int, levers: Sequence[Lever]) -> list[tuple[str, float, tuple]]:
    """(lever key, move as a share of the scale, moves) of the reach grid, on the point values."""
    out = []
    x = inputs.position
    for lev in levers:
        i = inputs.issues.index(lev.issue)
        span = inputs.scale_max[i] - inputs.scale_min[i]
        if lev.kind == "position":
            for k in range(1, REACH_STEPS + 1):
                out.append((lev.key, k / REACH_STEPS, (("position", a, i, lev.direction * k / REACH_STEPS),)))
        elif lev.kind == "persuade":
            b = inputs.actors.index(lev.partner)
            gap = abs(x[a, i] - x[b, i]) / span
            for k in range(1, REACH_STEPS + 1):
                move = gap * k / REACH_STEPS
                out.append((lev.key, move, (("position", b, i, lev.direction * move),)))
    return out


FIELDS = ("position", "salience", "capability", "reference")


def _pull(draws: Draws, base: Inputs, variants: Sequence[tuple]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The draws' arrays with each variant's moves made (variants x samples x ...), and each
    variant's size per sample (the moves made, as shares of their scale)."""
    n = len(draws)
    span = base.scale_max - base.scale_min
    arrays = {f: np.repeat(getattr(draws, f)[None], len(variants), axis=0) for f in FIELDS}
    size = np.zeros((len(variants), n))
    for v, moves in enumerate(variants):
        for what, actor, i, change in moves:
            cell = arrays[what][v, :, actor, i]
            if what == "position":
                moved = np.clip(cell + change * span[i], base.scale_min[i], base.scale_max[i])
                size[v] += np.abs(moved - cell) / span[i]
            else:
                moved = np.clip(cell + change, 0.0, 1.0)
                size[v] += np.abs(moved - cell)
            arrays[what][v, :, actor, i] = moved
    return arrays, size


def _solve(model: Model, base: Inputs, arrays: dict[str, np.ndarray], touched: Sequence[set[int]],
           seed: int | None, refused: Collection[int] = ()) -> np.ndarray:
    """Forecasts (variants x samples x issues) of the pulled arrays (variant 0: no lever); NaN
    for the variants ``refused`` (inputs the model does not take).

    A model that forecasts issue by issue (:attr:`~accord.models.Model.issue_by_issue`) solves,
    for each variant, only the issues its moves touch; the others keep variant 0's forecasts.
    The models are told the size of the whole design (:data:`accord.models._jit.PLANNED`), which
    its batches, one issue at a time, do not show: a speed hint, never a change of number.
    """
    planned = PLANNED.set(max(PLANNED.get() or 0, int(np.prod(arrays["position"].shape[:2]))))
    try:
        return _solve_design(model, base, arrays, touched, seed, refused)
    finally:
        PLANNED.reset(planned)


def _solve_design(model: Model, base: Inputs, arrays: dict[str, np.ndarray], touched: Sequence[set[int]],
                  seed: int | None, refused: Collection[int]) -> np.ndarray:
    n_v, n_s = arrays["position"].shape[:2]
    keep = [v for v in range(n_v) if v not in refused]

    def flat(rows: list[int], cols: list[int] | None = None) -> Draws:
        parts = []
        for f in FIELDS:
            arr = arrays[f][rows]  # (rows, samples, ...)
            arr = arr if cols is None else arr[..., cols]
            parts.append(arr.reshape(-1, *arr.shape[2:]))
        return Draws(*parts)

    if not model.issue_by_issue:
        out = np.full((n_v, n_s, len(base.issues)), np.nan)
        out[keep] = solve_samples(model, base, flat(keep), seed).reshape(len(keep), n_s, -1)
        return out
    out = np.repeat(solve_samples(model, base, flat([0]), seed)[None], n_v, axis=0)
    out[sorted(refused)] = np.nan
    for i in range(len(base.issues)):
        rows = [v for v in keep[1:] if i in touched[v]]
        if rows:
            out[rows, :, i] = solve_samples(model, _one_issue(base, i), flat(rows, [i]), seed).reshape(len(rows), n_s)
    return out


def _point(base: Inputs) -> Draws:
    return Draws(base.position[None].copy(), base.salience[None].copy(), base.capability[None].copy(),
                 base.reference[None].copy())


def _solve_reading(scenario: Scenario, a: int, specs: Sequence[tuple[str, dict]], levers: Sequence[Lever],
                   samples: int, seed: int | None) -> dict[str, Any]:
    """One reading's job: every lever (and the reach grid) on the point values and on the draws,
    by every model; the forecasts (variants x samples x issues) and a's true preferences."""
    base = scenario.inputs()
    point = _point(base)
    draws = sample(scenario, samples, seed, key=(0,)) if samples else point  # as a forecast's first batch
    variants = [()] + [lev.moves for lev in levers]
    reach = _reach_design(base, a, levers)
    point_variants = variants + [m for _, _, m in reach]
    on_point, size_point = _pull(point, base, point_variants)
    on_draws, size = _pull(draws, base, variants)
    touched = [{i for _, _, i, _ in moves} for moves in point_variants]
    n_v = len(variants)
    out: dict[str, Any] = {"forecasts": {}, "point": {}, "size": size, "size_point": size_point[:n_v, 0],
                           "reach": [(k, m) for k, m, _ in reach],
                           "x": draws.position[:, a], "s": draws.salience[:, a], "q": draws.reference,
                           "x0": base.position[a], "s0": base.salience[a], "q0": base.reference}
    out["refused"], out["refused_levers"] = {}, {}
    for name, params in specs:
        model = get_model(name)(**params)
        # A model that reads saliences as shares of attention cannot take a raise past a sum of 1.
        refused = {v for v, lev in enumerate(levers, start=1) if model.needs_salience_shares
                   and lev.kind == "salience" and lev.direction > 0
                   and any((arr["salience"][v, :, a].sum(axis=-1) > 1 + 1e-9).any() for arr in (on_point, on_draws))}
        out["refused_levers"][name] = sorted(levers[v - 1].key for v in refused)
        try:
            point_forecasts = _solve(model, base, on_point, touched, seed, refused)[:, 0]
            out["forecasts"][name] = _solve(model, base, on_draws, touched[:n_v], seed, refused)
        except NotApplicable as exc:  # what the model refuses in the draws themselves
            out["refused"][name] = str(exc)
            continue
        out["point"][name] = point_forecasts
    return out


def _loss(x: np.ndarray, s: np.ndarray, f: np.ndarray, span: np.ndarray) -> np.ndarray:
    """a's loss per issue at outcome f: s |x - f| / range; 0 where a takes no part, NaN where
    there is no outcome (a model that gives no forecast)."""
    return np.where(np.isnan(x), 0.0, s * np.abs(x - f) / span)


def _gain(x: np.ndarray, s: np.ndarray, before: np.ndarray, after: np.ndarray, span: np.ndarray) -> np.ndarray:
    """U_a(after) - U_a(before), summed over the issues (an issue without an outcome on either
    side counts nothing); gains within rounding of zero are zero."""
    gain = np.nansum(_loss(x, s, before, span) - _loss(x, s, after, span), axis=-1)
    return np.where(np.abs(gain) < TOL, 0.0, gain)


def _summary(values: np.ndarray) -> dict[str, float | None]:
    """Mean and 5%, 95% quantiles (None where there is no value: no outcome in any draw)."""
    if np.isnan(values).all():
        return {"mean": None, "q05": None, "q95": None}
    q05, q95 = np.nanquantile(values, [0.05, 0.95])
    return {"mean": float(np.nanmean(values)), "q05": float(q05), "q95": float(q95)}


def _number(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


@dataclass
class Advice:
    """What :func:`advise` finds for one actor (see the module): stakes per reading, model and
    issue; every lever under every reading and model; the ranking per reading; the reach."""

    actor: str
    name: str
    models: list[str]
    skipped: list[dict[str, str]]
    samples: int
    seed: int | None
    step: float
    readings: list[str]
    levers: list[Lever]
    stakes: list[dict[str, Any]] = field(default_factory=list)
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    ranking: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reach: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)

    def best(self, reading: str = CONSENSUS, n: int = 5) -> list[dict[str, Any]]:
        """The ``n`` best levers under a reading (ranked by the models' mean expected gain per unit)."""
        return self.ranking[reading][:n]

    def to_json(self) -> dict[str, Any]:
        return {"actor": self.actor, "name": self.name, "models": self.models, "skipped": self.skipped,
                "samples": self.samples, "seed": self.seed, "step": self.step, "readings": self.readings,
                "utility": "U_a(f) = -sum_i s_i |x_i - f_i| / range_i; gain = U_a(f') - U_a(f); per unit: gain / "
                           "lever size (moves as shares of their scale; a veto counts 1)",
                "evidence": self.evidence, "stakes": self.stakes, "levers": [lev.to_json() for lev in self.levers],
                "evaluations": self.evaluations, "ranking": self.ranking, "reach": self.reach}


def _evidence(est: Estimate | None, assumption: str | None) -> dict[str, Any] | None:
    if est is None:
        return None
    return {"value": est.point,
            "claims": [{"source": c.source, "value": c.point, "quote": c.quote, **({"note": c.note} if c.note else {})}
                       for c in est.claims],
            "assumption": est.assumption or (assumption if not est.claims else None)}


def evidence_of(scenario: Scenario, actor: str) -> dict[str, dict[str, Any]]:
    """Per issue the actor takes part in: the claims (or assumption) behind its position, its
    salience and the issue's status quo."""
    who = scenario.actor(actor)
    return {issue.id: {"position": _evidence(who.issues[issue.id].position, scenario.assumption),
                       "salience": _evidence(who.issues[issue.id].salience, scenario.assumption),
                       "status_quo": _evidence(issue.reference, scenario.assumption)}
            for issue in scenario.issues if issue.id in who.issues}


def _models(scenario: Scenario, models: Sequence[str] | None, params: dict[str, dict] | None
            ) -> tuple[list[tuple[str, dict]], list[dict[str, str]]]:
    """The models to run (named ones must apply; of the defaults, those that do) and the skipped."""
    params = params or {}
    names = list(models) if models else list(DEFAULT_MODELS)
    reasons = applicable([get_model(n)(**params.get(n, {})) for n in names], scenario)
    if models:
        refused = [why for why in reasons.values() if why]
        if refused:
            raise NotApplicable("; ".join(refused))
    specs = [(n, params.get(n, {})) for n in names if reasons[n] is None]
    if not specs:
        raise NotApplicable("no model can take the scenario: " + "; ".join(w for w in reasons.values() if w))
    return specs, [{"model": n, "reason": w} for n, w in reasons.items() if w]


def check_actor(scenario: Scenario, actor: str) -> None:
    """A UsageError naming the actors allowed, unless ``actor`` is one."""
    if actor not in scenario.actor_ids:
        raise UsageError(f"unknown actor `{actor}`; the scenario's actors: {', '.join(scenario.actor_ids)}")


def advise(scenario: Scenario, actor: str, models: Sequence[str] | None = None,
           params: dict[str, dict[str, Any]] | None = None, samples: int = 100, seed: int | None = 0,
           step: float = STEP, *, workers: int = 1, scheduler: str | None = None,
           progress: Callable[[int, int], None] | None = None) -> Advice:
    """What ``actor`` has at stake and its levers, ranked (see the module).

    The levers are designed on the consensus and run under every reading, one job per reading
    (:func:`accord.experiment.evaluate`, on ``workers`` processes or a Dask ``scheduler``; the
    same result whatever runs it); ``samples`` draws of the evidence per reading, from ``seed``
    (0: the point values only). ``progress(done, total)`` counts readings.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [100.0], [40.0]], [[0.5], [0.5], [0.5]], [1, 3, 1],
    ...                         actors=["A", "B", "C"])
    >>> advice = advise(sc, "A", ["mean"], samples=0)
    >>> [(row["lever"], round(row["score"], 3)) for row in advice.best(n=2)]
    [('persuade:i0:B', 0.3), ('coalition:i0:B', 0.2)]
    """
    check_actor(scenario, actor)
    if not 0 < step <= 1:
        raise UsageError(f"step {step:g}: a lever's move is a share of the scale in (0, 1]")
    if samples < 0:
        raise UsageError(f"samples {samples}: give 0 (point values only) or more")
    specs, skipped = _models(scenario, models, params)
    a = scenario.actor_ids.index(actor)
    base = scenario.inputs()
    point = _point(base)
    forecasts = np.array([solve_samples(get_model(n)(**p), base, point, seed)[0] for n, p in specs])
    given = (~np.isnan(forecasts)).sum(axis=0)  # an issue no model forecasts has no mean (NaN)
    mean_forecast = np.divide(np.nansum(forecasts, axis=0), given, out=np.full(given.shape, np.nan), where=given > 0)
    levers = design(base, a, mean_forecast, step)
    design_readings = readings(scenario)
    names = list(design_readings)
    jobs = [(design_readings[r], a, specs, levers, samples, seed) for r in names]
    solved = evaluate(_solve_reading, jobs, workers=workers, scheduler=scheduler, progress=progress)
    advice = Advice(actor, scenario.actor(actor).name or actor, [n for n, _ in specs], skipped, samples, seed, step,
                    names, levers, evidence=evidence_of(scenario, actor))
    for reading, out in zip(names, solved):
        advice.skipped += [{"model": m, "reason": f"under the reading {reading}: {why}"}
                           for m, why in out["refused"].items()]
        advice.skipped += [{"model": m, "reason": f"under the reading {reading}, not for the levers {', '.join(keys)}: "
                                                  "it reads saliences as shares of attention, and the raise takes "
                                                  "their sum past 1"}
                           for m, keys in out["refused_levers"].items() if keys]
        _analyse(advice, base, reading, out)
    _flag(advice)
    return advice


def _analyse(advice: Advice, base: Inputs, reading: str, out: dict[str, Any]) -> None:
    """Stakes, lever evaluations, ranking and reach of one reading, into ``advice``."""
    span = base.scale_max - base.scale_min
    x, s, q = out["x"], out["s"], out["q"]
    present = ~np.isnan(out["x0"])
    scores: dict[str, list[float]] = {}
    signs: dict[str, dict[str, float]] = {}
    for model, forecasts in out["forecasts"].items():
        f0 = forecasts[0]
        loss0 = _loss(x, s, f0, span)
        loss_sq = _loss(x, s, q, span)
        for i, issue in enumerate(base.issues):
            if not present[i]:
                continue
            row = {"reading": reading, "model": model, "issue": issue, "position": float(out["x0"][i]),
                   "salience": float(out["s0"][i]),
                   "status_quo": None if np.isnan(out["q0"][i]) else float(out["q0"][i]),
                   "forecast": _number(out["point"][model][0, i]), "forecast_samples": _summary(f0[:, i]),
                   "loss_at_forecast": _summary(loss0[:, i])}
            if row["status_quo"] is not None:
                row["loss_at_status_quo"] = _summary(loss_sq[:, i])
                row["forecast_over_status_quo"] = _summary(loss_sq[:, i] - loss0[:, i])
            advice.stakes.append(row)
        p0 = out["point"][model][0]
        for v, lev in enumerate(advice.levers, start=1):
            if lev.key in out["refused_levers"].get(model, ()):
                continue
            if lev.kind == "veto":
                i = base.issues.index(lev.issue)
                fv = f0.copy()
                fv[:, i] = q[:, i]
                size = np.ones(len(f0))
                pv = p0.copy()
                pv[i] = out["q0"][i]
                size_point = 1.0
            else:
                fv, size, pv, size_point = forecasts[v], out["size"][v], out["point"][model][v], out["size_point"][v]
            gain = _gain(x, s, f0, fv, span)
            per_unit = np.divide(gain, size, out=np.zeros_like(gain), where=size > 0)
            point_gain = float(_gain(out["x0"], out["s0"], p0, pv, span))
            advice.evaluations.append({
                "reading": reading, "model": model, "lever": lev.key, "gain": _summary(gain),
                "per_unit": _summary(per_unit), "helps": float((gain > 0).mean()), "hurts": float((gain < 0).mean()),
                "point_gain": point_gain, "point_per_unit": point_gain / size_point if size_point else 0.0})
            scores.setdefault(lev.key, []).append(float(per_unit.mean()))
            signs.setdefault(lev.key, {})[model] = float(per_unit.mean())
        _reach(advice, reading, model, out, p0, span)
    if not scores:  # every model refused this reading's levers (said in ``skipped``)
        advice.ranking[reading] = []
        return
    ranked = sorted((lev for lev in advice.levers if lev.key in scores),
                    key=lambda lev: -float(np.mean(scores[lev.key])))
    advice.ranking[reading] = [{"lever": lev.key, "label": lev.label, "kind": lev.kind,
                                "score": float(np.mean(scores[lev.key])),
                                "helps_under": [m for m, g in signs[lev.key].items() if g > TOL],
                                "hurts_under": [m for m, g in signs[lev.key].items() if g < -TOL]}
                               for lev in ranked]


def _reach(advice: Advice, reading: str, model: str, out: dict[str, Any], p0: np.ndarray, span: np.ndarray) -> None:
    """How far: per lever of the reach grid, the smallest move giving a the most (point values)."""
    n_v = len(advice.levers) + 1
    best: dict[str, tuple[float, float]] = {}
    for k, (key, move) in enumerate(out["reach"]):
        gain = float(_gain(out["x0"], out["s0"], p0, out["point"][model][n_v + k], span))
        if key not in best or gain > best[key][1] + TOL:
            best[key] = (move, float(gain))
    for key, (move, gain) in best.items():
        advice.reach.append({"reading": reading, "model": model, "lever": key, "move": move, "gain": gain})


def _flag(advice: Advice) -> None:
    """Mark each ranked lever robust or mixed over every model and reading evaluated so far."""
    by_lever: dict[str, list[tuple[str, str, float]]] = {}
    for e in advice.evaluations:
        by_lever.setdefault(e["lever"], []).append((e["reading"], e["model"], e["per_unit"]["mean"]))
    for rows in advice.ranking.values():
        for row in rows:
            seen = by_lever[row["lever"]]
            helps = [f"{m} ({r})" for r, m, g in seen if g > TOL]
            hurts = [f"{m} ({r})" for r, m, g in seen if g < -TOL]
            row["robust"] = not (helps and hurts)
            row["mixed"] = {"helps": helps, "hurts": hurts} if helps and hurts else None
