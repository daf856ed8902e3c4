"""Write docs/cli.md, the command-line reference, from the command line itself.

For every command and group of ``accord`` (in the order ``accord --help`` lists them), the
output of ``accord COMMAND --help`` at a fixed width: the reference cannot drift from the
program. ``--check`` exits 1 when the file is not current (tests/test_docs.py runs it).

    python tools/cli_reference.py            # rewrite docs/cli.md
    python tools/cli_reference.py --check    # is docs/cli.md current?
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The help's layout, fixed before typer and rich read the terminal: 100 columns, no colour.
os.environ.update({"TERMINAL_WIDTH": "100", "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
os.environ.pop("FORCE_COLOR", None)

import typer  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from accord.cli import app  # noqa: E402

TARGET = Path(__file__).resolve().parent.parent / "docs" / "cli.md"

HEAD = """# Command-line reference

Generated from the command line itself: `python tools/cli_reference.py` (run by `make docs`)
writes the output of `accord COMMAND --help` for every command; a test checks that this page
is current. Every command that reads a scenario takes a file in any supported format (see
[Concepts and formats](concepts.md)), or the name of a bundled scenario, by default the
bundled Korea scenario. Problems with inputs are printed as `file:line: field: what is wrong`,
all at once, with exit status 2. The [overview](getting-started.md#the-command-line) lists the
commands with one line each.
"""


def _help(args: list[str]) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], prog_name="accord", color=False, terminal_width=100)
    if result.exit_code != 0:
        raise SystemExit(f"accord {' '.join(args)} --help failed: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())


def _commands(command, path: list[str]) -> list[list[str]]:
    """Every command's path under ``command``, depth first, in the order the help lists them."""
    if not hasattr(command, "list_commands"):
        return []
    ctx = typer.Context(command, info_name=path[-1] if path else "accord")
    out = []
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if getattr(sub, "hidden", False):
            continue
        out.append([*path, name])
        out += _commands(sub, [*path, name])
    return out


def reference() -> str:
    root = typer.main.get_command(app)
    paths = _commands(root, [])
    lines = [HEAD, "```text", _help([]), "```", ""]
    for path in paths:
        lines += [f"{'#' * min(len(path) + 1, 4)} accord {' '.join(path)}", "", "```text", _help(path), "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = reference()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"docs/{TARGET.name} is not current: run `python tools/cli_reference.py`", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
