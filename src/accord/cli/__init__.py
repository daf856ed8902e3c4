"""The ``accord`` command line: parses options, calls the library, prints.

One module per command or group of commands (:mod:`.forecast`, :mod:`.runs`, ...), each
short: it parses, calls the library, and lays out the view models of :mod:`accord.views`
with :mod:`accord.render`. This module holds the application, the options the commands
share, and how errors reach the user: every command that reads a scenario takes
``--format``; problems with inputs are printed as ``file:line: field: what is wrong`` to
standard error with exit status 2, never a traceback.

A command's module is imported only when the command runs (or shows its own help), so that
``accord --help`` loads none of the library and ``accord forecast`` only what forecasting
needs; :data:`COMMANDS` lists the commands and their one-line help for ``accord --help``.
"""

from __future__ import annotations

import functools
import importlib
import shlex
import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from ..errors import AccordError, InputError, Problem

if TYPE_CHECKING:
    from ..io import Loaded
    from ..models import Model

#: Every command, in the order `accord --help` lists them: the module that defines it and its
#: help's first paragraph (the command's docstring; tests/test_cli.py checks both).
COMMANDS: dict[str, tuple[str, str]] = {
    "forecast": ("forecast", "Forecast each issue of a scenario under one or more models, and record the runs."),
    "explain": ("explain", "Tell a model's run as a story: round by round, who moves toward whom, and why the "
                           "forecast moves."),
    "perspectives": ("perspectives", "The forecast under each source's own reading, side by side, and where the "
                                     "readings diverge."),
    "sensitivity": ("sensitivity", "Which inputs move each issue's forecast (a one-at-a-time tornado, Sobol "
                                   "indices), and locked forecasts."),
    "roles": ("roles", "Who pivots, holds a veto, brokers, spoils, enables, follows, holds out or stands alone, on\n"
                       "which issue, how surely, and why; beside the roles the scenario's sources assert."),
    "backtest": ("backtest", "Score models against recorded outcomes: MAE and more, each against the compromise "
                             "model."),
    "seal": ("ledger", "Seal a recorded forecast before its outcome is known: append its hashes to the ledger."),
    "grade": ("ledger", "Record the outcomes of a sealed forecast and its errors in the ledger."),
    "verify": ("ledger", "Check the ledger (its records, chain and anchor in the run store) and re-run every sealed "
                         "forecast;\nexit 1 if anything fails."),
    "validate": ("validate", "Check a scenario file and report every problem at once."),
    "convert": ("validate", "Convert a scenario between formats (YAML, table, KTAB, decide); a DEU file to one YAML "
                            "file per issue\nin the folder TARGET."),
    "schema": ("validate", "Print the JSON Schema of the YAML scenario form."),
    "models": ("validate", "List the registered models and their parameters."),
    "report": ("report", "Write a report: the scenario with its evidence, forecasts, trajectories, roles, "
                         "perspectives,\nsensitivity and the actors' network, as one HTML page or as Markdown with "
                         "its figures."),
    "serve": ("serve", "Serve the dashboard: open a scenario, edit its inputs, run models, see roles, runs and "
                       "reports."),
    "runs": ("runs", "Browse and export the recorded runs."),
    "sweep": ("runs", "Monte Carlo sweeps: list them, resume an interrupted one."),
    "evidence": ("evidence", "Find claims in articles, review them, merge them into a scenario."),
    "advise": ("advise", "What ACTOR has at stake on each issue, and its levers ranked by gain per unit of change,\n"
                         "under every model and every source's reading."),
}


