"""``accord seal``, ``grade`` and ``verify``: forecasts sealed before their outcome is known."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..ledger import DEFAULT_PATH as LEDGER_PATH
from ..ledger import grade as grade_run
from ..ledger import seal as seal_run
from ..ledger import verify as verify_ledger
from ..render import print_problems
from ..store import DEFAULT_PATH, RunStore
from . import StoreOpt, app, err, guarded, out

LedgerOpt = Annotated[Path, typer.Option("--ledger", help="ledger file")]


@app.command()
@guarded
def seal(run_id: Annotated[str, typer.Argument(help="run id (a unique prefix, or `latest`), from `accord runs list`")],
         store: StoreOpt = DEFAULT_PATH, ledger: LedgerOpt = LEDGER_PATH) -> None:
    """Seal a recorded forecast before its outcome is known: append its hashes to the ledger."""
    rec, restored = seal_run(run_id, RunStore(store), ledger)
    _restored_note(restored, ledger)
    out.print(f"sealed run {rec['run_id']} as record {rec['seq']} of {ledger}: inputs {rec['inputs_sha256'][:12]}, "
              f"forecast {rec['result_sha256'][:12]}, record hash {rec['hash'][:12]}")


@app.command()
@guarded
def grade(run_id: Annotated[str, typer.Argument(help="a sealed run's id (or a unique prefix, or `latest`)")],
          outcome: Annotated[list[str], typer.Option(
              "--outcome", "-o", help="ISSUE=VALUE: the recorded outcome of an issue (repeatable)")],
          store: StoreOpt = DEFAULT_PATH, ledger: LedgerOpt = LEDGER_PATH) -> None:
    """Record the outcomes of a sealed forecast and its errors in the ledger."""
    rec, restored = grade_run(run_id, outcome, RunStore(store), ledger)
    _restored_note(restored, ledger)
    for issue, value in rec["outcome"].items():
        error = rec["error"][issue]
        out.print(f"{issue}: outcome {value:g}, absolute error {'—' if error is None else f'{error:.2f}'}")
    out.print(f"graded run {rec['run_id']} as record {rec['seq']} of {ledger}")


def _restored_note(restored: int, ledger: Path) -> None:
    if restored:
        err.print(f"[yellow]note:[/yellow] {restored} record{'s' * (restored != 1)} missing at the end of {ledger} "
                  "(removed, or a write cut short) written back from the run store's anchor")


@app.command()
@guarded
def verify(store: StoreOpt = DEFAULT_PATH, ledger: LedgerOpt = LEDGER_PATH) -> None:
    """Check the ledger (its records, chain and anchor in the run store) and re-run every sealed forecast;
    exit 1 if anything fails."""
    problems, checks = verify_ledger(RunStore(store), ledger)
    if problems:
        print_problems(err, problems, "the ledger is broken:")
    for c in checks:
        out.print(f"{'[green]ok[/green]' if c.ok else '[red]FAILED[/red]'} record {c.seq} run {c.run_id}: "
                  f"{escape(c.message)}")
    failed = len(problems) + sum(not c.ok for c in checks)
    out.print(f"{len(checks)} sealed forecasts checked; {failed} problem{'s' * (failed != 1)}")
    if failed:
        raise typer.Exit(1)
