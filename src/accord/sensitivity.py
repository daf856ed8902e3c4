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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .models import Model
from .scenario import Scenario
from .uncertainty import DEFAULT_SPREADS, Spreads, sample_inputs

LOCK_TOLERANCE = 0.01  # share of the scale


@dataclass
class Tornado:
    swings: pd.DataFrame  # issue, input, actor, target_issue, what, low, high, forecast_low, forecast_high, swing
    locked: pd.DataFrame  # issue, actor, position

    def top(self, issue: str, n: int = 10) -> pd.DataFrame:
        part = self.swings[self.swings["issue"] == issue]
        return part.sort_values("swing", ascending=False, kind="stable").head(n)


def tornado(model: Model, scenario: Scenario, seed: int | None = 0, samples: int = 4000,
            spreads: Spreads = DEFAULT_SPREADS) -> Tornado:
    """One-at-a-time swings of every issue's forecast (see the module docstring)."""
    base = scenario.inputs()
    draws = sample_inputs(scenario, samples, seed, spreads)
    rng_seed = 0 if seed is None else seed
    center = model.evaluate(base, np.random.default_rng(rng_seed)).forecast
    rows = []
    for what, field, a, i, label in _inputs(scenario):
        if field == "reference":
            marginal = draws.reference[:, i]
        elif field == "capability":  # the same draw on all the actor's issues: read it on the first
            marginal = draws.capability[:, a, int(np.flatnonzero(~np.isnan(base.position[a]))[0])]
        else:
            marginal = getattr(draws, field)[:, a, i]
        lo, hi = np.quantile(marginal, [0.05, 0.95])
        runs = []
        for v in (lo, hi):
            arr = getattr(base, field).copy()
            if field == "capability":
                arr[a, ~np.isnan(base.position[a])] = v  # one capability on all the actor's issues
            elif field == "reference":
                arr[i] = v
            else:
                arr[a, i] = v
            inputs = _with(base, field, arr)
            runs.append(model.evaluate(inputs, np.random.default_rng(rng_seed)).forecast)
        for k, issue in enumerate(base.issues):
            rows.append({"issue": issue, "input": label, "actor": base.actors[a] if a is not None else "",
                         "target_issue": base.issues[i] if i is not None else "", "what": what,
                         "low": float(lo), "high": float(hi), "forecast_low": float(runs[0][k]),
                         "forecast_high": float(runs[1][k]), "swing": float(abs(runs[1][k] - runs[0][k]))})
    swings = pd.DataFrame(rows)
    return Tornado(swings, _locked(base, center, swings))


def _inputs(scenario: Scenario):
    base = scenario.inputs()
    for i, issue in enumerate(scenario.issues):
        if issue.reference is not None:
            yield "reference", "reference", None, i, f"reference point of {issue.id}"
    for a, actor in enumerate(scenario.actors):
        if actor.capability is not None:
            yield "capability", "capability", a, None, f"{actor.id} capability"
        for i, issue in enumerate(scenario.issues):
            if not np.isnan(base.position[a, i]):
                yield "position", "position", a, i, f"{actor.id} position on {issue.id}"
                yield "salience", "salience", a, i, f"{actor.id} salience on {issue.id}"


def _with(base, field: str, arr: np.ndarray):
    from dataclasses import replace

    return replace(base, **{field: arr})


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
          seed: int | None = 0) -> pd.DataFrame:
    """First-order and total Sobol indices (Sobol 2001; Saltelli et al. 2010, via SALib) of each
    issue's forecast, over the ``inputs`` inputs with the largest swings anywhere.

    Each input varies uniformly between the 5% and 95% quantiles of its evidence (as in the
    tornado), the others stay at the consensus; N (2K + 2) model runs for K inputs. Rows:
    issue, input, S1, S1_conf, ST, ST_conf (95% bootstrap half-widths).
    """
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as saltelli
    except ImportError:
        from .errors import UsageError

        raise UsageError("Sobol indices need SALib: pip install 'accord[sensitivity]'") from None
    from .uncertainty import Draws, monte_carlo

    ranked = result.swings.groupby("input", sort=False)["swing"].max().sort_values(ascending=False, kind="stable")
    chosen = [name for name, swing in ranked.items() if swing > 0][:inputs]
    if len(chosen) < 2:
        return pd.DataFrame(columns=["issue", "input", "S1", "S1_conf", "ST", "ST_conf"])
    bounds = result.swings.drop_duplicates("input").set_index("input").loc[chosen, ["low", "high"]]
    problem = {"num_vars": len(chosen), "names": chosen, "bounds": bounds.to_numpy().tolist()}
    X = saltelli.sample(problem, n, calc_second_order=False, seed=0 if seed is None else seed)
    base = scenario.inputs()
    where = {label: (field, a, i) for _, field, a, i, label in _inputs(scenario)}
    m = len(X)
    pos, sal, cap = (np.repeat(getattr(base, f)[None], m, 0).copy() for f in ("position", "salience", "capability"))
    ref = np.repeat(base.reference[None], m, 0).copy()
    for j, label in enumerate(chosen):
        field, a, i = where[label]
        if field == "reference":
            ref[:, i] = X[:, j]
        elif field == "capability":
            cap[:, a, ~np.isnan(base.position[a])] = X[:, j][:, None]
        else:
            (pos if field == "position" else sal)[:, a, i] = X[:, j]
    Y = monte_carlo(model, scenario, Draws(pos, sal, cap, ref), seed)
    rows = []
    for k, issue in enumerate(base.issues):
        y = Y[:, k]
        if np.ptp(y) == 0:  # nothing moves this issue: all indices zero
            rows += [{"issue": issue, "input": c, "S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0} for c in chosen]
            continue
        s = analyze.analyze(problem, y, calc_second_order=False, seed=0 if seed is None else seed)
        rows += [{"issue": issue, "input": c, "S1": float(s["S1"][j]), "S1_conf": float(s["S1_conf"][j]),
                  "ST": float(s["ST"][j]), "ST_conf": float(s["ST_conf"][j])} for j, c in enumerate(chosen)]
    return pd.DataFrame(rows)
