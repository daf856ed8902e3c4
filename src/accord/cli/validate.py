"""``accord validate``, ``convert``, ``schema`` and ``models``: scenario files, their formats, the models."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..io import read_deu, write_scenario
from ..models import registry
from ..render import print_problems
from ..scenario import Scenario
from ..views import evidence_summary
from . import FileArg, Format, FormatOpt, TextsOpt, app, err, guarded, load, out


@app.command()
@guarded
def validate(file: FileArg = None, fmt: FormatOpt = None, texts: TextsOpt = None) -> None:
    """Check a scenario file and report every problem at once."""
    loaded = load(file, fmt, texts)
    s = loaded.scenario
    n = evidence_summary(s, loaded.path.parent, texts or [])
    out.print(f"[green]ok[/green]: {escape(loaded.path.name)} ({loaded.format}): {escape(repr(s.name))}: "
              f"{n.actors} actors, {n.issues} issues, {n.stances} stances")
    out.print(f"evidence: {n.claims} claims from {n.sources} sources; {n.assumed} values rest on a stated assumption"
              + (f"; every value without either is covered by the file's assumption: {s.assumption!r}"
                 if s.assumption else ""))
    if s.sources:
        out.print(f"quotes checked verbatim against the texts of {len(n.checked)} of {n.sources} sources"
                  + (f" ({', '.join(n.checked)})" if n.checked else " (give --texts DIR to check them)"))
    out.print(f"sha256 {s.sha256}")


@app.command()
@guarded
def convert(
    source: Annotated[str, typer.Argument(help="scenario file to read")],
    target: Annotated[Path, typer.Argument(help="file to write (.yaml, .csv, .xlsx, .txt); for DEU, a folder")],
    fmt: FormatOpt = None,
    to: Annotated[Optional[Format], typer.Option("--to", "-t", help="format to write (default: from the name)")] = None,
) -> None:
    """Convert a scenario between formats (YAML, table, KTAB, decide); a DEU file to one YAML file per issue
    in the folder TARGET."""
    if fmt is not None and fmt.value == "deu":
        data = read_deu(source)
        if data.warnings:
            print_problems(err, data.warnings)
        for issue, scenario in zip(data.issues, data.scenarios()):
            write_scenario(scenario, target / f"{issue.issue}.yaml")
        out.print(f"wrote {len(data.issues)} scenarios to {target}/")
        return
    loaded = load(source, fmt)
    warnings = write_scenario(loaded.scenario, target, to.value if to else None)
    if warnings:
        print_problems(err, warnings)
    out.print(f"wrote {target}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the YAML scenario form."""
    data = Scenario.model_json_schema()
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "accord scenario"
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


@app.command()
def models() -> None:
    """List the registered models and their parameters."""
    table = Table("model", "what it computes", "parameters (default)", box=None, header_style="bold")
    for name, cls in registry().items():
        from_preset = "preset" in cls.Params.model_fields  # None means: the preset decides
        params = ", ".join(f"{k}={'(preset)' if f.default is None and from_preset else repr(f.default)}"
                           for k, f in cls.Params.model_fields.items()) or "—"
        table.add_row(name, cls.summary, params)
    out.print(table)
