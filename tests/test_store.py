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


def test_a_read_only_store_is_read_and_refuses_writes(tmp_path, monkeypatch):
    """Where the file cannot be written (os.access says so; root writes through any chmod)."""
    import os

    path = tmp_path / "runs.sqlite"
    rec = save(RunStore(path))
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    store = RunStore(path)
    assert store.readonly and store.get(rec.run_id) == rec and [r.run_id for r in store.list()] == [rec.run_id]
    assert store.sweeps() == [] and store.anchored("ledger.jsonl") == []
    with pytest.raises(StoreError, match=r"cannot write the run store .*runs.sqlite: it is read-only"):
        save(store)
    monkeypatch.undo()
    assert [r.run_id for r in RunStore(path).list()] == [rec.run_id]  # nothing was added


@pytest.mark.slow
def test_a_read_only_store_can_be_listed_but_not_written(unprivileged):
    """A real read-only folder, as an unprivileged user."""
    run, folder = unprivileged
    store = folder / "store"
    store.mkdir()
    store.chmod(0o777)
    assert run("forecast", "-m", "mean", "--store", store / "runs.sqlite").returncode == 0
    assert run("forecast", "-m", "mean", "-n", "200", "--batch-size", "100", "-q", "--store",
               store / "runs.sqlite").returncode == 0
    store.chmod(0o555)
    (store / "runs.sqlite").chmod(0o444)
    listed = run("runs", "list", "--store", store / "runs.sqlite")
    assert listed.returncode == 0 and listed.stdout.count(" mean ") == 2, listed.stderr
    swept = run("sweep", "list", "--store", store / "runs.sqlite")
    assert swept.returncode == 0 and "2/2 batches  complete" in swept.stdout, swept.stderr
    done = run("forecast", "-m", "mean", "--store", store / "runs.sqlite")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "runs.sqlite: it is read-only" in done.stderr and "give --no-store" in done.stderr


def test_a_full_disk_records_nothing_and_says_so(tmp_path, monkeypatch):
    """SQLite's "database or disk is full", made real by capping the file at the pages it has."""
    path = tmp_path / "runs.sqlite"
    save(RunStore(path))
    connect = RunStore._connect

    def capped(self):
        db = connect(self)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    monkeypatch.setattr(RunStore, "_connect", capped)
    store = RunStore(path)
    saved = []
    with pytest.raises(StoreError, match="runs.sqlite: no space left on device; nothing was recorded"):
        for _ in range(50):  # the free pages of the file fill first
            saved.append(save(store, "nash").run_id)
    monkeypatch.undo()
    db = sqlite3.connect(path)
    assert [r for (r,) in db.execute("SELECT run_id FROM runs WHERE model = 'nash' ORDER BY created")] == saved


def test_a_store_of_the_first_schema_gains_the_ledger_anchor(tmp_path):
    path = tmp_path / "runs.sqlite"
    rec = save(RunStore(path))
    db = sqlite3.connect(path)
    db.executescript("DROP TRIGGER ledger_anchor_no_update; DROP TRIGGER ledger_anchor_no_delete; "
                     "DROP TABLE ledger_anchor; PRAGMA user_version = 1;")
    db.close()
    store = RunStore(path)
    assert store.version == 2 and store.get(rec.run_id) == rec and store.anchored("ledger.jsonl") == []
    store.anchor("ledger.jsonl", 0, "a" * 64, "{}")
    assert store.anchored("ledger.jsonl") == [(0, "a" * 64, "{}")]
    with pytest.raises(StoreError, match="record 2 cannot follow them"):
        store.anchor("ledger.jsonl", 2, "b" * 64, "{}")


def test_a_store_on_a_full_disk_is_read_and_refuses_writes(tmp_path, monkeypatch):
    """On a full disk SQLite cannot make the shared-memory file every WAL connection needs (SQLITE_IOERR_SHMSIZE)."""
    import shutil

    path = tmp_path / "runs.sqlite"
    rec = save(RunStore(path))

    def no_room(self):
        exc = sqlite3.OperationalError("disk I/O error")
        exc.sqlite_errorname = "SQLITE_IOERR_SHMSIZE"
        raise exc

    monkeypatch.setattr(RunStore, "_create", no_room)
    monkeypatch.setattr(shutil, "disk_usage", lambda folder: shutil._ntuple_diskusage(1 << 30, 1 << 30, 0))
    store = RunStore(path)
    assert store.readonly and [r.run_id for r in store.list()] == [rec.run_id]
    with pytest.raises(StoreError, match="runs.sqlite: no space left on device"):
        save(store)
    with pytest.raises(StoreError, match=r"new.sqlite: cannot create the run store \(no space left on device\)"):
        RunStore(tmp_path / "new.sqlite")
    assert not list(tmp_path.glob("new.sqlite*"))


# -- group commit: the dashboard's store commits concurrent saves together -------------------------


