"""Running models on a scenario and assembling the JSON document every tool relies on.

The document (``accord forecast --json``)::

    {"scenario": {"name", "sha256"},
     "runs": [{"model", "params", "seed", "run_id",
               "forecast": [{"issue", "value"}],
               "rounds":   [{"round", "issue", "actor", "position"}],
               "summary":  [{"round", "issue", "mean", "median"}],
               "tables":   {...}, "notes": [...]}]}
"""

from __future__ import annotations

import json

import numpy as np
from collections.abc import Sequence
from typing import Any

from . import experiment
from .errors import NotApplicable, UsageError
from .models import Result, get_model, registry
from .scenario import Scenario
from .store import RunStore, with_run_id


def parse_params(models: Sequence[str], assignments: Sequence[str]) -> dict[str, dict[str, str]]:
    """``["rounds=10", "eum.preset=paper"]`` -> parameters per model.

    ``model.key=value`` sets a parameter of one model; ``key=value`` sets it for every chosen
    model that has it, and is an error if none has.
    """
    out: dict[str, dict[str, str]] = {m: {} for m in models}
    for text in assignments:
        key, sep, value = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--param {text!r}: write key=value or model.key=value")
        target, _, name = key.rpartition(".")
        if target:
            if target not in out:
                raise UsageError(f"--param {text!r}: model {target!r} is not among the chosen models "
                                 f"({', '.join(models)})")
            out[target][name] = value
            continue
        takers = [m for m in models if name in get_model(m).Params.model_fields]
        if not takers:
            raise UsageError(f"--param {text!r}: none of the chosen models ({', '.join(models)}) has a parameter "
                             f"{name!r}; `accord models` lists each model's parameters")
        for m in takers:
            out[m][name] = value
    return out


def run_models(scenario: Scenario, models: Sequence[str] | None = None, params: dict[str, dict[str, Any]] | None = None,
               seed: int | None = 0) -> list[Result]:
    """Run each named model (default: every registered model) on the scenario."""
    names = list(models or registry())
    params = params or {}
    instances = [get_model(name)(**params.get(name, {})) for name in names]  # validate all before running any
    return [model.run(scenario, seed=seed) for model in instances]


def run_chosen(scenario: Scenario, models: Sequence[str] | None, params: dict[str, dict[str, Any]] | None = None,
               seed: int | None = 0) -> tuple[list[Result], list[dict[str, str]]]:
    """The models named (a model that cannot take the scenario is an error), or, with none
    named, every registered model that can take it and the others with their reasons."""
    if models:
        return run_models(scenario, models, params, seed), []
    return run_applicable(scenario, params, seed)


def run_applicable(scenario: Scenario, params: dict[str, dict[str, Any]] | None = None, seed: int | None = 0
                   ) -> tuple[list[Result], list[dict[str, str]]]:
    """Every registered model that can take the scenario; the others with their reasons."""
    results, skipped = [], []
    for name in registry():
        try:
            results += run_models(scenario, [name], params, seed)
        except NotApplicable as exc:
            skipped.append({"model": name, "reason": str(exc)})
    return results, skipped


def run_forecast(scenario: Scenario, models: Sequence[str] | None, params: dict[str, dict[str, Any]] | None = None,
                 seed: int | None = 0) -> tuple[list[Result], list[dict[str, str]]]:
    """:func:`run_chosen`, refusing a forecast of nothing: when no model can take the scenario, the
    error gives every model's reason.

    >>> import accord
    >>> one_issue = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 2], assumption="a toy")
    >>> results, skipped = run_forecast(one_issue, None)
    >>> [s["model"] for s in skipped]
    ['exchange', 'procedural']
    """
    results, skipped = run_chosen(scenario, models, params, seed)
    if not results:  # a forecast of nothing is no success
        raise UsageError("no model can forecast this scenario:\n" + "\n".join(s["reason"] for s in skipped))
    return results, skipped


def document(scenario: Scenario, runs: Sequence[dict[str, Any]], skipped: Sequence[dict[str, str]] = ()
             ) -> dict[str, Any]:
    doc = {"scenario": {"name": scenario.name, "sha256": scenario.sha256}, "runs": list(runs)}
    if skipped:
        doc["skipped"] = list(skipped)
    return doc


def record(scenario: Scenario, results: Sequence[Result], store: RunStore | None, command: str | None = None,
           skipped: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
    """The JSON document of the results, each run saved in the store (when one is given)."""
    runs = []
    for result in results:
        entry = result.to_json()
        entry = store.save(scenario, entry, command=command).result if store else with_run_id(entry, None)
        runs.append(entry)
    return document(scenario, runs, skipped)


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)


def add_uncertainty(scenario: Scenario, results: Sequence[Result], samples: int,
                    seed: int | None, correlate: str = "none", pool=None, progress=None, batch: int | None = None,
                    done: dict[int, dict[str, np.ndarray]] | None = None, sink=None, *, workers: int = 1,
                    scheduler: str | None = None) -> None:
    """Monte Carlo over the evidence for each result, in batches (:func:`accord.experiment.add_uncertainty`):
    every model runs on the same draws, and the draws do not depend on who computes them.

    ``done`` holds batches already computed (a resumed sweep): they are not computed again.
    ``sink(k, part)`` receives each batch as it completes (to store it); ``progress(done, total)``
    counts samples. The batches run on ``pool``, or on ``workers`` local processes, or on the Dask
    cluster at ``scheduler``.
    """
    experiment.add_uncertainty(scenario, results, samples, seed, correlate, batch, workers=workers,
                               scheduler=scheduler, pool=pool, progress=progress, done=done, sink=sink)


monte_carlo_batch = experiment.monte_carlo_batch
