"""The bottom line of a forecast: per issue, which number to believe, where the models part, and
whether the forecasts can be trusted to stay put.

**The recommended forecast.** When the ``accord`` model was run, its point forecast with its
80% interval: on the DEU III development split no model beats the compromise model's mean
error, and its split-conformal intervals hold 80.0% of the outcomes under cross-validation,
while the models' Monte Carlo intervals over their inputs are far too narrow for real
outcomes (README, *Backtests*; Achen 2006; Vovk et al. 2005). Otherwise the median of the
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
lies further than that from the point forecast.

**Institutions.** Whether the status quo is locked, and by whom, comes from a callable passed
in (``locked_by``), so that the bottom line does not depend on how the decision rules are
analysed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from .experiment import Progress, solve_all
from .models import Model, Result, get_model
from .scenario import Inputs, Scenario
from .uncertainty import Draws

RECOMMENDED = "accord"  # the model whose point and calibrated interval are recommended
LEVEL = 0.8  # the level of its interval shown
STEP = 0.02  # a position's move, as a share of the scale
UNSTABLE = 0.10  # a forecast's shift, as a share of the scale, that makes it unstable
AGREE = 0.10  # the spread, as a share of the scale, within which models agree

#: Per issue id, the actors that lock the issue at its status quo (empty: not locked). An issue
#: absent from the mapping was not analysed.
LockedBy = Callable[[Scenario], Mapping[str, Sequence[str]]]


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

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["spread"] = list(self.spread) if self.spread else None
        doc["locked_by"] = list(self.locked_by) if self.locked_by is not None else None
        return doc


def local_sensitivity(scenario: Scenario, results: Sequence[Result], step: float = STEP, seed: int | None = 0, *,
                      workers: int = 1, scheduler: str | None = None, progress: Progress | None = None
                      ) -> list[Shift]:
    """Per model and issue, the largest shift of the forecast when one actor's position moves by
    ``step`` of its scale, down or up (cut to the scale), all else as given.

    >>> import accord
    >>> from accord.runner import run_models
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1])
    >>> [(s.model, s.actor, round(s.shift, 2)) for s in local_sensitivity(sc, run_models(sc, ["mean"]))]
    [('mean', 'A0', 1.0)]
    """
    base = scenario.inputs()
    design, moves = _moves(base, step)
    width = base.scale_max - base.scale_min
    shifts = []
    for result in results:
        model = get_model(result.model)(**result.params)
        forecasts = _solve_moves(model, base, design, seed, workers=workers, scheduler=scheduler, progress=progress)
        moved = np.abs(forecasts[1:] - forecasts[0])  # runs, issues
        for k, issue in enumerate(base.issues):
            if not len(moves) or np.isnan(moved[:, k]).all():
                continue
            j = int(np.nanargmax(moved[:, k]))
            a, i, delta = moves[j]
            shifts.append(Shift(result.model, issue, base.actors[a], base.issues[i], delta, float(moved[j, k]),
                                float(moved[j, k] / width[k])))
    return shifts


def _solve_moves(model: Model, base: Inputs, design: Sequence[Inputs], seed: int | None, **run: Any) -> np.ndarray:
    """Forecasts (runs, issues) of the point run and the moved ones. The design differs from
    ``base`` only in positions, as Monte Carlo draws do: a model with a batched form
    (:meth:`~accord.models.base.Model.solve_batch`, deterministic) solves all runs at once in
    this process, as it solves samples; the others run one by one on the executor."""
    runs = [base, *design]
    draws = Draws(*(np.stack([getattr(x, f) for x in runs]) for f in ("position", "salience", "capability",
                                                                        "reference")))
    batched = model.solve_batch(base, draws)
    if batched is None:
        return solve_all(model, runs, seed, **run)
    if run.get("progress") is not None:
        run["progress"](len(runs), len(runs))
    return batched


def _moves(base: Inputs, step: float) -> tuple[list[Inputs], list[tuple[int, int, float]]]:
    """Each present position moved down and up by ``step`` of its scale: the inputs and (actor, issue, move)."""
    design, moves = [], []
    for a, i in zip(*np.nonzero(base.present)):
        for sign in (-1, 1):
            x = base.position[a, i]
            moved = float(np.clip(x + sign * step * (base.scale_max[i] - base.scale_min[i]),
                                  base.scale_min[i], base.scale_max[i]))
            if moved == x:
                continue
            position = base.position.copy()
            position[a, i] = moved
            design.append(replace(base, position=position))
            moves.append((int(a), int(i), moved - x))
    return design, moves


def bottom_line(scenario: Scenario, runs: Sequence[dict[str, Any]], shifts: Sequence[Shift] = (),
                locked_by: LockedBy | None = None) -> list[IssueBottomLine]:
    """Per issue of the scenario, the bottom line of the runs (``runs[]`` of the JSON document,
    :meth:`accord.models.Result.to_json`); ``shifts`` from :func:`local_sensitivity` flag the
    unstable forecasts; ``locked_by`` says which issues are locked at the status quo, by whom.

    >>> import accord
    >>> from accord.runner import run_models
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> runs = [r.to_json() for r in run_models(sc, ["accord", "nash"])]
    >>> line = bottom_line(sc, runs)[0]
    >>> round(line.recommended, 1), [(m.model, m.status) for m in line.models]
    (44.7, [('accord', 'forecast'), ('nash', 'deadlock')])
    """
    locks = locked_by(scenario) if locked_by else {}
    out = []
    for issue in scenario.issues:
        lo, hi = issue.scale.min, issue.scale.max
        width = hi - lo
        points = [_point(run, issue.id) for run in runs]
        tabled = [p for p in points if p.value is not None]
        recommended, low, high, basis = _recommend(runs, tabled, issue.id)
        values = np.array([p.value for p in tabled], float)
        spread = (float(values.min()), float(values.max())) if len(values) else None
        out.append(IssueBottomLine(
            issue.id, issue.label or issue.id, recommended, low, high, basis, points, spread,
            spread is not None and spread[1] - spread[0] <= AGREE * width, _outliers(tabled, width),
            _warnings(runs, issue.id, width, [s for s in shifts if s.issue == issue.id]),
            tuple(locks[issue.id]) if issue.id in locks else None,
            issue.reference.point if issue.reference else None))
    return out


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


def _warnings(runs: Sequence[dict[str, Any]], issue: str, width: float, shifts: Sequence[Shift]) -> list[str]:
    """The unstable forecasts of an issue: a small move of one position shifts them by much, or
    their Monte Carlo median lies far from the point."""
    out = []
    for s in shifts:
        if s.share > UNSTABLE:
            where = "" if s.moved == issue else f" on {s.moved}"
            out.append(f"{s.model} is unstable: moving {s.actor}'s position{where} by {s.step:+.3g} "
                       f"({abs(s.step) / width:.0%} of the scale) shifts its forecast by {s.shift:.1f} "
                       f"({s.share:.0%} of the scale)")
    for run in runs:
        row = next((r for r in run["forecast"] if r["issue"] == issue), {})
        value, median = row.get("value"), row.get("median")
        if value is not None and median is not None and abs(median - value) > UNSTABLE * width:
            out.append(f"{run['model']} is unstable: its Monte Carlo median {median:.1f} lies "
                       f"{abs(median - value):.1f} ({abs(median - value) / width:.0%} of the scale) from its "
                       f"point forecast {value:.1f}")
    return out
