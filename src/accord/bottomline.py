"""The bottom line of a forecast: per issue, which number to believe, where the models part, and
whether the forecasts can be trusted to stay put.

**The recommended forecast.** When the ``accord`` model was run, its point forecast with its
80% interval: on the DEU III development split no model beats the compromise model's mean
error, and its split-conformal intervals hold 80.0% of the outcomes under cross-validation,
while the models' Monte Carlo intervals over their inputs are far too narrow for real
outcomes (the Backtests guide; Achen 2006; Vovk et al. 2005). Otherwise the median of the
models' forecasts, with their range as the interval, which is no calibrated interval.

**Degenerate results are not forecasts.** A model that stays at the reference point because
no outcome leaves all actors better off (the Nash solution's deadlock, Nash 1950) or that
gives no number is shown as such, and is left out of the recommendation and the spread.

**Agreement.** The models agree when their forecasts lie within :data:`AGREE` of the scale;
a model is an outlier when it lies further than that from the models' median and fewer than
half the models do.

**Instability.** A local sensitivity (Saltelli et al. 2008, ch. 1): every model is re-run
with each actor's position moved by :data:`STEP` of the scale down and up, one at a time;
a forecast is *unstable* when such a move shifts it by more than :data:`UNSTABLE` of the
scale (a small change of the evidence moves it by much), or when its Monte Carlo median
lies further than that from the point forecast. The moves are the positions only (the input
the sources disagree on most, and the one a what-if edits), and a model with a batched form
solves all of them at once (:func:`accord.experiment.solve_all`). The models of
:data:`SLOW` (no batched form, issues coupled, so every move is a full run) are left out
unless asked for, and the bottom line says so.

**Institutions: the status quo can weigh more than any model.** Where the issue's decision
rule was analysed (:func:`status_quo`, from :mod:`accord.institutions`), the recommendation
respects it: when the win set of the status quo is empty (deadlock: no winning coalition
prefers any other point; Tsebelis 2002, ch. 1) the recommended forecast *is* the status quo,
and the models' recommendation is kept beside it as what to expect if the lock breaks; when
the win set is not empty, the recommended point is clipped into its closure, and its interval
into the span of the win set and the status quo (the only outcomes the rule allows), saying
so when that changed it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from .experiment import Progress, model_key, one_issue, solve_all
from .institutions import analyse
from .models import Model, Result, get_model
from .models._cache import ContentCache
from .scenario import Inputs, Scenario

RECOMMENDED = "accord"  # the model whose point and calibrated interval are recommended
LEVEL = 0.8  # the level of its interval shown
STEP = 0.02  # a position's move, as a share of the scale
UNSTABLE = 0.10  # a forecast's shift, as a share of the scale, that makes it unstable
AGREE = 0.10  # the spread, as a share of the scale, within which models agree

#: Models left out of the stability check unless asked for: no batched form and issues coupled
#: (each of the 2 x actors x issues moves is a full run; on Korea about 3 s for exchange alone).
SLOW = frozenset({"exchange"})


@dataclass(frozen=True)
class StatusQuo:
    """What an issue's decision rule makes of its reference point (:mod:`accord.institutions`):
    ``win_set``, the open intervals of the points some winning coalition prefers to it (empty:
    deadlock), and ``locked_by``, who locks it there when the win set is empty."""

    reference: float
    win_set: tuple[tuple[float, float], ...]
    locked_by: tuple[str, ...] = ()

    @property
    def locked(self) -> bool:
        return not self.win_set


#: Per issue id, its status quo under the decision rule; an issue absent was not analysed.
Institutional = Callable[[Scenario], Mapping[str, StatusQuo]]


def status_quo(scenario: Scenario) -> dict[str, StatusQuo]:
    """Per issue with a decision rule and a reference point, its :class:`StatusQuo`
    (:func:`accord.institutions.analyse` and :func:`accord.institutions.locked_by`).

    >>> import accord
    >>> status_quo(accord.read_scenario("scenarios/korea-2018.yaml").scenario)["sanctions"]
    StatusQuo(reference=20.0, win_set=(), locked_by=('USA',))
    """
    inputs = scenario.inputs()
    out = {}
    for i, issue in enumerate(inputs.issues):
        alone = one_issue(inputs, i)  # all the analysis reads: an edit elsewhere leaves it as it was
        found = _STATUS_QUO.get(alone.digest, lambda alone=alone: _status_quo(alone))
        if found is not None:
            out[issue] = found
    return out


#: Each issue's :class:`StatusQuo` by the content of its inputs (:meth:`~accord.scenario.Inputs.digest`).
_STATUS_QUO = ContentCache(1024)


def _status_quo(alone: Inputs) -> StatusQuo | None:
    """The status quo of a one-issue input; None if it has no rule or no reference point (not
    analysed, as in :func:`accord.institutions.locked_by`)."""
    try:
        inst = analyse(alone, 0)
    except ValueError:
        return None
    return StatusQuo(float(alone.reference[0]), inst.win_set.parts, inst.locked_by)


@dataclass(frozen=True)
class Shift:
    """The largest shift of a model's forecast of ``issue`` when one position moves by ``step``
    (signed, in the scale's units): ``actor``'s position on ``moved``."""

    model: str
    issue: str
    actor: str
    moved: str
    step: float
    shift: float
    share: float  # shift / the issue's scale width


@dataclass(frozen=True)
class ModelPoint:
    """One model's forecast of an issue as the bottom line tables it: ``status`` is "forecast",
    "deadlock" or "no forecast" (``value`` then None), ``why`` says why in one line."""

    model: str
    value: float | None
    status: str = "forecast"
    why: str = ""


@dataclass(frozen=True)
class IssueBottomLine:
    issue: str
    label: str
    recommended: float | None
    low: float | None
    high: float | None
    basis: str  # how the recommendation was made, in one line
    models: list[ModelPoint]
    spread: tuple[float, float] | None  # lowest and highest forecast of the models tabled
    agree: bool
    outliers: list[ModelPoint] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    locked_by: tuple[str, ...] | None = None  # None: not analysed; (): not locked
    status_quo: float | None = None
    win_set: tuple[tuple[float, float], ...] | None = None  # None: not analysed; (): deadlock
    #: The models' recommendation (value, low, high) when the institutions changed it: locked, or clipped.
    unconstrained: tuple[float | None, float | None, float | None] | None = None
    constraint: str = ""  # what the decision rule made of the recommendation, in one line
    unchecked: tuple[str, ...] = ()  # models left out of the stability check
    unstable: list[dict[str, Any]] = field(default_factory=list)  # the warnings as records (:func:`_unstable`)

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["spread"] = list(self.spread) if self.spread else None
        doc["locked_by"] = list(self.locked_by) if self.locked_by is not None else None
        doc["win_set"] = [list(p) for p in self.win_set] if self.win_set is not None else None
        doc["unconstrained"] = (dict(zip(("value", "low", "high"), self.unconstrained))
                                if self.unconstrained is not None else None)
        doc["unchecked"] = list(self.unchecked)
        return doc


def local_sensitivity(scenario: Scenario, results: Sequence[Result], step: float = STEP, seed: int | None = 0, *,
                      skip: Collection[str] = SLOW, workers: int = 1, scheduler: str | None = None,
                      progress: Progress | None = None) -> list[Shift]:
    """Per model and issue, the largest shift of the forecast when one actor's position moves by
    ``step`` of its scale, down or up (cut to the scale), all else as given. The models named in
    ``skip`` are left out (:data:`SLOW` by default; ``skip=()`` checks every one).

    >>> import accord
    >>> from accord.runner import run_models
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1])
    >>> [(s.model, s.actor, round(s.shift, 2)) for s in local_sensitivity(sc, run_models(sc, ["mean"]))]
    [('mean', 'A0', 1.0)]
    """
    base = scenario.inputs()
    moves = _moves(base, step)
    width = base.scale_max - base.scale_min
    shifts = []
    for result in results:
        if result.model in skip:
            continue
        model = get_model(result.model)(**result.params)
        forecasts = _moved_forecasts(model, base, moves, seed, workers=workers, scheduler=scheduler,
                                     progress=progress)
        moved = np.abs(forecasts[1:] - forecasts[0])  # runs, issues
        for k, issue in enumerate(base.issues):
            if not len(moves) or np.isnan(moved[:, k]).all():
                continue
            j = int(np.nanargmax(moved[:, k]))
            a, i, _, delta = moves[j]
            shifts.append(Shift(result.model, issue, base.actors[a], base.issues[i], delta, float(moved[j, k]),
                                float(moved[j, k] / width[k])))
    return shifts


#: A move of one position: (actor, issue, the position moved to, the change).
Move = tuple[int, int, float, float]


def _moved_forecasts(model: Model, base: Inputs, moves: Sequence[Move], seed: int | None, *,
                     progress: Progress | None = None, **run: Any) -> np.ndarray:
    """Forecasts (1 + moves, issues) of the base and of each move. A model that forecasts issue
    by issue (:attr:`~accord.models.Model.issue_by_issue`) solves each move's issue alone, the
    other issues keeping the base's forecasts: the same numbers, each move solved on one issue
    instead of on all of them. It solves an issue's moves once for their content: an edit to
    one issue (a dashboard's what-if) leaves the others' found (:data:`_ISSUE_RUNS`)."""
    if not model.issue_by_issue:
        design = [_moved(base, a, i, value) for a, i, value, _ in moves]
        return solve_all(model, [base, *design], seed, progress=progress, **run)
    out = np.empty((1 + len(moves), len(base.issues)))
    total, done = len(base.issues) + len(moves), 0
    identity = functools.cache(lambda: model_key(model, seed))  # made once, and only if values are kept
    for i in range(len(base.issues)):
        rows = [j for j, move in enumerate(moves) if move[1] == i]
        alone = one_issue(base, i)
        step = None if progress is None else _after(progress, done, total)

        def solve(alone: Inputs = alone, rows: list[int] = rows, step: Progress | None = step) -> np.ndarray:
            runs = [alone, *(_moved(alone, moves[j][0], 0, moves[j][2]) for j in rows)]
            return solve_all(model, runs, seed, progress=step, **run)[:, 0]

        part = _ISSUE_RUNS.get(lambda alone=alone, rows=rows: (identity(), alone.digest(),
                                                               tuple((moves[j][0], moves[j][2]) for j in rows)),
                               solve)
        if step is not None:
            step(1 + len(rows), 1 + len(rows))  # a part found is done at once (one solved says so twice)
        done += 1 + len(rows)
        out[:, i] = part[0]
        out[[1 + j for j in rows], i] = part[1:]
    return out


#: One issue's forecasts of :func:`_moved_forecasts` by the model, the content of the issue's
#: inputs (:meth:`~accord.scenario.Inputs.digest`) and its moves: kept, not to be changed.
_ISSUE_RUNS = ContentCache(256)


def _after(progress: Progress, done: int, total: int) -> Progress:
    """A part's progress as the whole's: ``done`` runs before it, of ``total``."""
    return lambda k, _: progress(done + k, total)


def _moves(base: Inputs, step: float) -> list[Move]:
    """Each present position moved down and up by ``step`` of its scale (cut to the scale; a move
    that the cut undoes is left out)."""
    actor, issue = np.nonzero(base.present)  # by actor, then issue
    x, lo, hi = base.position[actor, issue], base.scale_min[issue], base.scale_max[issue]
    moved = np.stack([np.clip(x + sign * step * (hi - lo), lo, hi) for sign in (-1, 1)], axis=1)  # down, up
    return [(int(a), int(i), float(m), float(m - v))
            for a, i, v, pair in zip(actor.tolist(), issue.tolist(), x.tolist(), moved.tolist()) for m in pair
            if m != v]


def _moved(inputs: Inputs, actor: int, column: int, value: float) -> Inputs:
    """The inputs with one position (``actor`` on the issue in ``column``) set to ``value``."""
    position = inputs.position.copy()
    position[actor, column] = value
    return replace(inputs, position=position)


def bottom_line(scenario: Scenario, runs: Sequence[dict[str, Any]], shifts: Sequence[Shift] = (),
                institutions: Institutional | None = None, unchecked: Sequence[str] = ()) -> list[IssueBottomLine]:
    """Per issue of the scenario, the bottom line of the runs (``runs[]`` of the JSON document,
    :meth:`accord.models.Result.to_json`); ``shifts`` from :func:`local_sensitivity` flag the
    unstable forecasts (``unchecked``: the models it left out); ``institutions`` (e.g.
    :func:`status_quo`) gives each analysed issue's status quo under its decision rule, which
    locks or bounds the recommendation (module docstring).

    >>> import accord
    >>> from accord.runner import run_models
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> runs = [r.to_json() for r in run_models(sc, ["accord", "nash"])]
    >>> line = bottom_line(sc, runs)[0]
    >>> round(line.recommended, 1), [(m.model, m.status) for m in line.models]
    (44.7, [('accord', 'forecast'), ('nash', 'deadlock')])
    >>> locked = bottom_line(sc, runs, institutions=status_quo)[0]
    >>> locked.recommended, locked.locked_by, round(locked.unconstrained[0], 1)
    (20.0, ('USA',), 44.7)
    """
    quo = institutions(scenario) if institutions else {}
    out = []
    for issue in scenario.issues:
        lo, hi = issue.scale.min, issue.scale.max
        width = hi - lo
        points = [_point(run, issue.id) for run in runs]
        tabled = [p for p in points if p.value is not None]
        recommended, low, high, basis = _recommend(runs, tabled, issue.id)
        sq = quo.get(issue.id)
        unconstrained, constraint = None, ""
        if sq is not None:
            (recommended, low, high), constraint = _within(sq, recommended, low, high)
            if constraint:
                unconstrained = _recommend(runs, tabled, issue.id)[:3]
        values = np.array([p.value for p in tabled], float)
        spread = (float(values.min()), float(values.max())) if len(values) else None
        out.append(IssueBottomLine(
            issue.id, issue.label or issue.id, recommended, low, high, basis, points, spread,
            spread is not None and spread[1] - spread[0] <= AGREE * width, _outliers(tabled, width),
            _warnings(runs, issue.id, width, [s for s in shifts if s.issue == issue.id]),
            sq.locked_by if sq is not None else None,
            issue.reference.point if issue.reference else None,
            sq.win_set if sq is not None else None, unconstrained, constraint,
            tuple(m for m in unchecked if any(r["model"] == m for r in runs)),
            _unstable(runs, issue.id, width, [s for s in shifts if s.issue == issue.id])))
    return out


def _within(sq: StatusQuo, point: float | None, low: float | None, high: float | None
            ) -> tuple[tuple[float | None, float | None, float | None], str]:
    """The recommendation as the decision rule allows it, and what that changed in one line
    (empty when nothing): the status quo when it is locked (no interval: it stands until the
    lock breaks); else the point clipped into the closed win set, and the interval into the
    span of the win set and the status quo."""
    q = sq.reference
    who = ", ".join(sq.locked_by)
    if sq.locked:
        return (q, None, None), (f"the status quo {q:g} stands: no winning coalition prefers any other point (the win "
                                 f"set is empty), locked by {who}")
    if point is None:
        return (point, low, high), ""
    nearest = min((min(max(point, a), b) for a, b in sq.win_set), key=lambda x: (abs(x - point), x))
    span = (min(q, *(a for a, _ in sq.win_set)), max(q, *(b for _, b in sq.win_set)))
    bounded = tuple(None if x is None else float(np.clip(x, *span)) for x in (low, high))
    where = " and ".join(f"({a:.3g}, {b:.3g})" for a, b in sq.win_set)
    if nearest != point:
        return (nearest, *bounded), (f"clipped into the win set {where} of the status quo {q:g}: the models' "
                                     f"{point:.1f} lies outside what the decision rule lets replace it")
    if bounded != (low, high):
        return (point, *bounded), (f"interval cut to the win set {where} and the status quo {q:g}: the only outcomes "
                                   "the decision rule allows")
    return (point, low, high), ""


def _point(run: dict[str, Any], issue: str) -> ModelPoint:
    row = next((r for r in run["forecast"] if r["issue"] == issue), {})
    deadlock = next((n for n in run.get("notes", []) if n.startswith(f"{issue}:") and "deadlock" in n), None)
    if deadlock:
        # the note's reason, without the issue before it and the conclusion after it
        return ModelPoint(run["model"], None, "deadlock", deadlock.split(":")[1].strip())
    if row.get("value") is None:
        return ModelPoint(run["model"], None, "no forecast", "the model gives no number for this issue")
    return ModelPoint(run["model"], float(row["value"]))


def _recommend(runs: Sequence[dict[str, Any]], tabled: list[ModelPoint], issue: str
               ) -> tuple[float | None, float | None, float | None, str]:
    """The point and interval recommended, and the rule that gave them (module docstring)."""
    chosen = next((r for r in runs if r["model"] == RECOMMENDED), None)
    point = next((p for p in tabled if p.model == RECOMMENDED), None)
    if chosen is not None and point is not None:
        band = next((r for r in chosen.get("tables", {}).get("interval", [])
                     if r["issue"] == issue and r["level"] == LEVEL), None)
        if band is not None:
            return (point.value, band["low"], band["high"],
                    f"{RECOMMENDED} (the compromise model, best on the EU backtest) with its {LEVEL:.0%} interval "
                    "calibrated on EU outcomes")
    if not tabled:
        return None, None, None, "no model gives a forecast"
    values = np.array([p.value for p in tabled], float)
    return (float(np.median(values)), float(values.min()), float(values.max()),
            f"median of the {len(tabled)} models' forecasts, their range as interval (run {RECOMMENDED} for a "
            "calibrated one)")


def _outliers(tabled: list[ModelPoint], width: float) -> list[ModelPoint]:
    """Models further than :data:`AGREE` of the scale from the models' median, when fewer than half are."""
    if len(tabled) < 3:
        return []
    median = float(np.median([p.value for p in tabled]))
    far = [ModelPoint(p.model, p.value, "outlier", f"{abs(p.value - median):.1f} "
                      f"{'above' if p.value > median else 'below'} the models' median ({median:.1f})")
           for p in tabled if p.value is not None and abs(p.value - median) > AGREE * width]
    return far if 2 * len(far) < len(tabled) else []


def _unstable(runs: Sequence[dict[str, Any]], issue: str, width: float, shifts: Sequence[Shift]
              ) -> list[dict[str, Any]]:
    """The unstable forecasts of an issue, as records: a small move of one position shifts them by
    much (``kind`` "move"), or their Monte Carlo median lies far from the point ("monte carlo")."""
    out: list[dict[str, Any]] = [
        {"model": s.model, "kind": "move", "actor": s.actor, "moved": s.moved, "step": s.step, "shift": s.shift,
         "share": s.share} for s in shifts if s.share > UNSTABLE]
    for run in runs:
        row = next((r for r in run["forecast"] if r["issue"] == issue), {})
        value, median = row.get("value"), row.get("median")
        if value is not None and median is not None and abs(median - value) > UNSTABLE * width:
            out.append({"model": run["model"], "kind": "monte carlo", "median": median, "value": value,
                        "shift": abs(median - value), "share": abs(median - value) / width})
    return out


def _warnings(runs: Sequence[dict[str, Any]], issue: str, width: float, shifts: Sequence[Shift]) -> list[str]:
    """The unstable forecasts of an issue in words (:func:`_unstable`)."""
    out = []
    for u in _unstable(runs, issue, width, shifts):
        if u["kind"] == "move":
            where = "" if u["moved"] == issue else f" on {u['moved']}"
            out.append(f"{u['model']} is unstable: moving {u['actor']}'s position{where} by {u['step']:+.3g} "
                       f"({abs(u['step']) / width:.0%} of the scale) shifts its forecast by {u['shift']:.1f} "
                       f"({u['share']:.0%} of the scale)")
        else:
            out.append(f"{u['model']} is unstable: its Monte Carlo median {u['median']:.1f} lies "
                       f"{u['shift']:.1f} ({u['share']:.0%} of the scale) from its point forecast {u['value']:.1f}")
    return out
