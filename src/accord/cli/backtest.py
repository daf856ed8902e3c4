"""``accord backtest``: models scored against the recorded outcomes of past negotiations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..backtest import backtest as run_backtest
from ..errors import UsageError
from ..io.deu import read_deu
from ..models import registry
from ..render import backtest_report, print_problems
from ..runner import dumps, parse_params
from ..execution import progress_bar
from . import JsonOpt, ParamOpt, QuietOpt, SchedulerOpt, SeedOpt, WorkersOpt, app, err, guarded, out


@app.command()
@guarded
def backtest(
    file: Annotated[Path, typer.Argument(help="file of negotiations with known outcomes (DEU issue table)")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="the file's format: deu")] = "deu",
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help="model to score (repeatable; default: every registered model)")] = None,
    param: ParamOpt = None,
    capabilities: Annotated[str, typer.Option(
        help="capabilities: equal, council (Council votes by treaty period) or procedure (council; the "
             "Parliament left out under consultation)")] = "council",
    samples: Annotated[int, typer.Option(
        "--samples", "-n", min=0, help="Monte Carlo samples per issue, to score the models' 50%/80% intervals")] = 0,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
) -> None:
    """Score models against recorded outcomes: MAE and more, each against the compromise model."""
    if fmt != "deu":
        raise UsageError(f"--format {fmt!r}: backtests read DEU issue tables (--format deu)")
    data = read_deu(file, capabilities)
    if data.warnings:
        print_problems(err, data.warnings)
    names = model or list(registry())
    params = parse_params(names, param or [])
    with progress_bar(len(data.issues) * len(names), "forecasts", quiet or as_json) as advance:
        doc = run_backtest(data, names, params, seed, samples, progress=advance, workers=workers, scheduler=scheduler)
    if as_json:
        sys.stdout.write(dumps(doc) + "\n")
    else:
        backtest_report(out, doc)
