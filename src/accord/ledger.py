"""The forecast ledger: sealed forecasts and their grades, append-only, hash-chained and anchored.

A forecast is *sealed* before its outcome is known, so that it can be graded honestly later.
The ledger is a JSON Lines file; each line is one record::

    {"seq": 3, "kind": "seal", "time": "...", "run_id": "...", "scenario": "...",
     "inputs_sha256": "...", "model": "eum", "params": {...}, "seed": 0, "version": "0.1.0",
     "forecast": [{"issue": "x", "value": 42.0}], "result_sha256": "...",
     "prev": "<hash of record 2>", "hash": "<sha256 of this record without `hash`>"}

    {"seq": 4, "kind": "grade", "run_id": "...", "sealed": 3, "outcome": {"x": 50.0},
     "error": {"x": 8.0}, "mae": 8.0, "time": "...", "prev": "...", "hash": "..."}

``hash`` is the SHA-256 of the record's canonical JSON (sorted keys, no spaces) without the
``hash`` field; ``prev`` is the previous record's hash (64 zeros for the first). Editing,
removing, inserting or reordering a record breaks the chain at that line.

The chain alone cannot show that records were cut from the end, nor an edit whose author
recomputed every later hash. So each record is also *anchored* in the run store: the store
keeps every record written (its hash and canonical JSON) under the ledger's path relative to
the store's folder, append-only. :func:`verify` compares the ledger with its anchor, which
finds a ledger cut short or emptied, a removed grade, and a record edited and re-chained.
Records missing from the end are written back from the anchor by the next seal or grade.
Someone who can rewrite both the ledger and the store can still forge anything: without a
key held elsewhere (or a copy of the ledger's head published elsewhere), nothing can tell.

Writers hold an exclusive lock on ``LEDGER.lock`` from reading the ledger to writing it, so
concurrent seals and grades all land, one after the other. A record is written in three
steps: the new ledger to a synced temporary file, the record to the anchor (one SQLite
transaction), the temporary file renamed over the ledger; a crash between the last two
leaves a record anchored but not yet in the ledger, which the next writer puts in. A full
disk or a read-only folder stops the write before the anchor, and nothing changes.

:func:`verify` also checks that each line is a well-formed record (every problem named with
its line), that grades follow their seals and their errors follow from forecast and outcome,
and re-runs every sealed forecast from the run store (its scenario snapshot, model,
parameters and seed), checking that the scenario still has the sealed hash and the forecast
the sealed values.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from . import __version__, locks
from .errors import AccordError, InputError, Problem, StoreError, UsageError, WriteError
from .store import RunStore

DEFAULT_PATH = Path(".accord") / "ledger.jsonl"
GENESIS = "0" * 64


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def digest(obj: Any) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def forecast_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    """A run's forecast as sealed: issue and value only."""
    return [{"issue": f["issue"], "value": f["value"]} for f in result["forecast"]]


# -- the records' form ---------------------------------------------------------------------------

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class _Record(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)

    seq: int
    time: str
    run_id: str
    prev: Sha256
    hash: Sha256


class _Forecast(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)

    issue: str
    value: float | None


class SealRecord(_Record):
    kind: Literal["seal"]
    scenario: str
    inputs_sha256: Sha256
    model: str
    params: dict[str, Any]
    seed: int | None
    version: str
    forecast: list[_Forecast]
    result_sha256: Sha256


class GradeRecord(_Record):
    kind: Literal["grade"]
    sealed: int
    outcome: dict[str, float]
    error: dict[str, float | None]
    mae: float | None


KINDS = {"seal": SealRecord, "grade": GradeRecord}


