"""benchmarks/all.py runs and prints its table (a smoke run of one cheap row; no timing judged)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "all.py"


def test_all_prints_one_table_with_every_column(tmp_path):
    page = tmp_path / "benchmarks.md"
    done = subprocess.run([sys.executable, str(BENCH), "--quick", "--only", "help", "--markdown", str(page)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("work "))
    for column in ("now", "target", "met", "work done", "lower bound (how)", "ratio to the bound", "peak MiB"):
        assert column in header
    row = next(line for line in lines if line.startswith("`accord --help`"))
    assert "<= 0.3 s" in row and "1 process" in row and "x " in row
    text = page.read_text()
    assert text.startswith("# Benchmarks") and "| `accord --help` (whole process) |" in text
    assert "cores" in text and "UTC" in text and "**Lower bounds.**" in text


def test_an_unknown_row_is_refused_by_name():
    done = subprocess.run([sys.executable, str(BENCH), "--only", "nope"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "invalid choice: 'nope'" in done.stderr
