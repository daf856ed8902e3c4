"""The forecast ledger: sealed forecasts and their grades, append-only and hash-chained.

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
removing, inserting or reordering any record breaks the chain at that line, which
:func:`verify` reports. Every write rewrites the file atomically (the old lines and the new
one, then a rename), so a crash leaves the old ledger or the new one, never half a line; a
ledger whose chain is broken is not appended to.

:func:`verify` also re-runs every sealed forecast from the run store (its scenario snapshot,
model, parameters and seed) and checks that the scenario still has the sealed hash and the
forecast the sealed values.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError, Problem, StoreError, UsageError
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


@dataclass
class Ledger:
    path: Path = DEFAULT_PATH
    records: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def open(cls, path: str | Path = DEFAULT_PATH) -> Ledger:
        """Read a ledger (an absent file is an empty ledger); raise if its chain is broken."""
        ledger = cls(Path(path), read(Path(path)))
        problems = ledger.chain_problems()
        if problems:
            raise InputError(problems + [Problem("the ledger's chain is broken: nothing is appended to it; "
                                                 "`accord verify` reports every problem", str(path))])
        return ledger

    def chain_problems(self) -> list[Problem]:
        """Every break of the chain: a wrong sequence number, previous hash or own hash."""
        out, prev = [], GENESIS
        for k, rec in enumerate(self.records):
            line = k + 1
            if not isinstance(rec, dict):
                out.append(Problem("not a ledger record: the line is not a JSON object (cut short or edited)",
                                   str(self.path), line))
                prev = None
                continue
            body = {key: v for key, v in rec.items() if key != "hash"}
            if rec.get("seq") != k:
                out.append(Problem(f"record number {rec.get('seq')!r} where {k} belongs: a record was removed, "
                                   "inserted or moved", str(self.path), line, "seq"))
            if prev is not None and rec.get("prev") != prev:
                out.append(Problem("`prev` is not the hash of the record before it: the records before this line "
                                   "were changed, removed or reordered", str(self.path), line, "prev"))
            if rec.get("hash") != digest(body):
                out.append(Problem("the record's hash does not match its content: the record was edited",
                                   str(self.path), line, "hash"))
            prev = rec.get("hash")
        return out

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        """Chain and write one record (the whole file rewritten atomically)."""
        from .io import atomic_write

        body = {**record, "seq": len(self.records), "time": datetime.now(UTC).isoformat(timespec="seconds"),
                "prev": self.records[-1]["hash"] if self.records else GENESIS}
        body["hash"] = digest(body)
        text = "".join(canonical(r).decode() + "\n" for r in [*self.records, body])
        atomic_write(self.path, text.encode("utf-8"))
        self.records.append(body)
        return body

    def seals(self) -> dict[str, dict[str, Any]]:
        return {r["run_id"]: r for r in self.records if r.get("kind") == "seal"}


def read(path: Path) -> list[Any]:
    """The records of a ledger file; a line that is not JSON is kept as None, for the chain check to report."""
    if not path.exists():
        return []
    records: list[Any] = []
    for text in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(text))
        except json.JSONDecodeError:
            records.append(None)
    return records


def seal(run_id: str, store: RunStore, path: str | Path = DEFAULT_PATH) -> dict[str, Any]:
    """Seal a recorded run: append its hashes and forecast to the ledger."""
    ledger = Ledger.open(path)
    run = store.get(run_id)
    if run.run_id in ledger.seals():
        raise UsageError(f"run {run.run_id} is already sealed (record {ledger.seals()[run.run_id]['seq']})")
    forecast = forecast_of(run.result)
    return ledger.append({
        "kind": "seal", "run_id": run.run_id, "scenario": run.scenario_name, "inputs_sha256": run.scenario_sha256,
        "model": run.model, "params": run.params, "seed": run.seed, "version": run.accord_version,
        "forecast": forecast, "result_sha256": digest(forecast),
    })


def grade(run_id: str, outcomes: list[str], store: RunStore, path: str | Path = DEFAULT_PATH) -> dict[str, Any]:
    """Record the outcomes of a sealed run's issues (``ISSUE=VALUE``) and its errors."""
    ledger = Ledger.open(path)
    run = store.get(run_id)
    run_id = run.run_id
    sealed = ledger.seals().get(run_id)
    if sealed is None:
        raise UsageError(f"run {run_id} is not sealed: `accord seal {run_id}` first, so that the forecast is on "
                         "record before its outcome")
    scenario = run.scenario(store)
    graded = {i for r in ledger.records if r.get("kind") == "grade" and r.get("run_id") == run_id
              for i in r.get("outcome", {})}
    forecast = {f["issue"]: f["value"] for f in sealed["forecast"]}
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
    errors = {i: (None if forecast[i] is None else abs(forecast[i] - v)) for i, v in values.items()}
    known = [e for e in errors.values() if e is not None]
    return ledger.append({"kind": "grade", "run_id": run_id, "sealed": sealed["seq"], "outcome": values,
                          "error": errors, "mae": sum(known) / len(known) if known else None})


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass
class Check:
    seq: int
    run_id: str
    ok: bool
    message: str


def verify(store: RunStore, path: str | Path = DEFAULT_PATH) -> tuple[list[Problem], list[Check]]:
    """The chain's problems, and for each sealed run whether re-running it reproduces the seal."""
    from .models import get_model

    ledger = Ledger(Path(path), read(Path(path)))
    checks = []
    for rec in ledger.records:
        if not isinstance(rec, dict) or rec.get("kind") != "seal":
            continue
        seq, run_id = rec.get("seq"), rec.get("run_id", "?")
        try:
            scenario = store.get(run_id).scenario(store)
            result = get_model(rec["model"])(**rec["params"]).run(scenario, seed=rec["seed"])
        except (StoreError, UsageError, KeyError) as exc:
            checks.append(Check(seq, run_id, False, f"cannot re-run: {exc}"))
            continue
        rerun = [{"issue": i, "value": None if math.isnan(v) else float(v)}
                 for i, v in zip(result.issues, result.forecast)]
        if scenario.sha256 != rec.get("inputs_sha256"):
            checks.append(Check(seq, run_id, False, "the stored scenario's hash differs from the sealed one"))
        elif digest(rerun) != rec.get("result_sha256") or digest(rec.get("forecast")) != rec.get("result_sha256"):
            note = "" if rec.get("version") == __version__ else f" (sealed under accord {rec.get('version')})"
            checks.append(Check(seq, run_id, False, f"re-running gives a different forecast{note}"))
        else:
            checks.append(Check(seq, run_id, True, "reproduced: same inputs, same forecast"))
    return ledger.chain_problems(), checks