class _Unreadable(ValueError):
    """A JSON text the ledger does not accept (a duplicate key, NaN, an infinite number)."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):  # json keeps the last of equal keys: an edit could hide behind the first
        seen = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _Unreadable(f"the key {dup!r} appears twice in one record")
    return obj


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Unreadable(f"the number {text[:20]} is too large for a ledger")
    return value


def _no_constant(name: str) -> None:
    raise _Unreadable(f"{name} is not a number a ledger may hold")


def parse_line(raw: bytes, file: str, line: int, unended: bool = False) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One line of a ledger file as a record, or the problems that make it none (``unended``: the file's
    last line, without the line end every record is written with)."""
    def problem(message: str, where: str | None = None) -> tuple[None, list[Problem]]:
        return None, [Problem(message, file, line, where)]

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return problem(f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}; a ledger is "
                       "written by accord in UTF-8, so the line was damaged or edited")
    if not text.strip():
        return problem("an empty line: every line of a ledger is one record (a line was removed or cut short)")
    try:
        rec = json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_finite, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        cut = "; the line has no end: the file was cut short" if unended else ""
        return problem(f"not JSON: {exc.msg[0].lower()}{exc.msg[1:]} (column {exc.colno}){cut}")
    except _Unreadable as exc:
        return problem(f"not a ledger record: {exc}")
    except RecursionError:
        return problem("not a ledger record: nested too deeply")
    except ValueError as exc:  # an integer beyond Python's digit limit
        return problem(f"not a ledger record: {exc}")
    if not isinstance(rec, dict):
        return problem(f"not a ledger record: a JSON object {{...}} is expected, this line holds {_json_kind(rec)}")
    kind = rec.get("kind")
    if kind not in KINDS:
        return None, [Problem(f"unknown record kind {kind!r}: a record is a seal or a grade"
                              if "kind" in rec else "missing: every record says its kind (seal or grade)",
                              file, line, "kind")]
    try:
        KINDS[kind].model_validate(rec)
    except ValidationError as exc:
        return None, [_schema_problem(e, kind, file, line) for e in exc.errors()]
    return rec, []


def _json_kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(type(value), "a number")


def _schema_problem(error: dict[str, Any], kind: str, file: str, line: int) -> Problem:
    where = ".".join(str(p) for p in error["loc"])
    if error["type"] == "missing":
        return Problem(f"missing: a {kind} record has this field", file, line, where)
    if error["type"] == "extra_forbidden":
        fields = ", ".join(KINDS[kind].model_fields)
        return Problem(f"not a field of a {kind} record (its fields: {fields})", file, line, where)
    shown = json.dumps(error["input"], ensure_ascii=False)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return Problem(f"{error['msg'][0].lower()}{error['msg'][1:]}, got {shown}", file, line, where)


