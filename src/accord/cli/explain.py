"""``accord explain``: a model's run told round by round."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape

from ..errors import UsageError
from ..narrate import story
from ..runner import record
from ..store import DEFAULT_PATH, RunStore
from . import (FileArg, FormatOpt, NoStoreOpt, ParamOpt, SeedOpt, StoreOpt, app, command_line, guarded, load,
               model_from, out)


@app.command()
@guarded
def explain(
    file: FileArg = None,
    model: Annotated[str, typer.Option("--model", "-m", help="model whose run to tell")] = "eum",
    param: ParamOpt = None,
    issue: Annotated[Optional[list[str]], typer.Option("--issue", "-i", help="only these issues (repeatable)")] = None,
    seed: SeedOpt = 0,
    fmt: FormatOpt = None,
    store: StoreOpt = DEFAULT_PATH,
    no_store: NoStoreOpt = False,
) -> None:
    """Tell a model's run as a story: round by round, who moves toward whom, and why the forecast moves."""
    scenario = load(file, fmt).scenario
    unknown = [i for i in issue or [] if i not in scenario.issue_ids]
    if unknown:
        raise UsageError(f"unknown issue {', '.join(unknown)}; the scenario's issues: {', '.join(scenario.issue_ids)}")
    instance = model_from(model, param)
    result = instance.run(scenario, seed=seed)
    doc = record(scenario, [result], None if no_store else RunStore(store), command_line())
    params = ", ".join(f"{k}={v}" for k, v in result.params.items() if v is not None)
    out.print(f"[bold]{escape(scenario.name)}[/bold] under [bold]{model}[/bold] ({escape(params)})"
              + (f"  [dim]run {doc['runs'][0]['run_id']}[/dim]" if doc["runs"][0]["run_id"] else ""))
    for chapter in story(result, scenario):
        if issue and chapter.issue not in issue:
            continue
        out.print(f"\n[bold]{escape(chapter.title)}[/bold]")
        for rnd, lines in chapter.rounds:
            for k, line in enumerate(lines):
                out.print(f"  {'Round ' + str(rnd) if k == 0 else '':<9}{escape(line)}")
        out.print(f"  [bold]{escape(chapter.ending)}[/bold]")
