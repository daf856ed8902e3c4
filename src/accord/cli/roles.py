"""``accord roles``: who pivots, brokers, spoils, enables, follows, holds out or stands alone."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from .. import __version__
from ..execution import progress_bar
from ..errors import UsageError
from ..render import actor_verdicts, roles_report
from ..role_analysis import SAMPLES, analyse
from ..runner import dumps, record
from ..store import DEFAULT_PATH, RunStore
from . import (FileArg, FormatOpt, JsonOpt, NoStoreOpt, ParamOpt, QuietOpt, SchedulerOpt, SeedOpt, StoreOpt, WorkersOpt,
               app, command_line, guarded, load, model_from, out)


@app.command()
@guarded
def roles(
    file: FileArg = None,
    model: Annotated[str, typer.Option(
        "--model", "-m", help="model whose runs the roles are measured on")] = "influence",
    param: ParamOpt = None,
    samples: Annotated[int, typer.Option(
        min=0, help="Monte Carlo samples of the evidence for the confidence (0: none)")] = SAMPLES,
    seed: SeedOpt = 0,
    actor: Annotated[Optional[str], typer.Option(
        "--actor", help="only this actor (its id): its roles, and the roles the sources assert of it under each "
                        "reading")] = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    fmt: FormatOpt = None,
    store: StoreOpt = DEFAULT_PATH,
    no_store: NoStoreOpt = False,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
) -> None:
    """Who pivots, holds a veto, brokers, spoils, enables, follows, holds out or stands alone, on
    which issue, how surely, and why; beside the roles the scenario's sources assert."""
    scenario = load(file, fmt).scenario
    if actor is not None and actor not in {a.id for a in scenario.actors}:
        raise UsageError(f"--actor {actor!r}: no such actor in {scenario.name}; its actors: "
                         f"{', '.join(a.id for a in scenario.actors)}")
    instance = model_from(model, param)
    with progress_bar(samples, f"{samples:,} samples x {len(scenario.actors) + 1} runs", quiet or as_json) as advance:
        result = analyse(scenario, instance, samples, seed, progress=advance, workers=workers, scheduler=scheduler)
    doc = record(scenario, [result.measures.run], None if no_store else RunStore(store), command_line())
    body = result.to_json() | {"run_id": doc["runs"][0]["run_id"], "version": __version__}
    if actor is not None:
        body |= {"actor": actor, "roles": [r for r in body["roles"] if r["actor"] == actor],
                 "comparison": [c for c in body["comparison"] if c["actor"] == actor]}
    if as_json:
        sys.stdout.write(dumps(body) + "\n")
    elif actor is not None:
        actor_verdicts(out, scenario, result, actor, body["run_id"])
    else:
        roles_report(out, scenario, result, body["run_id"])