def read(path: Path) -> tuple[list[dict[str, Any] | None], list[Problem]]:
    """The records of a ledger file (None for each line that is not one) and the problems of its lines.

    An absent file is an empty ledger; a file that cannot be read at all raises :class:`InputError`.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], []
    except IsADirectoryError:
        raise InputError([Problem("is a folder, not a ledger file", str(path))]) from None
    except OSError as exc:
        raise InputError([Problem(f"cannot read the ledger: {exc.strerror}", str(path))]) from None
    lines = data.split(b"\n")
    ended = lines[-1] == b""
    if ended:
        lines.pop()  # the line end of the last record
    records, problems = [], []
    for k, raw in enumerate(lines):
        rec, found = parse_line(raw.removesuffix(b"\r"), str(path), k + 1, not ended and k == len(lines) - 1)
        records.append(rec)
        problems += found
    return records, problems


# -- the ledger -----------------------------------------------------------------------------------


@dataclass
class Ledger:
    path: Path = DEFAULT_PATH
    records: list[dict[str, Any] | None] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of the lines, as read

    @classmethod
    def read(cls, path: str | Path = DEFAULT_PATH) -> Ledger:
        path = Path(path)
        return cls(path, *read(path))

    def chain_problems(self) -> list[Problem]:
        """Every break of the chain: a wrong sequence number, previous hash or own hash."""
        out, prev = [], GENESIS
        for k, rec in enumerate(self.records):
            line = k + 1
            if rec is None:  # reported as it was read; the next record's `prev` cannot be checked
                prev = None
                continue
            body = {key: v for key, v in rec.items() if key != "hash"}
            if rec["seq"] != k:
                out.append(Problem(f"record number {rec['seq']} where {k} belongs: a record was removed, "
                                   "inserted or moved", str(self.path), line, "seq"))
            if prev is not None and rec["prev"] != prev:
                out.append(Problem("`prev` is not the hash of the record before it: the records before this line "
                                   "were changed, removed or reordered", str(self.path), line, "prev"))
            if rec["hash"] != digest(body):
                out.append(Problem("the record's hash does not match its content: the record was edited",
                                   str(self.path), line, "hash"))
            prev = rec["hash"]
        return out

    def content_problems(self) -> list[Problem]:
        """What no honest writer produces: a run sealed twice, a grade of no seal, an issue graded twice,
        errors that do not follow from the sealed forecast and the outcome."""
        out, seals, graded = [], {}, set()
        for k, rec in enumerate(self.records):
            if rec is None:
                continue
            where = (str(self.path), k + 1)
            if rec["kind"] == "seal":
                first = seals.setdefault(rec["run_id"], rec)
                if first is not rec:
                    out.append(Problem(f"run {rec['run_id']} is sealed again (first in record {first['seq']})",
                                       *where, "run_id"))
                continue
            seal = seals.get(rec["run_id"])
            if seal is None or seal["seq"] != rec["sealed"]:
                out.append(Problem(f"a grade of record {rec['sealed']}, which is not an earlier seal of run "
                                   f"{rec['run_id']}", *where, "sealed"))
                continue
            forecast = {f["issue"]: f["value"] for f in seal["forecast"]}
            for issue in rec["outcome"]:
                if issue not in forecast:
                    out.append(Problem(f"issue {issue!r} is not in the sealed forecast", *where, "outcome"))
                elif (rec["run_id"], issue) in graded:
                    out.append(Problem(f"issue {issue!r} of run {rec['run_id']} is graded again", *where, "outcome"))
                graded.add((rec["run_id"], issue))
            if rec["error"] != errors_of(forecast, rec["outcome"]) or rec["mae"] != mean_error(rec["error"]):
                out.append(Problem("the errors do not follow from the sealed forecast and the outcome: the grade "
                                   "was edited", *where, "error"))
        return out

    def seals(self) -> dict[str, dict[str, Any]]:
        return {r["run_id"]: r for r in self.records if r is not None and r["kind"] == "seal"}

    def graded(self, run_id: str) -> set[str]:
        return {i for r in self.records if r is not None and r["kind"] == "grade" and r["run_id"] == run_id
                for i in r["outcome"]}


def errors_of(forecast: dict[str, float | None], outcome: dict[str, float]) -> dict[str, float | None]:
    return {i: (None if forecast[i] is None else abs(forecast[i] - v)) for i, v in outcome.items() if i in forecast}


def mean_error(errors: dict[str, float | None]) -> float | None:
    known = [e for e in errors.values() if e is not None]
    return sum(known) / len(known) if known else None


# -- the anchor in the run store ------------------------------------------------------------------


def anchor_key(path: Path, store: RunStore) -> str:
    """The ledger's name in the store: its path relative to the store's folder, which moves with the project."""
    return Path(os.path.relpath(path.resolve(), store.path.resolve().parent)).as_posix()


def anchor_problems(ledger: Ledger, anchored: list[tuple[int, str, str]], store: RunStore, *,
                    missing_ok: bool = False) -> list[Problem]:
    """Where the ledger departs from the records anchored in the store; with ``missing_ok``, anchored
    records missing at its end are not a problem (a writer puts them back)."""
    out, file = [], str(ledger.path)
    for k, rec in enumerate(ledger.records[:len(anchored)]):
        if rec is not None and rec["hash"] != anchored[k][1]:
            out.append(Problem(f"differs from record {k} as anchored in the run store {store.path} (hash "
                               f"{anchored[k][1][:12]} there, {rec['hash'][:12]} here): the record was edited, "
                               "replaced or re-chained", file, k + 1, "hash"))
    n, m = len(ledger.records), len(anchored)
    if n < m and not missing_ok:
        out.append(Problem(f"the ledger ends after {n} record{'s' * (n != 1)}, but the run store {store.path} "
                           f"anchors {m}: record{'s' * (m - n > 1)} {_span(n, m - 1)} "
                           f"{'were' if m - n > 1 else 'was'} removed from its end (or the last write was cut "
                           f"short); the next `accord seal` or `accord grade` writes {'them' if m - n > 1 else 'it'} "
                           "back from the store",
                           file, n or None))
    if n > m:
        which = f"record{'s' * (n - m > 1)} {_span(m, n - 1)} {'are' if n - m > 1 else 'is'}"
        out.append(Problem(f"{which} not anchored in the run store {store.path}: not written by `accord seal` or "
                           "`accord grade` with this store (added by hand, or written with another --store)",
                           file, m + 1))
    return out


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first} to {last}"


# -- writing ---------------------------------------------------------------------------------------


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def append(path: str | Path, store: RunStore, build: Callable[[Ledger], dict[str, Any]]) -> tuple[dict[str, Any], int]:
    """Append the record ``build(ledger)`` makes to the ledger, holding its lock; return it and how many
    anchored records missing at the ledger's end were written back first.

    ``build`` sees the ledger as it stands under the lock, so its checks (not sealed twice, not
    graded twice) cannot be overtaken by another writer.
    """
    path = Path(path)
    store.require_writable()
    with ExitStack() as held:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            held.enter_context(locks.exclusive(_lock_path(path)))
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            raise WriteError(f"cannot write {path}: {reason}; nothing was written") from None
        ledger, restored = _open_for_writing(path, store)
        body = {**build(ledger), "seq": len(ledger.records), "time": datetime.now(UTC).isoformat(timespec="seconds"),
                "prev": ledger.records[-1]["hash"] if ledger.records else GENESIS}
        body["hash"] = digest(body)
        _write(ledger, [body], store)
        return body, restored


def _open_for_writing(path: Path, store: RunStore) -> tuple[Ledger, int]:
    """The ledger, with any anchored records missing at its end written back; raise if it is broken."""
    ledger = Ledger.read(path)
    anchored = store.anchored(anchor_key(path, store))
    problems = ledger.problems + ledger.chain_problems() + ledger.content_problems()
    problems += anchor_problems(ledger, anchored, store, missing_ok=True)
    if problems:
        raise InputError(problems + [Problem("the ledger is broken: nothing is appended to it; `accord verify` "
                                             "reports every problem", str(path))])
    missing = [json.loads(body) for _, _, body in anchored[len(ledger.records):]]
    if missing:
        broken = Ledger(path, [*ledger.records, *missing]).chain_problems()
        if broken:  # only an edited store does this
            raise StoreError(f"the records anchored in {store.path} for {path} do not form a chain "
                             f"({broken[0].message}): the store was edited; nothing is appended")
        _write(ledger, missing, None)
    return ledger, len(missing)


def _write(ledger: Ledger, new: list[dict[str, Any]], store: RunStore | None) -> None:
    """Write the ledger with ``new`` appended: staged, anchored (when a store is given), renamed into place."""
    from .io import staged_write

    records = [*ledger.records, *new]
    text = "".join(canonical(r).decode() + "\n" for r in records)
    anchored = False
    try:
        with staged_write(ledger.path, text.encode("utf-8")):
            if store is not None:
                for rec in new:
                    store.anchor(anchor_key(ledger.path, store), rec["seq"], rec["hash"], canonical(rec).decode())
                anchored = True
    except WriteError as exc:
        if not anchored:
            raise
        # the rename failed after the anchor took the record: it is kept, and put in by the next writer
        raise WriteError(f"{exc}; the record is anchored in the run store {store.path}, and the next `accord seal` "
                         "or `accord grade` writes it into the ledger") from None
    ledger.records = records


def seal(run_id: str, store: RunStore, path: str | Path = DEFAULT_PATH) -> tuple[dict[str, Any], int]:
    """Seal a recorded run: append its hashes and forecast to the ledger; return the record and the
    number of missing records written back first (see :func:`append`)."""
    run = store.get(run_id)

    def build(ledger: Ledger) -> dict[str, Any]:
        if run.run_id in ledger.seals():
            raise UsageError(f"run {run.run_id} is already sealed (record {ledger.seals()[run.run_id]['seq']})")
        forecast = forecast_of(run.result)
        return {"kind": "seal", "run_id": run.run_id, "scenario": run.scenario_name,
                "inputs_sha256": run.scenario_sha256, "model": run.model, "params": run.params, "seed": run.seed,
                "version": run.accord_version, "forecast": forecast, "result_sha256": digest(forecast)}

    return append(path, store, build)


def grade(run_id: str, outcomes: list[str], store: RunStore, path: str | Path = DEFAULT_PATH
          ) -> tuple[dict[str, Any], int]:
    """Record the outcomes of a sealed run's issues (``ISSUE=VALUE``) and its errors; return as :func:`seal`."""
    run = store.get(run_id)
    scenario = run.scenario(store)

    def build(ledger: Ledger) -> dict[str, Any]:
        sealed = ledger.seals().get(run.run_id)
        if sealed is None:
            raise UsageError(f"run {run.run_id} is not sealed: `accord seal {run.run_id}` first, so that the "
                             "forecast is on record before its outcome")
        forecast = {f["issue"]: f["value"] for f in sealed["forecast"]}
        values = _outcomes(outcomes, forecast, ledger.graded(run.run_id), scenario)
        errors = errors_of(forecast, values)
        return {"kind": "grade", "run_id": run.run_id, "sealed": sealed["seq"], "outcome": values,
                "error": errors, "mae": mean_error(errors)}

    return append(path, store, build)


