"""Shared fixtures: the reference data beside the repository, small scenarios, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.checks import build
from accord.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
KOREA = ROOT / "scenarios" / "korea-2018.yaml"


def shared(*parts: str) -> Path:
    """A file of the shared reference data; the test is skipped where that folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not available: shared/{'/'.join(parts)}")
    return path


def make_scenario(positions, salience, capability, *, scale=(0.0, 100.0), reference=None, actors=None,
                  issues=None) -> Scenario:
    """A scenario from arrays (actors x issues); NaN positions leave an actor out of an issue."""
    import math

    n_a, n_i = len(positions), len(positions[0])
    actors = actors or [f"A{a}" for a in range(n_a)]
    issues = issues or [f"i{i}" for i in range(n_i)]
    raw = {
        "name": "synthetic",
        "assumption": "synthetic test data",
        "issues": [{"id": issues[i], "scale": {"min": scale[0], "max": scale[1]},
                    **({"reference": reference[i]} if reference is not None and reference[i] is not None else {})}
                   for i in range(n_i)],
        "actors": [{"id": actors[a], "capability": capability[a],
                    "issues": {issues[i]: {"position": positions[a][i], "salience": salience[a][i]}
                               for i in range(n_i) if not math.isnan(positions[a][i])}}
                   for a in range(n_a)],
    }
    return build(raw)[0]


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Invoke the command line in an empty working folder; returns (exit code, stdout, stderr)."""
    from accord.cli import app

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke
