"""``accord runs`` (list, show, export the recorded runs) and ``accord sweep`` (Monte Carlo sweeps)."""

from __future__ import annotations

import csv
import io
import json
import sys
from contextlib import ExitStack
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from ..io import atomic_write
from ..render import print_forecast
from ..runner import document, dumps, record
from ..store import DEFAULT_PATH, RunStore
from ..views import draws_of
from . import JsonOpt, QuietOpt, StoreOpt, app, command_line, err, guarded, out

runs_app = typer.Typer(no_args_is_help=True, help="Browse and export the recorded runs.")
app.add_typer(runs_app, name="runs")
sweep_app = typer.Typer(no_args_is_help=True, help="Monte Carlo sweeps: list them, resume an interrupted one.")
app.add_typer(sweep_app, name="sweep")


# -- sweeps -------------------------------------------------------------------------------------


@sweep_app.command("resume")
@guarded
def sweep_resume(
    sweep_id: str,
    store: StoreOpt = DEFAULT_PATH,
    workers: Annotated[int, typer.Option(min=1, help="local worker processes")] = 1,
    scheduler: Annotated[Optional[str], typer.Option(help="address of a Dask scheduler")] = None,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Finish an interrupted sweep: only the batches not yet stored are computed.

    A sweep another process is running is not resumed (that process holds its lock)."""
    from ..execution import progress_bar
    from ..experiment import open_sweep, resume_sweep

    run_store = RunStore(store)
    with ExitStack() as held:
        sweep = open_sweep(run_store, sweep_id, held)
        scenario, skipped = sweep.scenario, sweep.spec.get("skipped", [])
        if sweep.finished:
            doc = document(scenario, sweep.runs(), skipped)
            draws = [np.concatenate([sweep.done[k][m] for k in sorted(sweep.done)]) for m in sweep.spec["models"]]
            err.print(f"sweep {sweep_id} was already finished")
        else:
            err.print(f"sweep {sweep_id}: {len(sweep.done)} of {sweep.batches} batches stored; computing the rest")
            with progress_bar(sweep.spec["samples"], f"{sweep.spec['samples']:,} samples", quiet) as advance:
                results = resume_sweep(sweep, workers=workers, scheduler=scheduler, progress=advance)
            doc = record(scenario, results, run_store, command_line(), skipped)
            draws = draws_of(results)
            run_store.finish_sweep(sweep_id, [r["run_id"] for r in doc["runs"]])
    if as_json:
        sys.stdout.write(dumps(doc) + "\n")
    else:
        print_forecast(out, scenario, doc, str(store), draws)


@sweep_app.command("list")
@guarded
def sweep_list(store: StoreOpt = DEFAULT_PATH) -> None:
    """List sweeps, newest first: how many batches each has stored, and whether it is complete, running
    (a process holds it) or interrupted."""
    rows = RunStore(store).sweeps()
    if not rows:
        out.print(f"no sweeps in {store}")
    for s in rows:
        state = {"complete": "complete",
                 "running": f"[cyan]running[/cyan] ({escape(s.holder or 'another process')})",
                 "interrupted": f"[yellow]interrupted: accord sweep resume {s.sweep_id}[/yellow]"}[s.state]
        out.print(f"{s.sweep_id}  {s.created[:19].replace('T', ' ')}  {s.done}/{s.batches} batches  {state}")


# -- runs ---------------------------------------------------------------------------------------


@runs_app.command("list")
@guarded
def runs_list(store: StoreOpt = DEFAULT_PATH,
              limit: Annotated[int, typer.Option(help="show at most this many, newest first")] = 50) -> None:
    """List recorded runs, newest first."""
    records = RunStore(store).list(limit)
    if not records:
        out.print(f"no runs recorded in {store}")
        return
    table = Table(box=None, header_style="bold")
    for name in ("run id", "created (UTC)", "model"):
        table.add_column(name, no_wrap=True)
    table.add_column("scenario", no_wrap=True, overflow="ellipsis", max_width=40)
    table.add_column("sha256", no_wrap=True)
    table.add_column("seed", no_wrap=True)
    for r in records:
        table.add_row(r.run_id, r.created[:19].replace("T", " "), r.model, r.scenario_name, r.scenario_sha256[:12],
                      str(r.seed))
    out.print(table)


@runs_app.command("show")
@guarded
def runs_show(run_id: str, store: StoreOpt = DEFAULT_PATH,
              as_json: Annotated[bool, typer.Option("--json", help="print the run's JSON document")] = False) -> None:
    """Reprint a recorded run."""
    run_store = RunStore(store)
    rec = run_store.get(run_id)
    scenario = rec.scenario(run_store)
    doc = document(scenario, [rec.result])
    if as_json:
        sys.stdout.write(dumps(doc) + "\n")
        return
    out.print(f"run {rec.run_id}: {rec.model} {escape(json.dumps(rec.params))} seed {rec.seed}; made {rec.created} "
              f"by accord {rec.accord_version}" + (f"\n[dim]{escape(rec.command)}[/dim]" if rec.command else ""))
    print_forecast(out, scenario, doc, draws=[run_store.draws(rec.run_id, rec.model)])


class ExportFormat(str, Enum):
    json = "json"
    csv = "csv"


@runs_app.command("export")
@guarded
def runs_export(
    run_id: str,
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", "-f", help="json: the whole record; csv: one table")] = ExportFormat.json,
    table: Annotated[str, typer.Option(help="with csv: forecast, rounds, summary, or a model table")] = "forecast",
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="file to write (default: standard output)")] = None,
    store: StoreOpt = DEFAULT_PATH,
) -> None:
    """Export a recorded run: the whole record as JSON, or one of its tables as CSV."""
    run_store = RunStore(store)
    rec = run_store.get(run_id)
    text = dumps(rec.export(run_store)) if fmt is ExportFormat.json else csv_text(rec.table(table))
    if output:
        atomic_write(output, text.encode("utf-8"))
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def csv_text(rows: list[dict]) -> str:
    """Records as CSV, one column per key in the order the keys first appear."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, list(dict.fromkeys(k for row in rows for k in row)), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()
