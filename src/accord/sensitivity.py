"""Which inputs a forecast hinges on: one-at-a-time swings (a tornado), and locked forecasts.

For every input (each actor's position and salience on each issue, each actor's capability,
each reference point) the model is run twice with that input alone moved to the low and the
high end of its evidence (the 5% and 95% quantiles of its distribution, see
:mod:`accord.uncertainty`), all else at the consensus. The swing of an issue's forecast is
the difference between the two runs; inputs are ranked by it (Saltelli et al. 2008, ch. 1).

A forecast is *locked* on an actor when it equals that actor's position and nothing but that
position moves it by more than 1% of the scale: the weighted median and models built on it
snap to one actor, and a tornado of zeros then says nothing about robustness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .experiment import factors, sample, solve_all, solve_samples, swings
from .models import Model
from .scenario import Scenario
from .uncertainty import DEFAULT_SPREADS, Draws, Spreads

LOCK_TOLERANCE = 0.01  # share of the scale


@dataclass
class Tornado:
    swings: pd.DataFrame  # issue, input, actor, target_issue, what, low, high, forecast_low, forecast_high, swing
    locked: pd.DataFrame  # issue, actor, position

    def top(self, issue: str, n: int = 10) -> pd.DataFrame:
        part = self.swings[self.swings["issue"] == issue]
        return part.sort_values("swing", ascending=False, kind="stable").head(n)


def tornado(model: Model, scenario: Scenario, seed: int | None = 0, samples: int = 4000,
            spreads: Spreads = DEFAULT_SPREADS, *, workers: int = 1, scheduler: str | None = None,
            progress: Callable[[int, int], None] | None = None) -> Tornado:
    """One-at-a-time swings of every issue's forecast (see the module docstring).

    An experiment (:mod:`accord.experiment`): the swings' design from ``samples`` draws of the
    evidence, the model run at each end of each swing (on ``workers`` local processes or the
    Dask cluster at ``scheduler``, with the same result whatever runs them; ``progress(done,
    total)`` counts runs), and the table of swings.

    >>> from accord.io import from_arrays
    >>> from accord.models import get_model
    >>> sc = from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 3])
    >>> t = tornado(get_model("mean")(), sc, samples=1000)
    >>> t.top("i0", 1)["input"].tolist()
    ['A1 position on i0']
    """
    base = scenario.inputs()
    design = swings(scenario, sample(scenario, samples, seed, spreads=spreads))  # sample
    runs = [x for s in design for x in (s.at_low, s.at_high)]
    forecasts = solve_all(model, [base, *runs], seed, workers=workers, scheduler=scheduler,  # evaluate
                          progress=progress)
    center, at = forecasts[0], forecasts[1:].reshape(len(design), 2, len(base.issues))
    rows = []  # analyse
    for s, (low, high) in zip(design, at):
        f = s.factor
        for k, issue in enumerate(base.issues):
            rows.append({"issue": issue, "input": f.label, "actor": base.actors[f.actor] if f.actor is not None else "",
                         "target_issue": base.issues[f.issue] if f.issue is not None else "", "what": f.what,
                         "low": s.low, "high": s.high, "forecast_low": float(low[k]),
                         "forecast_high": float(high[k]), "swing": float(abs(high[k] - low[k]))})
    swings_table = pd.DataFrame(rows)
    return Tornado(swings_table, _locked(base, center, swings_table))


def _locked(base, center: np.ndarray, swings: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for k, issue in enumerate(base.issues):
        holders = [a for a, actor in enumerate(base.actors) if base.position[a, k] == center[k]]
        if not holders:
            continue
        part = swings[swings["issue"] == issue]
        own = part["input"].isin([f"{base.actors[a]} position on {issue}" for a in holders])
        others = part[~own]
        width = base.scale_max[k] - base.scale_min[k]
        if len(others) and (others["swing"] <= LOCK_TOLERANCE * width).all():
            rows += [{"issue": issue, "actor": base.actors[a], "position": float(center[k])} for a in holders]
    return pd.DataFrame(rows, columns=["issue", "actor", "position"])


def sobol(model: Model, scenario: Scenario, result: Tornado, n: int = 256, inputs: int = 8,
          seed: int | None = 0, *, workers: int = 1, scheduler: str | None = None,
          progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices (Sobol 2001; Saltelli et al. 2010, via SALib) of each
    issue's forecast, over the ``inputs`` inputs with the largest swings anywhere.

    Each input varies uniformly between the 5% and 95% quantiles of its evidence (as in the
    tornado), the others stay at the consensus; N (2K + 2) model runs for K inputs, evaluated by
    :func:`accord.experiment.solve_samples` (batched where the model can; else on ``workers``
    or the cluster at ``scheduler``, with the same result; ``progress`` counts runs). Rows:
    issue, input, S1, S1_conf, ST, ST_conf (95% bootstrap half-widths).

    >>> from accord.io import from_arrays
    >>> from accord.models import get_model
    >>> sc = from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 3])
    >>> model = get_model("mean")()
    >>> s = sobol(model, sc, tornado(model, sc, samples=1000), n=64, inputs=2)
    >>> s.sort_values("ST", ascending=False)["input"].iloc[0]
    'A1 position on i0'
    """
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as saltelli
    except ImportError:
        from .errors import UsageError

        raise UsageError("Sobol indices need SALib: pip install 'accord[sensitivity]'") from None

    ranked = result.swings.groupby("input", sort=False)["swing"].max().sort_values(ascending=False, kind="stable")
    chosen = [name for name, swing in ranked.items() if swing > 0][:inputs]
    if len(chosen) < 2:
        return pd.DataFrame(columns=["issue", "input", "S1", "S1_conf", "ST", "ST_conf"])
    bounds = result.swings.drop_duplicates("input").set_index("input").loc[chosen, ["low", "high"]]
    problem = {"num_vars": len(chosen), "names": chosen, "bounds": bounds.to_numpy().tolist()}
    X = saltelli.sample(problem, n, calc_second_order=False, seed=0 if seed is None else seed)  # sample
    base = scenario.inputs()
    by_label = {f.label: f for f in factors(scenario)}
    m = len(X)
    arrays = {f: np.repeat(getattr(base, f)[None], m, 0).copy() for f in ("position", "salience", "capability",
                                                                           "reference")}
    for j, label in enumerate(chosen):
        by_label[label].set_samples(base, arrays, X[:, j])
    Y = solve_samples(model, base, Draws(**arrays), seed, workers=workers, scheduler=scheduler,  # evaluate
                      progress=progress)
    rows = []  # analyse
    for k, issue in enumerate(base.issues):
        y = Y[:, k]
        if np.ptp(y) == 0:  # nothing moves this issue: all indices zero
            rows += [{"issue": issue, "input": c, "S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0} for c in chosen]
            continue
        s = analyze.analyze(problem, y, calc_second_order=False, seed=0 if seed is None else seed)
        rows += [{"issue": issue, "input": c, "S1": float(s["S1"][j]), "S1_conf": float(s["S1_conf"][j]),
                  "ST": float(s["ST"][j]), "ST_conf": float(s["ST_conf"][j])} for j, c in enumerate(chosen)]
    return pd.DataFrame(rows)
