"""The run store: every forecast recorded, immutable, in one SQLite file.

A record holds what is needed to reproduce and defend a run: the scenario snapshot (its
canonical JSON) and hash, the model, its parameters, the seed, accord's version and the
versions of Python and numpy, the time, the command that made it, and the result (the JSON
contract's run entry). Scenarios are stored once per hash.

Writes are transactions (a record is there whole or not at all); ``synchronous=FULL`` makes
a committed record survive a crash; triggers refuse any UPDATE or DELETE of a record. The
file lives in ``.accord/runs.sqlite`` under the working folder unless a path is given.
"""

from __future__ import annotations

import io
import json
import platform
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .errors import StoreError
from .scenario import Scenario

DEFAULT_PATH = Path(".accord") / "runs.sqlite"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    accord_version TEXT NOT NULL,
    environment TEXT NOT NULL,
    command TEXT,
    model TEXT NOT NULL,
    params TEXT NOT NULL,
    seed INTEGER,
    scenario_sha256 TEXT NOT NULL REFERENCES scenarios(sha256),
    result TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_created ON runs(created);
CREATE TRIGGER IF NOT EXISTS runs_no_update BEFORE UPDATE ON runs
    BEGIN SELECT RAISE(ABORT, 'runs are immutable'); END;
CREATE TRIGGER IF NOT EXISTS runs_no_delete BEFORE DELETE ON runs
    BEGIN SELECT RAISE(ABORT, 'runs are immutable'); END;
CREATE TRIGGER IF NOT EXISTS scenarios_no_update BEFORE UPDATE ON scenarios
    BEGIN SELECT RAISE(ABORT, 'scenarios are immutable'); END;
CREATE TABLE IF NOT EXISTS sweeps (
    sweep_id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL REFERENCES scenarios(sha256),
    spec TEXT NOT NULL,
    batches INTEGER NOT NULL,
    run_ids TEXT
);
CREATE TABLE IF NOT EXISTS sweep_batches (
    sweep_id TEXT NOT NULL REFERENCES sweeps(sweep_id),
    batch INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (sweep_id, batch)
);
CREATE TRIGGER IF NOT EXISTS sweep_batches_no_update BEFORE UPDATE ON sweep_batches
    BEGIN SELECT RAISE(ABORT, 'stored batches are immutable'); END;
CREATE TRIGGER IF NOT EXISTS sweep_batches_no_delete BEFORE DELETE ON sweep_batches
    BEGIN SELECT RAISE(ABORT, 'stored batches are immutable'); END;
CREATE TRIGGER IF NOT EXISTS sweeps_finish_once BEFORE UPDATE ON sweeps
    WHEN OLD.run_ids IS NOT NULL OR NEW.spec != OLD.spec OR NEW.scenario_sha256 != OLD.scenario_sha256
    BEGIN SELECT RAISE(ABORT, 'a finished sweep is immutable'); END;
