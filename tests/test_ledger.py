"""The forecast ledger: seal, grade, verify; any edited, removed or reordered record is found."""

from __future__ import annotations

import json
import re

import pytest

from accord.ledger import digest

from .conftest import KOREA


@pytest.fixture
def sealed(cli, tmp_path):
    """Two Korea runs (mean, median) recorded and sealed in the working folder's ledger."""
    code, out, _ = cli("forecast", KOREA, "-m", "mean", "-m", "median", "--json")
    assert code == 0
    run_ids = [r["run_id"] for r in json.loads(out)["runs"]]
    for run_id in run_ids:
        code, out, err = cli("seal", run_id)
        assert code == 0, err
    return run_ids, tmp_path / ".accord" / "ledger.jsonl"


def lines(path):
    return path.read_text().splitlines()


def rehash(records):
    """What a forger who knows the scheme would do: recompute every hash after an edit."""
    prev = "0" * 64
    for rec in records:
        rec["prev"] = prev
        rec.pop("hash")
        rec["hash"] = prev = digest(rec)
    return "".join(json.dumps(r) + "\n" for r in records)


def test_seal_verify_grade(cli, sealed):
    run_ids, path = sealed
    records = [json.loads(line) for line in lines(path)]
    assert [r["kind"] for r in records] == ["seal", "seal"] and records[1]["prev"] == records[0]["hash"]
    assert records[0]["model"] == "mean" and len(records[0]["inputs_sha256"]) == 64
    code, out, _ = cli("verify")
    assert code == 0 and out.count("reproduced") == 2 and "0 problems" in out
    issue, value = records[0]["forecast"][0]["issue"], records[0]["forecast"][0]["value"]
    code, out, err = cli("grade", run_ids[0][:-2], "--outcome", f"{issue}=50")
    assert code == 0, err
    grade = json.loads(lines(path)[-1])
    assert grade["kind"] == "grade" and grade["sealed"] == 0 and grade["outcome"] == {issue: 50.0}
    assert grade["error"][issue] == pytest.approx(abs(value - 50)) and f"absolute error {abs(value - 50):.2f}" in out
    assert cli("verify")[0] == 0


def test_grading_is_checked(cli, sealed):
    run_ids, path = sealed
    issue, other = (f["issue"] for f in json.loads(lines(path)[0])["forecast"][:2])
    assert cli("grade", run_ids[0], "-o", f"{issue}=10")[0] == 0
    code, _, err = cli("grade", run_ids[0], "-o", f"{issue}=20", "-o", "nope=1", "-o", "oops", "-o", f"{other}=x")
    assert code == 2 and "Traceback" not in err
    assert "already graded" in err and "no issue 'nope'" in err and "write ISSUE=VALUE" in err
    assert "must be a number" in err
    code, _, err = cli("grade", run_ids[1], "-o", f"{issue}=1000")
    assert code == 2 and "outside the issue's scale" in err
    code, out, _ = cli("forecast", KOREA, "-m", "nash", "--json")
    unsealed = json.loads(out)["runs"][0]["run_id"]
    code, _, err = cli("grade", unsealed, "-o", f"{issue}=10")
    assert code == 2 and "is not sealed" in err
    code, _, err = cli("seal", run_ids[0])
    assert code == 2 and "already sealed" in err


@pytest.mark.parametrize("tamper", ["edit", "reorder", "remove", "insert", "truncate"])
def test_any_tampering_is_found(cli, sealed, tamper):
    run_ids, path = sealed
    cli("grade", run_ids[0], "-o", f"{json.loads(lines(path)[0])['forecast'][0]['issue']}=10")
    text = lines(path)
    if tamper == "edit":
        rec = json.loads(text[0])
        rec["forecast"][0]["value"] += 1
        text[0] = json.dumps(rec)
    elif tamper == "reorder":
        text[0], text[1] = text[1], text[0]
    elif tamper == "remove":
        del text[1]
    elif tamper == "insert":
        text.insert(1, text[1])
    else:
        text[-1] = text[-1][:40]
    path.write_text("\n".join(text) + "\n")
    code, out, err = cli("verify")
    assert code == 1 and "ledger is broken" in err and "Traceback" not in err
    code, _, err = cli("seal", run_ids[1])
    assert code == 2 and "nothing is appended" in err


