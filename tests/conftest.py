"""Shared fixtures: the reference data beside the repository, small scenarios, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.io import from_arrays
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
    return from_arrays(positions, salience, capability, scale=scale, reference=reference, actors=actors,
                       issues=issues, name="synthetic", assumption="synthetic test data")


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
