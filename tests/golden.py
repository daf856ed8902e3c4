"""Outputs pinned before a refactoring: the JSON of every analysis on Korea and on the DEU dev split.

``python -m tests.golden`` (from the repository root) writes ``tests/data/golden/*.json``;
``tests/test_golden.py`` checks that the same commands print the same numbers. Run ids, times
and the version are left out; floats are compared to 1e-12 relative, so that a change in the
order of a sum (not of the model) is not a failure, while any change of the model is.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"
KOREA = str(ROOT / "scenarios" / "korea-2018.yaml")
DEU = str(ROOT / "data" / "deu3" / "deu3-dev.csv")

#: name -> command line (after `accord`); every one prints JSON.
COMMANDS: dict[str, list[str]] = {
    "korea-forecast": ["forecast", KOREA, "--json", "--no-store", "--samples", "30", "--seed", "1"],
    "korea-roles": ["roles", KOREA, "--json", "--samples", "10", "--seed", "2", "-q"],
    "korea-sensitivity": ["sensitivity", KOREA, "--json", "-m", "eum", "--seed", "3"],
    "korea-perspectives": ["perspectives", KOREA, "--json", "--no-store", "--seed", "4"],
    "deu-backtest": ["backtest", DEU, "--format", "deu", "--json", "-m", "mean", "-m", "median", "-m", "eum",
                     "-m", "nash", "--samples", "10", "--seed", "5", "-q"],
}
VOLATILE = {"run_id", "created", "version", "elapsed", "command"}


def run(name: str) -> object:
    from accord.cli import app

    result = CliRunner().invoke(app, COMMANDS[name], catch_exceptions=False)
    if result.exit_code != 0:
        raise RuntimeError(f"{name}: exit {result.exit_code}: {result.stderr}")
    return strip(json.loads(result.stdout))


def strip(doc: object) -> object:
    if isinstance(doc, dict):
        return {k: strip(v) for k, v in doc.items() if k not in VOLATILE}
    if isinstance(doc, list):
        return [strip(v) for v in doc]
    return doc


if __name__ == "__main__":
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name in sys.argv[1:] or COMMANDS:
        (GOLDEN / f"{name}.json").write_text(json.dumps(run(name), sort_keys=True, separators=(",", ":")) + "\n")
        print("wrote", name)
