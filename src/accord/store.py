"""The run store: every forecast recorded, immutable, in one SQLite file.

A record holds what is needed to reproduce and defend a run: the scenario snapshot (its
canonical JSON) and hash, the model, its parameters, the seed, accord's version and the
versions of Python and numpy, the time, the command that made it, and the result (the JSON
contract's run entry). Scenarios are stored once per hash.

Writes are transactions (a record is there whole or not at all); ``synchronous=FULL`` makes
a committed record survive a crash; triggers refuse any UPDATE or DELETE of a record. The
file lives in ``.accord/runs.sqlite`` under the working folder unless a path is given.

A store opened with ``grouped=True`` (the dashboard's) commits the records of concurrent saves
together (:class:`GroupCommit`): one writer thread, one connection kept open, one durable commit
(one ``fsync`` of the write-ahead log) for every record saved while the previous commit was
being made. Each save still returns only once its own record is durable, and a save that fails
leaves the others of its group stored.

A store that cannot be written (a read-only file or folder) is opened read-only: it can be
listed, shown and exported, and any write is refused with :class:`~accord.errors.StoreError`,
as is a write to a full disk; SQLite's own errors never reach the user.

The store also anchors the forecast ledger (:mod:`accord.ledger`): a copy of every ledger
record and its hash, so that records removed from the end of the ledger, or edited and
re-chained, are found. A sweep being run holds a lock (:mod:`accord.locks`) beside the store,
which tells a running sweep from an interrupted one and keeps two processes from running it.
"""

from __future__ import annotations

import io
import json
import os
import platform
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from . import __version__, locks
from .errors import StoreError
from .scenario import Scenario

DEFAULT_PATH = Path(".accord") / "runs.sqlite"
T = TypeVar("T")
SCHEMA_VERSION = 2  # 2: the ledger anchor

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
CREATE TABLE IF NOT EXISTS ledger_anchor (
    ledger TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (ledger, seq)
);
CREATE TRIGGER IF NOT EXISTS ledger_anchor_no_update BEFORE UPDATE ON ledger_anchor
    BEGIN SELECT RAISE(ABORT, 'the ledger anchor is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_anchor_no_delete BEFORE DELETE ON ledger_anchor
    BEGIN SELECT RAISE(ABORT, 'the ledger anchor is append-only'); END;
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

    def table(self, name: str) -> list[dict[str, Any]]:
        """One table of the run as records: ``forecast``, ``rounds``, ``summary`` or a model's table."""
        rows = self.result["tables"].get(name) if name not in ("forecast", "rounds", "summary") else self.result[name]
        if rows is None:
            names = ["forecast", "rounds", "summary", *self.result["tables"]]
            raise StoreError(f"run {self.run_id} has no table {name!r}; it has: {', '.join(names)}")
        return rows

    def export(self, store: RunStore) -> dict[str, Any]:
        """The whole record, its scenario's body included: what ``accord runs export`` writes."""
        return {"run_id": self.run_id, "created": self.created, "accord_version": self.accord_version,
                "environment": self.environment, "command": self.command, "model": self.model, "params": self.params,
                "seed": self.seed, "scenario": {"name": self.scenario_name, "sha256": self.scenario_sha256,
                                                "body": store.scenario(self.scenario_sha256).canonical()},
                "result": self.result}


def environment() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform()}


def new_run_id(now: datetime) -> str:
    """Sortable by time, unique by a random suffix: ``20261122-130501-a3f9c2``."""
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def new_sweep_id() -> str:
    return "sweep-" + new_run_id(datetime.now(UTC))


class SweepRunning(StoreError):
    """The sweep is being run by another process."""


@dataclass(frozen=True)
class SweepState:
    sweep_id: str
    created: str
    done: int  # batches stored
    batches: int
    state: str  # complete, running or interrupted
    holder: str  # the running process, as its lock names it


# errors that leave a store readable without writing: no write access, or no room even for SQLite's
# shared-memory file (a full disk fails a WAL store's every connection with SQLITE_IOERR_SHMSIZE)
_READ_ONLY = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH", "SQLITE_IOERR")


def _errorname(exc: sqlite3.Error) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


def _reason(exc: sqlite3.Error, folder: Path | None = None) -> str:
    """SQLite's error in the words of the file system where it has them."""
    name = _errorname(exc)
    if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and folder is not None and _full(folder)):
        return "no space left on device"
    if name.startswith("SQLITE_READONLY"):
        return "it is read-only"
    if name.startswith("SQLITE_BUSY"):
        return "another process has held it for 30 s; try again"
    return str(exc)


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free == 0
    except OSError:
        return False


