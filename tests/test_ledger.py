"""The forecast ledger: seal, grade, verify; any edited, removed or reordered record is found."""

from __future__ import annotations

import json

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
    assert code == 1 and "chain is broken" in err and "Traceback" not in err
    code, _, err = cli("seal", run_ids[1])
    assert code == 2 and "nothing is appended" in err


def test_a_forged_chain_is_caught_by_re_running(cli, sealed):
    run_ids, path = sealed
    records = [json.loads(line) for line in lines(path)]
    records[1]["forecast"][0]["value"] += 5
    records[1]["result_sha256"] = digest(records[1]["forecast"])
    path.write_text(rehash(records))
    code, out, err = cli("verify")
    assert code == 1 and not err.strip()
    assert "re-running gives a different forecast" in out and out.count("reproduced") == 1
