"""``accord perspectives``: the forecast under each source's own reading."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ..models import registry
from ..perspectives import perspectives as compute
from ..render import perspectives_report
from ..runner import dumps, parse_params, record
from ..store import DEFAULT_PATH, RunStore
from ..execution import progress_bar
from . import (FileArg, FormatOpt, JsonOpt, NoStoreOpt, ParamOpt, QuietOpt, SchedulerOpt, SeedOpt, StoreOpt, WorkersOpt,
               app, command_line, guarded, load, out)


@app.command()
@guarded
def perspectives(
    file: FileArg = None,
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help="model (repeatable; default: all)")] = None,
    param: ParamOpt = None,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
    threshold: Annotated[float, typer.Option(help="a gap between readings worth reporting, in scale points")] = 10.0,
    fmt: FormatOpt = None,
    store: StoreOpt = DEFAULT_PATH,
    no_store: NoStoreOpt = False,
    quiet: QuietOpt = False,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
) -> None:
    """The forecast under each source's own reading, side by side, and where the readings diverge."""
    scenario = load(file, fmt).scenario
    names = model or list(registry())
    with progress_bar(1, "readings", quiet or as_json) as advance:
        result = compute(scenario, model, parse_params(names, param or []), seed, workers=workers, scheduler=scheduler,
                         progress=advance)
    run_store = None if no_store else RunStore(store)
    ids = {name: [r["run_id"] for r in record(sc, results, run_store, command_line())["runs"]]
           for name, sc, results in result.runs}
    if as_json:
        sys.stdout.write(dumps({"scenario": {"name": scenario.name, "sha256": scenario.sha256},
                                **result.to_json(), "run_ids": ids}) + "\n")
        return
    perspectives_report(out, scenario, result, threshold, ids, str(store))