class RunStore:
    """An SQLite file of run records."""

    def __init__(self, path: str | Path = DEFAULT_PATH, *, grouped: bool = False) -> None:
        """``grouped``: commit concurrent saves together (:class:`GroupCommit`), for a server."""
        self.path = Path(path)
        self._group: GroupCommit | None = None
        existed = self.path.exists()
        self.readonly = existed and not _writable(self.path)
        self._why_readonly = "it is read-only (the file or its folder cannot be written)"
        try:
            if not self.readonly:
                self._create()
        except sqlite3.OperationalError as exc:
            reason = _reason(exc, self.path.parent)
            if not existed:
                for leftover in (self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))):
                    leftover.unlink(missing_ok=True)  # an empty file would pass for an empty store
                reason = "its folder cannot be written" if not os.access(self.path.parent, os.W_OK) else reason
                raise StoreError(f"{self.path}: cannot create the run store ({reason})") from None
            if not _errorname(exc).startswith(_READ_ONLY):
                raise StoreError(f"{self.path}: cannot open the run store ({reason})") from None
            self.readonly = True  # e.g. a read-only file system, which os.access does not always see
            if reason == "no space left on device":
                self._why_readonly = reason
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable run store ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the run store ({exc.strerror})") from None
        try:
            self._uri = self._read_only_uri() if self.readonly else None
            with closing(self._connect()) as db:
                self.version = db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable run store ({_reason(exc)})") from None
        if self.version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: written by a newer accord (store schema {self.version}); upgrade accord")
        if grouped and not self.readonly:
            self._group = GroupCommit(self._connect, self._write_error)

    def _create(self) -> None:
        """Create the tables, or add those of a newer schema, in one transaction."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    def _read_only_uri(self) -> str:
        """``mode=ro``, or ``immutable=1`` where SQLite cannot set up its shared memory file (a read-only
        folder) and no write-ahead log holds records the main file lacks."""
        uri = self.path.resolve().as_uri()
        try:
            with closing(sqlite3.connect(uri + "?mode=ro", uri=True)) as db:
                db.execute("PRAGMA user_version").fetchone()
            return uri + "?mode=ro"
        except sqlite3.OperationalError as exc:
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.is_file() and wal.stat().st_size:
                raise StoreError(f"cannot read the run store {self.path}: it is read-only and its write-ahead log "
                                 f"{wal.name} holds records not yet in it ({_reason(exc)}); open it once where it "
                                 "can be written") from None
            return uri + "?immutable=1"

    def _connect(self) -> sqlite3.Connection:
        if self._uri:
            return sqlite3.connect(self._uri, uri=True, timeout=30)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(self._connect()) as db:
                yield db
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the run store {self.path}: {_reason(exc)}") from None

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed whole, or rolled back and reported as a :class:`StoreError`."""
        self.require_writable()
        try:
            with closing(self._connect()) as db, db:
                yield db
        except sqlite3.Error as exc:
            raise self._write_error(exc) from None

    def _write_error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(f"cannot write the run store {self.path}: {_reason(exc, self.path.parent)}; "
                          "nothing was recorded")

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(db)`` in a transaction of its own, or in the next group's (a grouped store)."""
        self.require_writable()
        if self._group is not None:
            return self._group.run(work)
        with self._writing() as db:
            return work(db)

    def close(self) -> None:
        """Stop a grouped store's writer (after the saves already asked for) and close its connection."""
        if self._group is not None:
            self._group.close()

    def require_writable(self, hint: str = "") -> None:
        if self.readonly:
            raise StoreError(f"cannot write the run store {self.path}: {self._why_readonly}{hint}")

    def save(self, scenario: Scenario, result: dict[str, Any], *, command: str | None = None) -> RunRecord:
        """Record one run (the JSON contract's run entry, without ``run_id``); return the record."""
        now = datetime.now(UTC)
        body = scenario.canonical_json  # the hashed text, made once a scenario

        def insert(db: sqlite3.Connection) -> RunRecord:
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

        return self._write(insert)

    # -- sweeps: Monte Carlo batches stored as they complete, so an interrupted run can resume --------

    @contextmanager
    def running_sweep(self, sweep_id: str) -> Iterator[None]:
        """Hold a sweep's lock while running it; refuse (:class:`SweepRunning`) if another process holds it."""
        self.require_writable()
        with ExitStack() as held:
            try:
                held.enter_context(locks.exclusive(self._sweep_lock(sweep_id), wait=False))
            except locks.Busy as busy:
                raise SweepRunning(f"sweep {sweep_id} is running ({busy.holder or 'another process'}): it is "
                                   "not resumed twice; `accord sweep list` shows when it is done") from None
            except OSError as exc:
                raise StoreError(f"cannot lock sweep {sweep_id} beside {self.path}: {exc.strerror}") from None
            yield

    def _sweep_lock(self, sweep_id: str) -> Path:
        return self.path.with_name(f"{self.path.name}.{sweep_id}.lock")

    def begin_sweep(self, sweep_id: str, scenario: Scenario, spec: dict[str, Any], batches: int) -> None:
        """Record a new sweep (its id from :func:`new_sweep_id`, its lock already held)."""
        now = datetime.now(UTC)
        body = scenario.canonical_json  # the hashed text, made once a scenario
        with self._writing() as db:
            db.execute("INSERT OR IGNORE INTO scenarios VALUES (?, ?, ?)", (scenario.sha256, scenario.name, body))
            db.execute("INSERT INTO sweeps VALUES (?, ?, ?, ?, ?, NULL)",
                       (sweep_id, now.isoformat(timespec="microseconds"), scenario.sha256,
                        json.dumps(spec, sort_keys=True), batches))

    def save_batch(self, sweep_id: str, batch: int, parts: dict[str, np.ndarray]) -> None:
        """One completed batch, in its own transaction: stored whole or not at all, never twice.

        A batch already stored is left as it is: batches are deterministic, so it holds the same numbers.
        """
        buf = io.BytesIO()
        np.savez(buf, **parts)
        with self._writing() as db:
            db.execute("INSERT OR IGNORE INTO sweep_batches VALUES (?, ?, ?)", (sweep_id, batch, buf.getvalue()))

    def sweep(self, sweep_id: str) -> tuple[dict[str, Any], Scenario, int, dict[int, dict[str, np.ndarray]],
                                             list[str] | None]:
        """(spec, scenario, number of batches, the stored batches, run ids if finished)."""
        with self._reading() as db:
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
        """Mark a sweep finished with its runs (once: a finished sweep keeps its first runs); drop its lock file."""
        with self._writing() as db:
            db.execute("UPDATE sweeps SET run_ids = ? WHERE sweep_id = ? AND run_ids IS NULL",
                       (json.dumps(run_ids), sweep_id))
        self._sweep_lock(sweep_id).unlink(missing_ok=True)  # still held by the caller: nobody else can be running it

    def draws(self, run_id: str, model: str) -> np.ndarray | None:
        """The Monte Carlo forecasts (samples x issues) behind a run that a finished sweep recorded
        (``model``: the run's model), or None: a run without Monte Carlo, or whose samples were not stored."""
        with self._reading() as db:
            rows = db.execute("SELECT sweep_id, run_ids FROM sweeps WHERE instr(run_ids, ?) > 0",
                              (json.dumps(run_id),)).fetchall()
        for sweep_id, run_ids in rows:
            if run_id in json.loads(run_ids):
                parts = self.sweep(sweep_id)[3]
                return np.concatenate([parts[k][model] for k in sorted(parts)])
        return None

    def sweeps(self) -> list[SweepState]:
        """Every sweep, newest first, with how far it got and whether it is complete, running or interrupted."""
        with self._reading() as db:
            rows = db.execute("""SELECT s.sweep_id, s.created, s.batches, s.run_ids,
                                        (SELECT count(*) FROM sweep_batches b WHERE b.sweep_id = s.sweep_id)
                                 FROM sweeps s ORDER BY s.created DESC""").fetchall()
        out = []
        for sweep_id, created, total, run_ids, done in rows:
            holder = None if run_ids is not None else locks.held(self._sweep_lock(sweep_id))
            state = "complete" if run_ids is not None else "interrupted" if holder is None else "running"
            out.append(SweepState(sweep_id, created, done, total, state, holder or ""))
        return out

    # -- the ledger's anchor ---------------------------------------------------------------------

    def anchored(self, ledger: str) -> list[tuple[int, str, str]]:
        """The records anchored for a ledger, as (seq, hash, canonical JSON), in order."""
        if self.version < 2:  # a read-only store of the first schema: no ledger anchored in it
            return []
        with self._reading() as db:
            return db.execute("SELECT seq, hash, body FROM ledger_anchor WHERE ledger = ? ORDER BY seq",
                              (ledger,)).fetchall()

    def anchor(self, ledger: str, seq: int, hash: str, body: str) -> None:
        """Anchor the next record of a ledger; refused unless it is exactly the next one."""
        with self._writing() as db:
            count = db.execute("SELECT count(*) FROM ledger_anchor WHERE ledger = ?", (ledger,)).fetchone()[0]
            if count != seq:
                raise StoreError(f"the ledger {ledger} has {count} records anchored in {self.path}; record {seq} "
                                 "cannot follow them")
            db.execute("INSERT INTO ledger_anchor VALUES (?, ?, ?, ?)", (ledger, seq, hash, body))

    def get(self, run_id: str) -> RunRecord:
        """A record by id, by a unique prefix of its id, or ``latest``: the newest run."""
        if run_id == "latest":
            newest = self.list(limit=1)
            if not newest:
                raise StoreError(f"no runs in {self.path} yet; `accord forecast FILE` records one")
            return newest[0]
        with self._reading() as db:
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
        with self._reading() as db:
            return [_record(r) for r in db.execute(sql, (limit,) if limit else ())]

    def scenario(self, sha256: str) -> Scenario:
        with self._reading() as db:
            row = db.execute("SELECT body FROM scenarios WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise StoreError(f"scenario {sha256[:12]} is not in {self.path}")
        return Scenario.model_validate(json.loads(row[0]), context={"as_recorded": True})


class GroupCommit:
    """Group commit (Gray & Reuter 1993, *Transaction Processing*, 9.4.7): the writes of concurrent
    callers made in one transaction by one writer thread, each in a savepoint of its own.

    :meth:`run` queues ``work(db)`` and waits. The writer takes every write queued, runs each in
    its savepoint (one that raises is rolled back alone, and its caller gets the error), and
    commits them all at once: one durable commit (with ``synchronous=FULL``, one ``fsync`` of the
    write-ahead log) for the lot. A caller returns only after the commit that holds its write:
    nothing is acknowledged before it is durable, and a commit that fails fails every write of its
    group, none of which is then stored. While a group commits, the next one gathers.
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection],
                 error: Callable[[sqlite3.Error], Exception]) -> None:
        self._connect, self._error = connect, error
        self._queue: list[tuple[Callable[[sqlite3.Connection], Any], Future]] = []
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.commits = 0  # transactions committed (each holding one group)

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(db)`` committed durably in the next group; its value, or its error."""
        done: Future = Future()
        with self._ready:
            if self._closed:
                raise StoreError("the run store is closed")
            self._queue.append((work, done))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._write, name="accord-store-writer", daemon=True)
                self._thread.start()
            self._ready.notify()
        return done.result()

    def close(self) -> None:
        """Commit what is queued, then stop the writer."""
        with self._ready:
            self._closed = True
            self._ready.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _write(self) -> None:
        db = None
        try:
            while True:
                with self._ready:
                    while not self._queue and not self._closed:
                        self._ready.wait()
                    group, self._queue = self._queue, []
                    if not group:
                        return
                try:
                    db = db or self._open()
                    self._commit(db, group)
                except Exception as exc:  # noqa: BLE001 - every caller of the group is told, none waits forever
                    for _, done in group:
                        if not done.done():
                            done.set_exception(self._error(exc) if isinstance(exc, sqlite3.Error) else exc)
                    _discard(db)  # a connection that failed is not trusted with the next group
                    db = None
        finally:
            _discard(db)

    def _open(self) -> sqlite3.Connection:
        db = self._connect()
        db.isolation_level = None  # transactions begun and ended here, never implicitly
        return db

    def _commit(self, db: sqlite3.Connection, group: list[tuple[Callable[[sqlite3.Connection], Any], Future]]
                ) -> None:
        """One transaction: each write in its savepoint; the values handed over only once committed."""
        values: list[tuple[Future, Any]] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for work, done in group:
                db.execute("SAVEPOINT write")
                try:
                    values.append((done, work(db)))
                except Exception as exc:  # noqa: BLE001 - this write's error, handed to its caller
                    db.execute("ROLLBACK TO write")
                    done.set_exception(self._error(exc) if isinstance(exc, sqlite3.Error) else exc)
                db.execute("RELEASE write")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        self.commits += 1
        for done, value in values:
            done.set_result(value)


def _discard(db: sqlite3.Connection | None) -> None:
    if db is not None:
        db.close()


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