def test_grouped_saves_from_many_threads_are_all_stored_whole(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    store = RunStore(tmp_path / "runs.sqlite", grouped=True)
    (result,) = run_models(SMALL, ["mean"])
    entry = result.to_json()
    with ThreadPoolExecutor(8) as pool:
        records = list(pool.map(lambda k: store.save(SMALL, entry, command=f"save {k}"), range(40)))
    store.close()
    assert len({r.run_id for r in records}) == 40
    stored = {r.run_id: r for r in RunStore(tmp_path / "runs.sqlite").list()}
    assert stored == {r.run_id: r for r in records}  # every one, as its caller was told
    assert sorted(r.command for r in stored.values()) == sorted(f"save {k}" for k in range(40))
    assert store._group is not None and 1 <= store._group.commits <= 40


def test_saves_queued_while_a_group_commits_are_committed_together(tmp_path):
    import threading

    store = RunStore(tmp_path / "runs.sqlite", grouped=True)
    (result,) = run_models(SMALL, ["mean"])
    entry = result.to_json()
    inside, release = threading.Event(), threading.Event()

    def slow(db):  # holds the writer inside the first group's transaction
        inside.set()
        release.wait(30)
        return "first"

    first = threading.Thread(target=store._write, args=(slow,))
    first.start()
    assert inside.wait(30)
    waiting = [threading.Thread(target=store.save, args=(SMALL, entry)) for _ in range(5)]
    for t in waiting:
        t.start()
    while len(store._group._queue) < 5:  # all five queued behind the first group
        threading.Event().wait(0.01)
    release.set()
    for t in [first, *waiting]:
        t.join(30)
    assert store._group.commits == 2  # the first write, then the five in one transaction
    assert len(store.list()) == 5
    store.close()


def test_a_failing_write_leaves_the_rest_of_its_group_stored(tmp_path):
    import threading

    store = RunStore(tmp_path / "runs.sqlite", grouped=True)
    (result,) = run_models(SMALL, ["mean"])
    good = result.to_json()
    inside, release = threading.Event(), threading.Event()

    def hold(db):
        inside.set()
        release.wait(30)

    def half_then_fail(db):  # writes a scenario, then fails: the scenario must not stay
        db.execute("INSERT INTO scenarios VALUES ('half', 'half', '{}')")
        db.execute("INSERT INTO runs (run_id) VALUES ('bad')")  # NOT NULL constraints refuse it

    holder = threading.Thread(target=store._write, args=(hold,))
    holder.start()
    assert inside.wait(30)
    outcome = {}

    def attempt(name, work):
        try:
            outcome[name] = work()
        except StoreError as exc:
            outcome[name] = exc

    threads = [threading.Thread(target=attempt, args=("a", lambda: store.save(SMALL, good))),
               threading.Thread(target=attempt, args=("bad", lambda: store._write(half_then_fail))),
               threading.Thread(target=attempt, args=("b", lambda: store.save(SMALL, good)))]
    for t in threads:
        t.start()
    while len(store._group._queue) < 3:
        threading.Event().wait(0.01)
    release.set()
    for t in [holder, *threads]:
        t.join(30)
    assert isinstance(outcome["bad"], StoreError) and "nothing was recorded" in str(outcome["bad"])
    assert {r.run_id for r in store.list()} == {outcome["a"].run_id, outcome["b"].run_id}
    with sqlite3.connect(tmp_path / "runs.sqlite") as db:
        assert db.execute("SELECT count(*) FROM scenarios WHERE sha256 = 'half'").fetchone() == (0,)
    store.close()


def test_a_failed_commit_fails_its_whole_group_and_the_next_group_is_stored(tmp_path, monkeypatch):
    store = RunStore(tmp_path / "runs.sqlite", grouped=True)
    (result,) = run_models(SMALL, ["mean"])
    entry = result.to_json()
    group = store._group
    real = group._commit

    def refused(db, items):  # the commit fails after the writes ran (as a full disk would)
        db.execute("BEGIN IMMEDIATE")
        for work, _ in items:
            work(db)
        db.execute("ROLLBACK")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(group, "_commit", refused)
    with pytest.raises(StoreError, match="nothing was recorded"):
        store.save(SMALL, entry)
    assert store.list() == []  # nothing acknowledged, nothing stored
    monkeypatch.setattr(group, "_commit", real)
    rec = store.save(SMALL, entry)
    assert [r.run_id for r in store.list()] == [rec.run_id]
    store.close()


def test_a_closed_grouped_store_refuses_writes(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite", grouped=True)
    store.close()
    (result,) = run_models(SMALL, ["mean"])
    with pytest.raises(StoreError, match="closed"):
        store.save(SMALL, result.to_json())


def test_the_grouped_writer_commits_durably_in_the_write_ahead_log(tmp_path):
    # Group commit changes how often the log is synced, never whether: WAL with synchronous=FULL
    # syncs the log at every commit, so a save that returned survives a crash or a power cut.
    store = RunStore(tmp_path / "runs.sqlite", grouped=True)
    db = store._group._open()
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
        assert db.isolation_level is None  # transactions begun and committed by the writer alone
    finally:
        db.close()
        store.close()


def test_a_scenario_is_serialised_once_for_its_hash_and_its_stored_body(tmp_path, monkeypatch):
    """The stored body is the text that is hashed, made once a scenario (a dashboard stores every
    edited scenario it runs), and it reads back as the same scenario."""
    from accord.scenario import Scenario

    scenario = SMALL.model_copy()
    dumps = []
    real = Scenario.canonical
    monkeypatch.setattr(Scenario, "canonical", lambda self: dumps.append(1) or real(self))
    store = RunStore(tmp_path / "runs.sqlite")
    store.save(scenario, run_models(scenario, ["mean"])[0].to_json())
    assert scenario.sha256 and len(dumps) == 1
    with sqlite3.connect(tmp_path / "runs.sqlite") as db:
        body, = db.execute("SELECT body FROM scenarios").fetchone()
    assert body == scenario.canonical_json and json.loads(body) == real(scenario)
    assert store.scenario(scenario.sha256).sha256 == scenario.sha256
