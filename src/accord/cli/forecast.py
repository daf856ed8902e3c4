"""``accord forecast``: every chosen model's forecast of each issue, with Monte Carlo over the evidence."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from typing import Annotated, Optional

import typer
from rich.markup import escape

from ..bottomline import SLOW, STEP, bottom_line, local_sensitivity, status_quo
from ..errors import UsageError
from ..models import registry
from ..render import print_forecast
from ..runner import dumps, parse_params, record, run_forecast
from ..store import DEFAULT_PATH, RunStore
from ..views import draws_of
from ..whatif import set_values
from . import (FileArg, FormatOpt, JsonOpt, NoStoreOpt, ParamOpt, QuietOpt, SeedOpt, StoreOpt, TextsOpt, app,
               command_line, err, guarded, load, out)


@app.command()
@guarded
def forecast(
    file: FileArg = None,
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help="model to run (repeatable; default: every model that can take the scenario)")] = None,
    param: ParamOpt = None,
    set_: Annotated[Optional[list[str]], typer.Option(
        "--set", help="what-if: set an input over its claims, e.g. RUS.sanctions.position=100, RUS.capability=50, "
                      "sanctions.reference=30 (repeatable)")] = None,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
    samples: Annotated[int, typer.Option(
        "--samples", "-n", min=0, help="Monte Carlo: draw this many scenarios from the evidence")] = 0,
    correlate: Annotated[str, typer.Option(
        help="with --samples: none, or source (each sample one source's reading where it has one)")] = "none",
    workers: Annotated[int, typer.Option(min=1, help="with --samples: local worker processes")] = 1,
    scheduler: Annotated[Optional[str], typer.Option(
        help="with --samples: address of a Dask scheduler to run the batches on")] = None,
    quiet: QuietOpt = False,
    batch_size: Annotated[int, typer.Option(
        min=1, help="with --samples: samples per batch (part of what the draws are)")] = 1000,
    stability: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="bottom line: move each position by this share of the scale to flag unstable "
                               "forecasts (0 leaves the check out)")] = STEP,
    stability_all: Annotated[bool, typer.Option(
        "--stability-all", help=f"bottom line: check the stability of {', '.join(sorted(SLOW))} too (slow: every move "
                                "is a full run)")] = False,
    fmt: FormatOpt = None,
    texts: TextsOpt = None,
    store: StoreOpt = DEFAULT_PATH,
    no_store: NoStoreOpt = False,
) -> None:
    """Forecast each issue of a scenario under one or more models, and record the runs."""
    if correlate not in ("none", "source"):
        raise UsageError(f"--correlate {correlate!r}: choose none or source")
    loaded = load(file, fmt, texts)
    scenario = set_values(loaded.scenario, set_) if set_ else loaded.scenario  # what-ifs, all checked first
    names = model or list(registry())
    params = parse_params(names, param or [])
    run_store = None if no_store else RunStore(store)
    if run_store is not None:
        run_store.require_writable("; give --no-store, or --store with a writable file")  # before the models run
    results, skipped = run_forecast(scenario, model, params, seed)
    for s in skipped:
        err.print(f"[yellow]note:[/yellow] {escape(s['reason'])}; skipped")
    with ExitStack() as held:
        sweep_id = None
        if samples:
            spec = {"models": [r.model for r in results], "params": {r.model: r.params for r in results},
                    "seed": seed, "samples": samples, "correlate": correlate, "batch": batch_size, "skipped": skipped}
            if run_store is not None:
                sweep_id = _begin_sweep(run_store, scenario, spec, held)
            _sweep(run_store, scenario, results, spec, workers, scheduler, quiet, {}, sweep_id)
        doc = record(scenario, results, run_store, command_line(), skipped)
        skip = () if stability_all else SLOW
        shifts = local_sensitivity(scenario, results, stability, seed, skip=skip, workers=workers,
                                   scheduler=scheduler) if stability else []
        unchecked = sorted(skip) if stability else [r.model for r in results]
        doc["bottom_line"] = [b.to_json() for b in bottom_line(scenario, doc["runs"], shifts, status_quo, unchecked)]
        if sweep_id:
            run_store.finish_sweep(sweep_id, [r["run_id"] for r in doc["runs"]])
    if as_json:
        sys.stdout.write(dumps(doc) + "\n")
    else:
        print_forecast(out, scenario, doc, None if no_store else str(store), draws_of(results))


def _begin_sweep(run_store, scenario, spec, held: ExitStack) -> str:
    """A new sweep in the store, its lock held until ``held`` closes (so it shows as running)."""
    from ..experiment import create_sweep

    sweep_id = create_sweep(run_store, scenario, spec, held)
    err.print(f"[dim]sweep {sweep_id}: if it is interrupted, `accord sweep resume {sweep_id}` finishes it[/dim]")
    return sweep_id


def _sweep(run_store, scenario, results, spec, workers, scheduler, quiet, done, sweep_id=None):
    """Monte Carlo for the results, each completed batch stored (when there is a sweep) as it comes."""
    from ..execution import progress_bar
    from ..experiment import run_sweep

    with progress_bar(spec["samples"], f"{spec['samples']:,} samples", quiet) as advance:
        run_sweep(scenario, results, spec, store=run_store, sweep_id=sweep_id, workers=workers, scheduler=scheduler,
                  progress=advance, done=done)
