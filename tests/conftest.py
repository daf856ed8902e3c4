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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding slow tests first, each file's tests kept together and in order: a parallel run
    (`make test`: one file per worker at a time) starts its longest work first instead of ending on it."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


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
def in_empty_folder(tmp_path, monkeypatch):
    """Run the test in an empty working folder, so that what a command keeps there (the run store in
    .accord/) is the test's own and never lands in the repository or in a parallel test's way."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


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


@pytest.fixture
def unprivileged(tmp_path_factory):
    """Run ``python -m accord ARGS`` as a user whom file permissions bind: this one, or `nobody` when the
    tests run as root (root writes through any chmod). Returns (runner, a folder that user can enter)."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="accord-perm-"))  # not under pytest's 0700 folder: `nobody` enters it
    folder.chmod(0o777)

    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if root and shutil.which("setpriv") else []

    def run(*args: str, cwd: Path = folder) -> subprocess.CompletedProcess:
        user = {"user": 65534, "group": 65534, "extra_groups": []} if root and not nobody else {}
        try:
            done = subprocess.run([*nobody, sys.executable, "-m", "accord", *map(str, args)], cwd=cwd,
                                  capture_output=True, text=True, timeout=300,
                                  env={**os.environ, "HOME": str(folder)}, **user)
        except PermissionError:  # the interpreter is out of that user's reach
            done = None
        if root and (done is None or "No module named" in done.stderr or done.returncode == 126):
            pytest.skip("running as root, and accord cannot run as an unprivileged user here")
        return done

    yield run, folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder)
