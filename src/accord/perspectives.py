"""Perspectives: the forecast if one source is right.

Where analysts disagree, each source's reading is a scenario of its own: every number the
source states (the mean of its claims' values on that number) replaces the consensus, and
the consensus stands where the source says nothing. Running the models on each reading
answers "what does the model say if this analyst is right?", and comparing readings shows
where the forecast hinges on whom one believes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import whatif
from .experiment import CONSENSUS, claims_by_source, evaluate, readings
from .models import Result
from .models.base import records
from .runner import run_chosen
from .scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is built: start-up need not pay for it

__all__ = ["CONSENSUS", "Perspectives", "claims_by_source", "perspectives", "reading"]


def reading(scenario: Scenario, source: str) -> Scenario:
    """The scenario as ``source`` reads it: its own values where it has claims, the consensus elsewhere.

    Each such number is a what-if (:func:`accord.whatif.reading`): the mean of the source's
    claims set as the value over all the claims.
    """
    return whatif.apply(scenario, whatif.reading(scenario, source))


@dataclass
class Perspectives:
    """Forecasts per reading, model and issue, and the inputs on which the readings differ."""

    forecasts: pd.DataFrame  # reading, model, issue, value
    inputs: pd.DataFrame  # reading, actor, issue, what, value: where a source departs from the consensus
    claims: dict[str, int]
    runs: list[tuple[str, Scenario, list[Result]]]  # per reading: its scenario and the model results

    def spread(self) -> pd.DataFrame:
        """Per model and issue: the largest gap between two readings, and which readings."""
        import pandas as pd

        rows = []
        for (model, issue), group in self.forecasts.groupby(["model", "issue"], sort=False):
            hi, lo = group.loc[group["value"].idxmax()], group.loc[group["value"].idxmin()]
            rows.append({"model": model, "issue": issue, "spread": hi["value"] - lo["value"],
                         "highest": hi["reading"], "lowest": lo["reading"]})
        return pd.DataFrame(rows).sort_values("spread", ascending=False, kind="stable").reset_index(drop=True)

    def to_json(self) -> dict[str, Any]:
        return {"claims": self.claims, "forecasts": records(self.forecasts), "spread": records(self.spread()),
                "inputs": records(self.inputs)}


def perspectives(scenario: Scenario, models: list[str] | None = None, params: dict | None = None,
                 seed: int | None = 0, *, workers: int = 1, scheduler: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Perspectives:
    """Run the models on the consensus and on each source's reading.

    The readings run as jobs of :func:`accord.experiment.evaluate` (one per reading; on
    ``workers`` local processes or the Dask cluster at ``scheduler``), with the same results
    whatever runs them; ``progress(done, total)`` counts readings.

    >>> import accord
    >>> p = perspectives(accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1]), ["mean"])
    >>> p.forecasts.to_dict("records")
    [{'reading': 'consensus', 'model': 'mean', 'issue': 'i0', 'value': 50.0}]
    """
    import pandas as pd

    design = readings(scenario)  # sample
    names = list(design)
    results = evaluate(_run_reading, [(design[name], models, params, seed) for name in names],  # evaluate
                       workers=workers, scheduler=scheduler, progress=progress)
    runs = [(name, design[name], found) for name, found in zip(names, results)]
    rows = [{"reading": name, "model": r.model, "issue": i, "value": float(v)}  # analyse
            for name, _, found in runs for r in found for i, v in zip(r.issues, r.forecast)]
    return Perspectives(pd.DataFrame(rows), _departures(scenario, design), claims_by_source(scenario), runs)


def _run_reading(scenario: Scenario, models: list[str] | None, params: dict | None, seed: int | None
                 ) -> list[Result]:
    return run_chosen(scenario, models, params, seed)[0]


def _departures(scenario: Scenario, readings: dict[str, Scenario]) -> pd.DataFrame:
    """The inputs where a reading differs from the consensus, largest first (scale-relative)."""
    import pandas as pd

    base = scenario.inputs()
    span = base.scale_max - base.scale_min
    rows = []
    for name, sc in readings.items():
        if name == CONSENSUS:
            continue
        arr = sc.inputs()
        for what, a, b, scale in (("position", arr.position, base.position, span),
                                  ("salience", arr.salience, base.salience, np.ones_like(span))):
            diff = np.where(np.isnan(a) | np.isnan(b), 0.0, a - b)
            for ai, ii in zip(*np.nonzero(diff)):
                rows.append({"reading": name, "actor": base.actors[ai], "issue": base.issues[ii], "what": what,
                             "consensus": float(b[ai, ii]), "value": float(a[ai, ii]),
                             "relative": float(abs(diff[ai, ii]) / scale[ii])})
        for ai, actor in enumerate(scenario.actors):  # capability: one number per actor, shown once
            mine, theirs = reading_capability(sc, ai), reading_capability(scenario, ai)
            if mine is not None and theirs is not None and mine != theirs:
                rows.append({"reading": name, "actor": actor.id, "issue": "", "what": "capability",
                             "consensus": theirs, "value": mine,
                             "relative": abs(mine - theirs) / max(float(np.nanmax(base.capability)), 1e-12)})
    frame = pd.DataFrame(rows, columns=["reading", "actor", "issue", "what", "consensus", "value", "relative"])
    return frame.sort_values("relative", ascending=False, kind="stable").reset_index(drop=True)


def reading_capability(scenario: Scenario, a: int) -> float | None:
    cap = scenario.actors[a].capability
    return None if cap is None else cap.point