class Commands(TyperGroup):
    """The command group: a command's module is imported when the command is looked up to run;
    the group's own help lists the commands from :data:`COMMANDS` without importing them."""

    listing = False

    # Typer carries its own click (typer >= 0.2x vendors it): no import of click itself.
    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, summary = COMMANDS[cmd_name]
            if self.listing:
                return TyperCommand(cmd_name, help=summary)
            importlib.import_module(f"{__name__}.{module}")  # its commands register on `app`
            self.commands.update(typer.main.get_group(app).commands)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(cls=Commands, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Model and forecast multi-party negotiations.")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one problem per line, whatever its length
for _console in (out, err):
    if not _console.is_terminal:  # piped or captured: wide lines rather than folded tables
        _console.width = max(_console.width, 120)

FORMATS = ("yaml", "table", "ktab", "decide", "deu")  # accord.io.FORMATS, without importing the readers
Format = Enum("Format", {f: f for f in FORMATS}, type=str)  # type: ignore[misc]
DEFAULT_SCENARIO = "korea-2018"

FileArg = Annotated[Optional[str], typer.Argument(
    help=f"scenario file (YAML, table CSV/XLSX, KTAB CSV/XML, decide); default: the bundled {DEFAULT_SCENARIO} "
         "scenario", show_default=False)]
FormatOpt = Annotated[Optional[Format], typer.Option("--format", "-f", help="the file's format (default: detected)")]
TextsOpt = Annotated[Optional[list[Path]], typer.Option(
    "--texts", help="folder holding sources' full texts, to check quotes verbatim (repeatable)")]
StoreOpt = Annotated[Path, typer.Option("--store", help="run store file")]
ParamOpt = Annotated[Optional[list[str]], typer.Option(
    "--param", "-p", help="model parameter key=value, or model.key=value (repeatable)")]
SeedOpt = Annotated[int, typer.Option(help="seed of every random choice; equal seeds give equal results")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the JSON document instead of tables")]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="do not record the runs")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")]
WorkersOpt = Annotated[int, typer.Option(min=1, help="local worker processes (the same results for any number)")]
SchedulerOpt = Annotated[Optional[str], typer.Option(help="address of a Dask scheduler to run on (extra `cluster`)")]


def guarded(fn):
    """Report accord's errors as messages with exit status 2, never as tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            from ..render import print_problems

            print_problems(err, exc.problems, "cannot use this input:")
            raise typer.Exit(2) from None
        except AccordError as exc:
            err.print(f"[bold red]error:[/bold red] {escape(str(exc))}")
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def bundled(name: str) -> Path:
    """The path of a scenario shipped with accord.

    >>> bundled("korea-2018").name
    'korea-2018.yaml'
    """
    from importlib.resources import files

    return Path(str(files("accord") / "scenarios" / f"{name}.yaml"))


def load(file: str | None, fmt: Format | None, texts: list[Path] | None = None) -> Loaded:
    """Read the scenario a command names (a file, a bundled scenario's name, or by default the
    bundled Korea scenario), its warnings printed to standard error."""
    from ..io import read_scenario
    from ..render import print_problems

    path = Path(file) if file else bundled(DEFAULT_SCENARIO)
    if file and not path.exists() and bundled(file).is_file():
        path = bundled(file)
    loaded = read_scenario(path, fmt.value if fmt else None, texts=texts or ())
    if loaded.warnings:
        print_problems(err, loaded.warnings)
    return loaded


def model_from(name: str, param: list[str] | None) -> Model:
    """The named model with the ``--param`` settings given for it."""
    from ..models import get_model
    from ..runner import parse_params

    return get_model(name)(**parse_params([name], param or [])[name])


def command_line() -> str:
    """The command as typed, to record with the runs it makes."""
    return " ".join(shlex.quote(a) for a in ["accord", *sys.argv[1:]])


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="print the version and exit")] = False) -> None:
    if version:
        from .. import __version__

        out.print(f"accord {__version__}")
        raise typer.Exit()


def _show_warning(message, category, filename, lineno, file=None, line=None, _default=warnings.showwarning):
    """A plug-in that failed to load: one line on standard error, as a file's warnings are."""
    from ..models import PluginWarning
    from ..render import print_problems

    if issubclass(category, PluginWarning):
        print_problems(err, [Problem(str(message), severity="warning")])
    else:
        _default(message, category, filename, lineno, file, line)


def main() -> None:
    """The ``accord`` program."""
    warnings.showwarning = _show_warning
    app()


__all__ = ["COMMANDS", "app", "main"]
