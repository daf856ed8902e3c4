"""Start-up: what each command imports, not how long it takes (benchmarks/all.py times it).

`accord --help` lists every command without importing any of them, and a forecast loads the
readers, models and renderers it uses, never pandas, matplotlib or the dashboard.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from accord.cli import COMMANDS, app

from .conftest import KOREA

HEAVY = {"pandas", "matplotlib", "scipy", "fastapi", "numba", "jinja2", "openpyxl", "SALib", "distributed"}


def _imported_after(*argv: str) -> dict:
    """Run ``accord ARGV`` in a fresh interpreter; the top-level packages and accord modules it
    imported."""
    code = (
        "import contextlib, io, json, sys\n"
        "from accord.cli import main\n"
        f"sys.argv = ['accord', *{list(argv)!r}]\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exc:\n"
        "        code = exc.code\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    found["top"] = {m.split(".")[0] for m in found["modules"]}
    return found


def test_help_imports_no_command_and_none_of_the_library():
    found = _imported_after("--help")
    assert found["code"] in (0, None)
    assert not found["top"] & (HEAVY | {"numpy", "pydantic", "yaml"})
    assert [m for m in found["modules"] if m.startswith("accord")] == ["accord", "accord.cli", "accord.errors"]


@pytest.mark.parametrize("name", ["korea-2018", str(KOREA)])
def test_a_forecast_imports_neither_pandas_nor_the_figures_nor_the_dashboard(name, tmp_path):
    found = _imported_after("forecast", name, "-m", "mean", "--store", str(tmp_path / "runs.sqlite"))
    assert found["code"] in (0, None)
    assert not found["top"] & HEAVY
    assert "accord.cli.forecast" in found["modules"]
    assert not {"accord.cli.report", "accord.cli.serve", "accord.report", "accord.web"} & set(found["modules"])


def test_the_help_lists_every_command_with_its_own_help():
    """COMMANDS, which `accord --help` shows without importing the commands, says what the
    commands themselves say, in the same order, and misses none."""
    for module in dict.fromkeys(m for m, _ in COMMANDS.values()):
        __import__(f"accord.cli.{module}")
    group = typer.main.get_group(app)  # its commands in the order their modules were imported
    assert set(group.commands) == set(COMMANDS) and group.list_commands(None) == list(COMMANDS)
    for name, cmd in group.commands.items():
        module, summary = COMMANDS[name]
        assert cmd.help == summary, name
        if cmd.callback is not None and not isinstance(cmd, typer.core.TyperGroup):
            assert cmd.callback.__module__ == f"accord.cli.{module}", name


def _help(eager: bool) -> str:
    imports = "".join(f"import accord.cli.{m}\n" for m in dict.fromkeys(m for m, _ in COMMANDS.values())) if eager \
        else ""
    code = f"import sys\n{imports}from accord.cli import main\nsys.argv = ['accord', '--help']\nmain()\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "100", "TERMINAL_WIDTH": "100"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_lazy_help_is_the_eager_help():
    """The listing made from COMMANDS, in a fresh process, and the one made from the imported
    commands are the same text."""
    lazy = _help(eager=False)
    assert lazy == _help(eager=True) and "forecast" in lazy and "evidence" in lazy


def test_version_and_a_command_run_after_lazy_loading(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("accord ")
    code, _, err = cli("nonsense")
    assert code == 2 and "No such command" in err


def test_the_package_imports_only_its_declared_dependencies_of_the_command_line():
    """click is not a dependency of accord: Typer carries its own (newer Typer vendors it), so a core
    install (`make demo`) has no click to import."""
    import ast

    root = Path(__file__).resolve().parents[1] / "src" / "accord"
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(root)}: {n}" for n in names if n.split(".")[0] == "click"]
    assert not found, found