def _outcomes(outcomes: list[str], forecast: dict[str, float | None], graded: set[str], scenario) -> dict[str, float]:
    values, problems = {}, []
    for text in outcomes:
        issue, sep, raw = text.partition("=")
        issue = issue.strip()
        value = _number(raw)
        if not sep or not issue:
            problems.append(Problem(f"--outcome {text!r}: write ISSUE=VALUE"))
        elif issue not in forecast:
            problems.append(Problem(f"--outcome {text!r}: the run has no issue {issue!r}; its issues: "
                                    f"{', '.join(forecast)}"))
        elif issue in graded or issue in values:
            problems.append(Problem(f"--outcome {text!r}: issue {issue!r} is already graded for this run; the "
                                    "ledger is append-only"))
        elif value is None:
            problems.append(Problem(f"--outcome {text!r}: the value must be a number"))
        else:
            scale = scenario.issue(issue).scale
            if not scale.min <= value <= scale.max:
                problems.append(Problem(f"--outcome {text!r}: {value:g} is outside the issue's scale "
                                        f"[{scale.min:g}, {scale.max:g}]"))
            values[issue] = value
    if not outcomes:
        problems.append(Problem("give at least one --outcome ISSUE=VALUE"))
    if problems:
        raise InputError(problems)
    return values


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# -- verifying -------------------------------------------------------------------------------------