def test_a_forged_chain_is_caught_by_re_running(cli, sealed):
    run_ids, path = sealed
    records = [json.loads(line) for line in lines(path)]
    records[1]["forecast"][0]["value"] += 5
    records[1]["result_sha256"] = digest(records[1]["forecast"])
    path.write_text(rehash(records))
    code, out, err = cli("verify")
    assert code == 1 and "re-running gives a different forecast" in out and out.count("reproduced") == 1
    assert ".accord/ledger.jsonl:2: hash: differs from record 1 as anchored in the run store" in err


# -- concurrent writers ---------------------------------------------------------------------------


def _seal_when_all_are_ready(barrier, run_id, store_path, ledger_path):
    from accord.ledger import seal
    from accord.store import RunStore

    store = RunStore(store_path)
    barrier.wait()  # every process reads the ledger at the same moment
    seal(run_id, store, ledger_path)


def test_twelve_seals_at_once_all_land(tmp_path):
    import multiprocessing

    from accord.ledger import verify
    from accord.runner import run_models
    from accord.store import RunStore

    from .test_models import SMALL

    store = RunStore(tmp_path / "runs.sqlite")
    (result,) = run_models(SMALL, ["mean"])
    run_ids = [store.save(SMALL, result.to_json()).run_id for _ in range(12)]
    ledger = tmp_path / "ledger.jsonl"
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(12)
    workers = [context.Process(target=_seal_when_all_are_ready, args=(barrier, r, store.path, ledger))
               for r in run_ids]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0] * 12
    records = [json.loads(line) for line in lines(ledger)]
    assert sorted(r["run_id"] for r in records) == sorted(run_ids)
    assert [r["seq"] for r in records] == list(range(12))
    problems, checks = verify(store, ledger)
    assert problems == [] and len(checks) == 12 and all(c.ok for c in checks)


# -- the anchor in the run store ------------------------------------------------------------------


@pytest.fixture
def graded(cli, sealed):
    """The two seals and a grade of the first run's first issue (40)."""
    run_ids, path = sealed
    issue = json.loads(lines(path)[0])["forecast"][0]["issue"]
    assert cli("grade", run_ids[0], "-o", f"{issue}=40")[0] == 0
    return run_ids, path, issue


@pytest.mark.parametrize("cut", ["last record", "every record", "the file"])
def test_records_cut_from_the_end_are_found_and_written_back(cli, graded, cut):
    run_ids, path, issue = graded
    whole = path.read_bytes()
    if cut == "last record":
        path.write_text("".join(line + "\n" for line in lines(path)[:-1]))
    elif cut == "every record":
        path.write_text("")
    else:
        path.unlink()
    code, out, err = cli("verify")
    assert code == 1 and "Traceback" not in err
    missing = "record 2 was" if cut == "last record" else "records 0 to 2 were"
    assert f"anchors 3: {missing} removed from its end" in err
    # The grade removed cannot be given again with another value: it is written back, then refused.
    code, _, err = cli("grade", run_ids[0], "-o", f"{issue}=90")
    assert code == 2 and f"issue '{issue}' is already graded" in err
    assert path.read_bytes() == whole
    assert cli("verify")[0] == 0


def test_a_seal_writes_back_what_was_cut_and_says_so(cli, graded):
    run_ids, path, _ = graded
    path.write_text(lines(path)[0] + "\n")
    code, out, _ = cli("forecast", KOREA, "-m", "nash", "--json")
    code, out, err = cli("seal", json.loads(out)["runs"][0]["run_id"])
    assert code == 0 and "2 records missing at the end" in err and "record 3 of" in out
    assert [json.loads(line)["kind"] for line in lines(path)] == ["seal", "seal", "grade", "seal"]
    assert cli("verify")[0] == 0


