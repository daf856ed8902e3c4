"""`accord serve --workers N`: N server processes, each making the same app from the environment."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from accord.web import SETTINGS, allowed_hosts  # noqa: E402
from accord.web.app import from_environment  # noqa: E402

from .conftest import KOREA  # noqa: E402


def test_a_worker_serves_the_folder_and_store_its_environment_names(tmp_path, monkeypatch):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(KOREA, folder / "korea-2018.yaml")
    monkeypatch.setenv(SETTINGS, json.dumps({"folder": str(folder), "store": str(tmp_path / "runs.sqlite"),
                                             "hosts": allowed_hosts("127.0.0.1", 8000)}))
    client = TestClient(from_environment(), base_url="http://127.0.0.1:8000")
    assert client.get("/").status_code == 200 and "korea-2018.yaml" in client.get("/").text
    r = client.post("/scenario/korea-2018.yaml/forecast", data={"model": "mean", "samples": 0, "seed": 0},
                    headers={"Origin": "http://127.0.0.1:8000"})
    assert r.status_code == 200 and (tmp_path / "runs.sqlite").exists()
    assert TestClient(from_environment(), base_url="http://evil.example").get("/").status_code == 400


def test_serve_passes_the_number_of_workers_on(cli, tmp_path, monkeypatch):
    import accord.cli.serve as serve_command

    seen = []
    monkeypatch.setattr(serve_command, "run_server", lambda *args: seen.append(args))
    code, out, _ = cli("serve", str(tmp_path), "--workers", "2")
    assert code == 0 and seen == [(str(tmp_path), "127.0.0.1", 8000, ".accord/runs.sqlite", 2)]
    code, _, err = cli("serve", str(tmp_path), "--workers", "0")
    assert code == 2 and "--workers" in err