"""


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    created: str
    accord_version: str
    environment: dict[str, str]
    command: str | None
    model: str
    params: dict[str, Any]
    seed: int | None
    scenario_name: str
    scenario_sha256: str
    result: dict[str, Any]

    def scenario(self, store: RunStore) -> Scenario:
        return store.scenario(self.scenario_sha256)


def environment() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform()}


def new_run_id(now: datetime) -> str:
    """Sortable by time, unique by a random suffix: ``20261122-130501-a3f9c2``."""
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


class RunStore:
    """An SQLite file of run records."""

    def __init__(self, path: str | Path = DEFAULT_PATH) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise StoreError(f"{self.path}: written by a newer accord (store schema {version}); upgrade accord")
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable run store ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the run store ({exc.strerror})") from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def save(self, scenario: Scenario, result: dict[str, Any], *, command: str | None = None) -> RunRecord:
        """Record one run (the JSON contract's run entry, without ``run_id``); return the record."""
        now = datetime.now(UTC)
        body = json.dumps(scenario.canonical(), sort_keys=True, ensure_ascii=False)
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR IGNORE INTO scenarios VALUES (?, ?, ?)", (scenario.sha256, scenario.name, body))
            for _ in range(10):
                run_id = new_run_id(now)
                record = RunRecord(run_id, now.isoformat(timespec="microseconds"), __version__, environment(),
                                   command, result["model"], result["params"], result["seed"], scenario.name,
                                   scenario.sha256, with_run_id(result, run_id))
                try:
                    db.execute("INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?)", (
                        record.run_id, record.created, record.accord_version, json.dumps(record.environment),
                        command, record.model, json.dumps(record.params, sort_keys=True), record.seed,
                        record.scenario_sha256, json.dumps(record.result, allow_nan=False)))
                    return record
                except sqlite3.IntegrityError:
                    continue
        raise StoreError("could not find a free run id")  # pragma: no cover - 16M ids per second

    # -- sweeps: Monte Carlo batches stored as they complete, so an interrupted run can resume --------

    def begin_sweep(self, scenario: Scenario, spec: dict[str, Any], batches: int) -> str:
        now = datetime.now(UTC)
        body = json.dumps(scenario.canonical(), sort_keys=True, ensure_ascii=False)
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR IGNORE INTO scenarios VALUES (?, ?, ?)", (scenario.sha256, scenario.name, body))
            sweep_id = "sweep-" + new_run_id(now)
            db.execute("INSERT INTO sweeps VALUES (?, ?, ?, ?, ?, NULL)",
                       (sweep_id, now.isoformat(timespec="microseconds"), scenario.sha256,
                        json.dumps(spec, sort_keys=True), batches))
        return sweep_id

    def save_batch(self, sweep_id: str, batch: int, parts: dict[str, np.ndarray]) -> None:
        """One completed batch, in its own transaction: stored whole or not at all, never twice."""
        buf = io.BytesIO()
        np.savez(buf, **parts)
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO sweep_batches VALUES (?, ?, ?)", (sweep_id, batch, buf.getvalue()))

    def sweep(self, sweep_id: str) -> tuple[dict[str, Any], Scenario, int, dict[int, dict[str, np.ndarray]],
                                             list[str] | None]:
        """(spec, scenario, number of batches, the stored batches, run ids if finished)."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT spec, scenario_sha256, batches, run_ids FROM sweeps WHERE sweep_id = ?",
                             (sweep_id,)).fetchone()
            if row is None:
                raise StoreError(f"no sweep {sweep_id!r} in {self.path}; `accord sweep list` shows the sweeps")
            stored = db.execute("SELECT batch, body FROM sweep_batches WHERE sweep_id = ?", (sweep_id,)).fetchall()
        parts = {}
        for batch, body in stored:
            with np.load(io.BytesIO(body)) as data:
                parts[batch] = {name: data[name] for name in data.files}
        spec, sha, batches, run_ids = row
        return json.loads(spec), self.scenario(sha), batches, parts, (json.loads(run_ids) if run_ids else None)

    def finish_sweep(self, sweep_id: str, run_ids: list[str]) -> None:
        with closing(self._connect()) as db, db:
            db.execute("UPDATE sweeps SET run_ids = ? WHERE sweep_id = ?", (json.dumps(run_ids), sweep_id))

    def sweeps(self) -> list[tuple[str, str, int, int, bool]]:
        """(sweep id, created, batches done, batches in all, finished), newest first."""
        with closing(self._connect()) as db:
            return [(sid, created, done, total, run_ids is not None) for sid, created, total, run_ids, done in
                    db.execute("""SELECT s.sweep_id, s.created, s.batches, s.run_ids,
                                         (SELECT count(*) FROM sweep_batches b WHERE b.sweep_id = s.sweep_id)
                                  FROM sweeps s ORDER BY s.created DESC""")]

    def get(self, run_id: str) -> RunRecord:
        """A record by id, by a unique prefix of its id, or ``latest``: the newest run."""
        if run_id == "latest":
            newest = self.list(limit=1)
            if not newest:
                raise StoreError(f"no runs in {self.path} yet; `accord forecast FILE` records one")
            return newest[0]
        with closing(self._connect()) as db:
            rows = db.execute(_SELECT + " WHERE run_id LIKE ? ORDER BY run_id LIMIT 2",
                              (run_id.replace("%", "").replace("_", "\\_") + "%",)).fetchall()
        if not rows:
            raise StoreError(f"no run {run_id!r} in {self.path}; `accord runs list` shows the runs")
        if len(rows) > 1 and rows[0][0] != run_id:
            raise StoreError(f"{run_id!r} matches several runs ({rows[0][0]}, {rows[1][0]}, ...); give more of the id")
        return _record(rows[0])

    def list(self, limit: int | None = None) -> list[RunRecord]:
        """Records, newest first."""
        sql = _SELECT + " ORDER BY created DESC, run_id DESC" + (" LIMIT ?" if limit else "")
        with closing(self._connect()) as db:
            return [_record(r) for r in db.execute(sql, (limit,) if limit else ())]

    def scenario(self, sha256: str) -> Scenario:
        with closing(self._connect()) as db:
            row = db.execute("SELECT body FROM scenarios WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise StoreError(f"scenario {sha256[:12]} is not in {self.path}")
        return Scenario.model_validate(json.loads(row[0]), context={"as_recorded": True})


def with_run_id(entry: dict[str, Any], run_id: str | None) -> dict[str, Any]:
    """The run entry with ``run_id`` placed after ``seed``, as the JSON contract orders it."""
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key != "run_id":
            out[key] = value
        if key == "seed":
            out["run_id"] = run_id
    return out


_SELECT = """SELECT r.run_id, r.created, r.accord_version, r.environment, r.command, r.model, r.params, r.seed,
                    s.name, r.scenario_sha256, r.result
             FROM runs r JOIN scenarios s ON s.sha256 = r.scenario_sha256"""


def _record(row: tuple[Any, ...]) -> RunRecord:
    (run_id, created, version, env, command, model, params, seed, name, sha, result) = row
    return RunRecord(run_id, created, version, json.loads(env), command, model, json.loads(params), seed, name, sha,
                     json.loads(result))