def test_an_edited_and_rechained_grade_is_found(cli, graded):
    run_ids, path, issue = graded
    records = [json.loads(line) for line in lines(path)]
    grade = records[2]
    forecast = records[0]["forecast"][0]["value"]
    grade["outcome"][issue] = 60.0  # a better-looking outcome, its errors made to match
    grade["error"][issue] = grade["mae"] = abs(forecast - 60.0)
    path.write_text(rehash(records))
    code, out, err = cli("verify")
    assert code == 1 and ".accord/ledger.jsonl:3: hash: differs from record 2 as anchored in the run store" in err
    assert out.count("reproduced") == 2  # the seals are intact: only the anchor sees the edit
    code, _, err = cli("seal", run_ids[1])
    assert code == 2 and "nothing is appended" in err


def test_a_grade_whose_errors_do_not_follow_is_found(cli, graded):
    _, path, issue = graded
    records = [json.loads(line) for line in lines(path)]
    records[2]["outcome"][issue] = 60.0
    path.write_text(rehash(records))
    code, _, err = cli("verify")
    assert code == 1 and ".accord/ledger.jsonl:3: error: the errors do not follow from the sealed forecast" in err


def test_records_added_by_hand_are_not_anchored(cli, graded):
    _, path, issue = graded
    records = [json.loads(line) for line in lines(path)]
    other = records[0]["forecast"][1]["issue"]
    extra = {**records[2], "seq": 3, "outcome": {other: 50.0}}
    extra["error"] = {other: abs(records[0]["forecast"][1]["value"] - 50.0)}
    extra["mae"] = extra["error"][other]
    path.write_text(rehash([*records, extra]))
    code, _, err = cli("verify")
    assert code == 1 and ".accord/ledger.jsonl:4: record 3 is not anchored in the run store" in err
    code, _, err = cli("verify", "--store", "other.sqlite")  # a ledger is anchored in the store it was written with
    assert code == 1 and "records 0 to 3 are not anchored in the run store other.sqlite" in err


# -- malformed ledgers ----------------------------------------------------------------------------


def _records(data):
    return [json.loads(line) for line in data.decode().splitlines()]


def _edit(k, change):
    """Change record k, then re-chain, so that only the change itself is wrong."""
    def apply(data):
        records = _records(data)
        change(records[k])
        return rehash(records).encode()
    return apply


def _line(k, text):
    def apply(data):
        out = data.split(b"\n")
        out[k] = text
        return b"\n".join(out)
    return apply


MALFORMED = {
    "bad JSON": (_line(1, b'{"seq": 1, "kind": "seal",, "run_id": "x"}'), 2,
                 "not JSON: expecting property name enclosed in double quotes (column 27)"),
    "last line cut short": (lambda d: d[:-60], 3, "; the line has no end: the file was cut short"),
    "missing field": (_edit(0, lambda r: r.pop("model")), 1, "model: missing: a seal record has this field"),
    "wrong type": (_edit(0, lambda r: r.update(seed="0")), 1, 'seed: input should be a valid integer, got "0"'),
    "non-UTF-8 bytes": (lambda d: d.replace(b'"kind":"seal"', b'"kind":"s\xe9al"', 1), 1,
                        "not UTF-8 text: byte 0xe9"),
    "empty line in the middle": (lambda d: d.replace(b"\n", b"\n\n", 1), 2, "an empty line"),
    "duplicate sequence number": (_edit(1, lambda r: r.update(seq=0)), 2, "seq: record number 0 where 1 belongs"),
    "wrong previous hash": (lambda d: d.replace(_records(d)[1]["prev"].encode(), b"1" * 64, 1), 2,
                            "prev: `prev` is not the hash of the record before it"),
    "unknown record kind": (_edit(2, lambda r: r.update(kind="verdict")), 3,
                            "kind: unknown record kind 'verdict': a record is a seal or a grade"),
    "not an object": (_line(1, b"[1, 2]"), 2,
                      "not a ledger record: a JSON object {...} is expected, this line holds an array"),
    "NaN": (lambda d: d.replace(b'"mae":', b'"mae":NaN,"x":', 1), 3,
            "not a ledger record: NaN is not a number a ledger may hold"),
    "duplicate key": (lambda d: d.replace(b'{"forecast"', b'{"seed":1,"forecast"', 1), 1,
                      "not a ledger record: the key 'seed' appears twice in one record"),
    "absurd nesting": (_line(1, b"[" * 100_000), 2, "not a ledger record: nested too deeply"),
    "unknown field": (_edit(0, lambda r: r.update(note="x")), 1, "note: not a field of a seal record"),
    "grade of no seal": (_edit(2, lambda r: r.update(sealed=1)), 3,
                         "sealed: a grade of record 1, which is not an earlier seal of run"),
}