@dataclass
class Check:
    seq: int
    run_id: str
    ok: bool
    message: str


def verify(store: RunStore, path: str | Path = DEFAULT_PATH) -> tuple[list[Problem], list[Check]]:
    """The ledger's problems (its lines, chain, content and anchor), and for each well-formed seal whether
    re-running it reproduces the sealed forecast."""
    path = Path(path)
    with locks.shared(_lock_path(path)):  # no writer halfway between the anchor and the ledger
        ledger = Ledger.read(path)
        anchored = store.anchored(anchor_key(path, store))
    problems = (ledger.problems + ledger.chain_problems() + ledger.content_problems()
                + anchor_problems(ledger, anchored, store))
    problems.sort(key=lambda p: p.line or 0)
    return problems, [_rerun(rec, store) for rec in ledger.records if rec is not None and rec["kind"] == "seal"]


def _rerun(rec: dict[str, Any], store: RunStore) -> Check:
    from .models import get_model

    seq, run_id = rec["seq"], rec["run_id"]
    try:
        scenario = store.get(run_id).scenario(store)
        result = get_model(rec["model"])(**rec["params"]).run(scenario, seed=rec["seed"])
    except (AccordError, ValidationError, TypeError, ValueError) as exc:  # a model or parameters it cannot take
        return Check(seq, run_id, False, f"cannot re-run: {_first_line(exc)}")
    rerun = [{"issue": i, "value": None if math.isnan(v) else float(v)} for i, v in zip(result.issues, result.forecast)]
    if scenario.sha256 != rec["inputs_sha256"]:
        return Check(seq, run_id, False, "the stored scenario's hash differs from the sealed one")
    if digest(rerun) != rec["result_sha256"] or digest(rec["forecast"]) != rec["result_sha256"]:
        note = "" if rec["version"] == __version__ else f" (sealed under accord {rec['version']})"
        return Check(seq, run_id, False, f"re-running gives a different forecast{note}")
    return Check(seq, run_id, True, "reproduced: same inputs, same forecast")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
