"""The run store keeps every record whole, unchanged, and findable."""

from __future__ import annotations

import json
import sqlite3

import pytest

from accord import __version__
from accord.errors import StoreError
from accord.runner import run_models
from accord.store import RunStore

from .test_models import SMALL


def save(store, model="mean"):
    (result,) = run_models(SMALL, [model])
    return store.save(SMALL, result.to_json(), command="accord forecast test")


def test_records_what_reproduces_a_run(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    rec = save(store, "nash")
    back = store.get(rec.run_id)
    assert back == rec
    assert back.model == "nash" and back.params == {"disagreement": "reference"} and back.seed == 0
    assert back.accord_version == __version__ and set(back.environment) >= {"python", "numpy"}
    assert back.scenario_sha256 == SMALL.sha256
    assert back.result["run_id"] == rec.run_id
    assert list(back.result)[:4] == ["model", "params", "seed", "run_id"]
    # The snapshot is the scenario itself, evidence and all.
    assert store.scenario(back.scenario_sha256).canonical() == SMALL.canonical()


def test_lists_newest_first_and_finds_by_unique_prefix(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    ids = [save(store).run_id for _ in range(3)]
    assert [r.run_id for r in store.list()] == ids[::-1]
    assert [r.run_id for r in store.list(limit=2)] == ids[:0:-1]
    with pytest.raises(StoreError, match="several runs"):
        store.get("2")
    with pytest.raises(StoreError, match="no run 'nope'"):
        store.get("nope")
    assert store.get(ids[2]).run_id == ids[2]


def test_records_cannot_be_changed_or_deleted(tmp_path):
    path = tmp_path / "runs.sqlite"
    rec = save(RunStore(path))
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        db.execute("UPDATE runs SET model = 'x' WHERE run_id = ?", (rec.run_id,))
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        db.execute("DELETE FROM runs")
    db.close()
    assert RunStore(path).get(rec.run_id) == rec


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    (result,) = run_models(SMALL, ["mean"])
    bad = result.to_json()
    bad["forecast"][0]["value"] = float("nan")  # not JSON: the write must fail as a whole
    with pytest.raises(ValueError):
        store.save(SMALL, bad)
    db = sqlite3.connect(tmp_path / "runs.sqlite")
    assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM scenarios").fetchone()[0] == 0


def test_scenarios_are_stored_once(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    save(store)
    save(store, "median")
    db = sqlite3.connect(tmp_path / "runs.sqlite")
    assert db.execute("SELECT count(*) FROM scenarios").fetchone()[0] == 1


def test_not_a_store_is_reported(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable run store"):
        RunStore(path)


def test_records_are_plain_json(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    rec = save(store)
    db = sqlite3.connect(tmp_path / "runs.sqlite")
    (text,) = db.execute("SELECT result FROM runs WHERE run_id = ?", (rec.run_id,)).fetchone()
    assert json.loads(text)["forecast"] == rec.result["forecast"]


def test_a_snapshot_stays_readable_under_rules_added_later(tmp_path):
    # sources' addresses must now be web addresses; a scenario recorded before still reads as recorded
    from accord.scenario import Source

    old = SMALL.model_copy(update={"sources": [Source(id="s", title="T").model_copy(update={"url": "doi:10.1/x"})]})
    store = RunStore(tmp_path / "runs.sqlite")
    (result,) = run_models(old, ["mean"])
    rec = store.save(old, result.to_json())
    assert store.scenario(rec.scenario_sha256).sources[0].url == "doi:10.1/x"