@pytest.mark.parametrize("kind", MALFORMED)
def test_every_malformed_ledger_is_a_named_error(cli, graded, kind):
    run_ids, path, _ = graded
    damage, line, message = MALFORMED[kind]
    path.write_bytes(damage(path.read_bytes()))
    code, out, err = cli("verify")
    assert code == 1 and "Traceback" not in out + err
    assert re.search(rf"\.accord/ledger\.jsonl:{line}: .*{re.escape(message)}", err), err
    code, _, err = cli("seal", run_ids[1])
    assert code == 2 and "nothing is appended" in err and "Traceback" not in err


def test_a_malformed_ledger_in_a_fresh_process(cli, graded):
    """As a user runs it: exit status 1, the problem named, no traceback."""
    import subprocess
    import sys

    _, path, _ = graded
    path.write_bytes(b"[" * 100_000 + b"\n\xff\xfe\n")
    done = subprocess.run([sys.executable, "-m", "accord", "verify"], cwd=path.parent.parent, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "ledger.jsonl:1: not a ledger record: nested too deeply" in done.stderr
    assert "ledger.jsonl:2: not UTF-8 text: byte 0xff" in done.stderr


def test_a_ledger_that_is_a_folder_is_named(cli, sealed):
    _, path = sealed
    code, _, err = cli("verify", "--ledger", path.parent)
    assert code == 2 and "is a folder, not a ledger file" in err and "Traceback" not in err


# -- writes that fail -----------------------------------------------------------------------------


def _unsealed(cli):
    code, out, _ = cli("forecast", KOREA, "-m", "nash", "--json")
    return json.loads(out)["runs"][0]["run_id"]


def test_a_full_disk_leaves_the_ledger_as_it_was(cli, sealed, monkeypatch):
    import errno
    import os

    _, path = sealed
    run_id, before = _unsealed(cli), path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", full)
        code, _, err = cli("seal", run_id)
    assert code == 2 and "Traceback" not in err
    assert "cannot write .accord/ledger.jsonl: no space left on device; the file is unchanged" in err
    assert path.read_bytes() == before and not list(path.parent.glob(".ledger.jsonl.*"))
    assert cli("verify")[0] == 0  # nothing anchored either
    assert cli("seal", run_id)[0] == 0


def test_a_failed_rename_keeps_the_record_anchored(cli, sealed, monkeypatch):
    import errno
    import os

    _, path = sealed
    run_id, before = _unsealed(cli), path.read_bytes()

    def read_only(src, dst):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", read_only)
        code, _, err = cli("seal", run_id)
    assert code == 2 and "read-only file system" in err and "the record is anchored in the run store" in err
    assert path.read_bytes() == before
    code, _, err = cli("verify")
    assert code == 1 and "record 2 was removed from its end" in err
    code, _, err = cli("seal", run_id)  # the record is put in, so the run is sealed already
    assert code == 2 and "already sealed (record 2)" in err
    assert json.loads(lines(path)[2])["run_id"] == run_id and cli("verify")[0] == 0


@pytest.mark.slow
def test_a_read_only_ledger_folder_is_refused_by_name(unprivileged):
    run, folder = unprivileged
    done = run("forecast", KOREA, "-m", "mean", "--store", "runs.sqlite", "--json")
    run_id = json.loads(done.stdout)["runs"][0]["run_id"]
    (folder / "sealed").mkdir(mode=0o555)
    done = run("seal", run_id, "--store", "runs.sqlite", "--ledger", "sealed/ledger.jsonl")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot write sealed/ledger.jsonl: permission denied; nothing was written" in done.stderr
    assert run("verify", "--store", "runs.sqlite", "--ledger", "sealed/ledger.jsonl").returncode == 0
