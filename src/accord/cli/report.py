"""``accord report``: the scenario, its evidence and every analysis in one document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..advice import check_actor
from ..errors import UsageError
from ..io import atomic_write
from ..models import registry
from ..role_analysis import SAMPLES as ROLE_SAMPLES
from ..runner import parse_params, record
from ..store import DEFAULT_PATH, RunStore
from ..execution import stage_bars
from . import (FileArg, Format, NoStoreOpt, ParamOpt, QuietOpt, SchedulerOpt, SeedOpt, StoreOpt, WorkersOpt, app,
               command_line, guarded, load, out)

SUFFIXES = {".html": "html", ".htm": "html", ".md": "md"}


@app.command()
@guarded
def report(
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="file to write: .html (one self-contained page) or .md (figures in a folder beside it)",
        show_default=False)],
    file: FileArg = None,
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help="model to run (repeatable; default: every model that can take the scenario)")] = None,
    param: ParamOpt = None,
    samples: Annotated[int, typer.Option(
        "--samples", "-n", min=0, help="Monte Carlo: draw this many scenarios from the evidence, for intervals")] = 0,
    seed: SeedOpt = 0,
    role_samples: Annotated[int, typer.Option(
        min=0, help="Monte Carlo samples for the roles' confidence")] = ROLE_SAMPLES,
    report_format: Annotated[Optional[str], typer.Option(
        "--format", help="html or md (default: from the output's suffix)")] = None,
    input_format: Annotated[Optional[Format], typer.Option(
        "--input-format", help="the scenario file's format (default: detected)")] = None,
    store: StoreOpt = DEFAULT_PATH,
    no_store: NoStoreOpt = False,
    advise: Annotated[Optional[list[str]], typer.Option(
        "--advise", help="add advice for this actor (its id; repeatable): its stakes and best levers")] = None,
    quiet: QuietOpt = False,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
) -> None:
    """Write a report: the scenario with its evidence, forecasts, trajectories, roles, perspectives,
    sensitivity and the actors' network, as one HTML page or as Markdown with its figures."""
    from ..report import build, render_html, write_markdown  # matplotlib: loaded only for a report

    kind = report_format or SUFFIXES.get(output.suffix.lower())
    if report_format is not None and kind not in ("html", "md"):
        raise UsageError(f"--format {report_format!r}: choose html or md")
    if kind is None:
        raise UsageError(f"cannot tell the report's format from {output.name!r}: name it .html, .htm or .md, or "
                         "give --format html or --format md")
    scenario = load(file, input_format).scenario
    for actor in advise or ():
        check_actor(scenario, actor)
    names = model or list(registry())
    with stage_bars(quiet) as stage:
        result = build(scenario, models=model, params=parse_params(names, param or []), samples=samples, seed=seed,
                       role_samples=role_samples, command=command_line(), workers=workers, scheduler=scheduler,
                       progress=stage, advise=advise or ())
    try:
        if kind == "html":
            atomic_write(output, render_html(result).encode("utf-8"))
            out.print(f"wrote {output}")
        else:
            figures = write_markdown(result, output)[1:]
            out.print(f"wrote {output} and its {len(figures)} figures in {output.with_name(output.stem + '_files')}/")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    if not no_store:
        doc = record(scenario, result.results, RunStore(store), command_line())
        out.print(f"runs recorded in {store}: {', '.join(r['run_id'] for r in doc['runs'])}")
