"""The ``accord`` command line: parses options, calls the library, prints.

One module per command or group of commands (:mod:`.forecast`, :mod:`.runs`, ...), each
short: it parses, calls the library, and lays out the view models of :mod:`accord.views`
with :mod:`accord.render`. This module holds the application, the options the commands
share, and how errors reach the user: every command that reads a scenario takes
``--format``; problems with inputs are printed as ``file:line: field: what is wrong`` to
standard error with exit status 2, never a traceback.
"""

from __future__ import annotations

import functools
import shlex
import sys
import warnings
from enum import Enum
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from .. import __version__
from ..errors import AccordError, InputError, Problem
from ..io import FORMATS, Loaded, read_scenario
from ..models import Model, get_model
from ..render import print_problems
from ..runner import parse_params

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Model and forecast multi-party negotiations.")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one problem per line, whatever its length
for _console in (out, err):
    if not _console.is_terminal:  # piped or captured: wide lines rather than folded tables
        _console.width = max(_console.width, 120)

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
    return Path(str(files("accord") / "scenarios" / f"{name}.yaml"))


def load(file: str | None, fmt: Format | None, texts: list[Path] | None = None) -> Loaded:
    """Read the scenario a command names (a file, a bundled scenario's name, or by default the
    bundled Korea scenario), its warnings printed to standard error."""
    path = Path(file) if file else bundled(DEFAULT_SCENARIO)
    if file and not path.exists() and bundled(file).is_file():
        path = bundled(file)
    loaded = read_scenario(path, fmt.value if fmt else None, texts=texts or ())
    if loaded.warnings:
        print_problems(err, loaded.warnings)
    return loaded


def model_from(name: str, param: list[str] | None) -> Model:
    """The named model with the ``--param`` settings given for it."""
    return get_model(name)(**parse_params([name], param or [])[name])


def command_line() -> str:
    """The command as typed, to record with the runs it makes."""
    return " ".join(shlex.quote(a) for a in ["accord", *sys.argv[1:]])


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="print the version and exit")] = False) -> None:
    if version:
        out.print(f"accord {__version__}")
        raise typer.Exit()


def _show_warning(message, category, filename, lineno, file=None, line=None, _default=warnings.showwarning):
    """A plug-in that failed to load: one line on standard error, as a file's warnings are."""
    from ..models import PluginWarning

    if issubclass(category, PluginWarning):
        print_problems(err, [Problem(str(message), severity="warning")])
    else:
        _default(message, category, filename, lineno, file, line)


def main() -> None:
    """The ``accord`` program."""
    warnings.showwarning = _show_warning
    app()


# The commands register themselves on ``app`` when imported; `accord --help` lists them in this order.
from . import (  # noqa: E402
    forecast,
    explain,
    perspectives,
    sensitivity,
    roles,
    backtest,
    ledger,
    validate,
    report,
    serve,
    runs,
    evidence,
    advise,
)

__all__ = ["app", "main", "advise", "backtest", "evidence", "explain", "forecast", "ledger", "perspectives", "report",
           "roles", "runs", "sensitivity", "serve", "validate"]
