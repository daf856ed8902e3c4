"""The command line, as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import KOREA, shared


def test_forecast_prints_every_issue_under_every_baseline(cli):
    code, out, _ = cli("forecast", KOREA)
    assert code == 0
    for label in ("UN sanctions on the DPRK", "Sequencing of denuclearization", "Regional economic links"):
        assert label in out
    for model in ("mean", "median", "nash"):
        assert out.count(f"\n│ {model} ") >= 5 or out.count(model) >= 5
    assert "recorded as" in out


def test_forecast_json_golden_ec_emissions(cli):
    path = shared("data", "eum", "ec-emissions-1994.csv")
    code, out, _ = cli("forecast", path, "--format", "table", "--model", "mean", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["runs"][0]["forecast"] == [{"issue": "x", "value": 7.389955686853767}]
    assert doc["runs"][0]["run_id"]
    code, out, _ = cli("forecast", path, "--format", "table", "--model", "median", "--json")
    assert json.loads(out)["runs"][0]["forecast"] == [{"issue": "x", "value": 7.0}]


def test_json_is_identical_apart_from_run_ids(cli):
    runs = []
    for _ in range(2):
        code, out, _ = cli("forecast", KOREA, "--json")
        doc = json.loads(out)
        for run in doc["runs"]:
            run.pop("run_id")
        runs.append(doc)
    assert runs[0] == runs[1]


def test_params_reach_the_model_and_bad_ones_are_named(cli):
    code, out, _ = cli("forecast", KOREA, "-m", "nash", "-p", "disagreement=worst", "--json", "--no-store")
    assert code == 0 and json.loads(out)["runs"][0]["params"] == {"disagreement": "worst"}
    code, out, _ = cli("forecast", KOREA, "-m", "nash", "-p", "nash.disagreement=reference", "--json", "--no-store")
    assert code == 0 and json.loads(out)["runs"][0]["params"] == {"disagreement": "reference"}
    code, _, err = cli("forecast", KOREA, "-m", "nash", "-p", "disagreement=sometimes")
    assert code == 2 and "disagreement" in err and "Traceback" not in err
    code, _, err = cli("forecast", KOREA, "-m", "mean", "-p", "rounds=3")
    assert code == 2 and "none of the chosen models" in err
    code, _, err = cli("forecast", KOREA, "-m", "nope")
    assert code == 2 and "unknown model 'nope'" in err and "mean" in err


def test_default_scenario_is_the_bundled_korea_scenario(cli):
    code, out, _ = cli("forecast", "--json", "--no-store")
    assert code == 0
    assert json.loads(out)["scenario"]["name"] == "Korean peninsula diplomacy, 2018"


def test_validate_summarises_the_evidence(cli):
    code, out, _ = cli("validate", KOREA)
    assert code == 0
    assert "6 actors" in out and "claims from 3 sources" in out and "give --texts" in out


def test_convert_and_schema(cli, tmp_path):
    code, _, err = cli("convert", KOREA, tmp_path / "k.csv")
    assert code == 0 and "no place for" in err
    rows = list(csv.DictReader(line for line in (tmp_path / "k.csv").read_text().splitlines()
                               if not line.startswith("#")))
    assert len(rows) == 30 and {"actor", "issue", "position", "salience", "capability"} <= set(rows[0])
    code, out, _ = cli("forecast", tmp_path / "k.csv", "-m", "mean", "--json", "--no-store")
    code2, out2, _ = cli("forecast", KOREA, "-m", "mean", "--json", "--no-store")
    assert json.loads(out)["runs"][0]["forecast"] == json.loads(out2)["runs"][0]["forecast"]
    code, out, _ = cli("schema")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "accord scenario" and "actors" in schema["properties"]


def test_models_lists_parameters(cli):
    code, out, _ = cli("models")
    assert code == 0 and "nash" in out and "disagreement='reference'" in out


def test_runs_list_show_export(cli, tmp_path):
    code, out, _ = cli("forecast", KOREA, "-m", "median", "--json")
    run_id = json.loads(out)["runs"][0]["run_id"]
    code, out, _ = cli("runs", "list")
    assert code == 0 and run_id in out
    code, out, _ = cli("runs", "show", run_id, "--json")
    shown = json.loads(out)
    assert shown["runs"][0]["run_id"] == run_id and shown["runs"][0]["model"] == "median"
    code, out, _ = cli("runs", "show", run_id)
    assert code == 0 and "UN sanctions on the DPRK" in out
    code, out, _ = cli("runs", "export", run_id, "--format", "json")
    record = json.loads(out)
    assert record["scenario"]["body"]["name"] == "Korean peninsula diplomacy, 2018"
    assert record["result"]["forecast"] == shown["runs"][0]["forecast"]
    code, out, _ = cli("runs", "export", run_id, "--format", "csv", "--table", "rounds")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 30 and rows[0].keys() == {"round", "issue", "actor", "position"}
    code, _, err = cli("runs", "export", run_id, "--format", "csv", "--table", "nope")
    assert code == 2 and "median_actor" in err
    code, _, err = cli("runs", "show", "does-not-exist")
    assert code == 2 and "no run" in err


def _entry_points() -> list[list[str]]:
    """`python -m accord` always; the console script too where it is installed beside this Python."""
    script = Path(sys.executable).with_name("accord")
    return [[sys.executable, "-m", "accord"], [sys.executable, "-m", "accord.cli"]] + (
        [[str(script)]] if script.exists() else [])


@pytest.mark.slow
@pytest.mark.parametrize("cmd", _entry_points(), ids=lambda c: c[-1] if "-m" in c else "script")
def test_console_script_runs_in_a_fresh_process(tmp_path, cmd):
    """The installed entry point, as `make demo` calls it, `python -m accord` and `python -m accord.cli`."""
    done = subprocess.run([*cmd, "forecast", str(KOREA), "--store", str(tmp_path / "s.sqlite")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "UN sanctions on the DPRK" in done.stdout
    done = subprocess.run([*cmd, "validate", str(tmp_path / "missing.yaml")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "no such file" in done.stderr and "Traceback" not in done.stderr


def test_models_that_cannot_take_a_scenario_are_skipped_with_their_reason(cli):
    path = shared("data", "eum", "ec-emissions-1994.csv")
    code, out, err = cli("forecast", path, "--json", "--no-store")
    doc = json.loads(out)
    assert code == 0 and {r["model"] for r in doc["runs"]} >= {"mean", "median", "nash", "eum", "smp"}
    assert doc["skipped"] == [
        {"model": "exchange", "reason": "model exchange needs at least two issues: actors trade across issues"},
        {"model": "procedural", "reason": "model procedural needs a decision rule for every issue (none for x): give "
                                          "the issue or the scenario a `decision`"}]
    assert "skipped" in err
    code, _, err = cli("forecast", path, "-m", "exchange")  # asked for by name: an error
    assert code == 2 and "at least two issues" in err


def test_notes_that_say_the_same_for_several_issues_print_once():
    from accord.views import grouped_notes

    assert grouped_notes(["a: deadlock", "b: converged", "c: deadlock", "plain note"]) == [
        "a, c: deadlock", "b: converged", "plain note"]


def test_the_histogram_of_the_samples_is_drawn_by_the_terminal_not_stored_in_the_json(cli):
    """The JSON carries numbers only; the terminal draws each histogram from the samples, and a
    stored run reprints it from the samples its sweep stored."""
    from accord.io import read_scenario
    from accord.runner import add_uncertainty, run_models
    from accord.views import histogram

    code, out, _ = cli("forecast", KOREA, "-m", "mean", "--samples", "40", "--seed", "2", "--json", "--no-store")
    assert code == 0 and all(set(row) == {"issue", "value", "q05", "q10", "q25", "median", "q75", "q90", "q95"}
                             for row in json.loads(out)["runs"][0]["forecast"])
    sc = read_scenario(KOREA).scenario
    (mean,) = run_models(sc, ["mean"], {}, 2)
    add_uncertainty(sc, [mean], 40, 2)
    marks = histogram(mean.uncertainty["forecasts"][:, 0], 0.0, 100.0)
    assert len(marks) == 20 and marks.strip()
    code, out, _ = cli("forecast", KOREA, "-m", "mean", "--samples", "40", "--seed", "2", "-q")
    assert code == 0 and marks.strip() in out
    code, shown, _ = cli("runs", "show", "latest")
    assert code == 0 and marks.strip() in shown


def test_the_ledger_guides_commands_work_as_written(cli):
    """The ledger guide's example (docs/guides/ledger.md), command by command, in an empty folder."""
    root = Path(__file__).parents[1]
    guide = (root / "docs" / "guides" / "ledger.md").read_text()
    block = guide.split("# The forecast ledger")[1].split("```sh")[1].split("```")[0]
    commands = [line.split("#")[0].split() for line in block.strip().splitlines()]
    assert [c[1] for c in commands] == ["forecast", "seal", "grade", "verify"]
    for command in commands:  # the example's paths are the repository's
        code, out, err = cli(*[str(root / a) if (root / a).is_file() else a for a in command[1:]])
        assert code == 0, (command, err)
    assert "1 sealed forecasts checked; 0 problems" in out


@pytest.mark.parametrize("failure", ["ENOSPC", "EROFS"])
def test_a_write_that_fails_is_named_and_keeps_the_old_file(cli, tmp_path, monkeypatch, failure):
    """A full disk fails the write (fsync), a read-only folder the rename: the old file stays whole."""
    import errno
    import os

    code = getattr(errno, failure)

    def fail(*args):
        raise OSError(code, os.strerror(code))

    target = tmp_path / "k.yaml"
    target.write_text("old\n")
    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync" if failure == "ENOSPC" else "replace", fail)
        status, _, err = cli("convert", KOREA, target)
        status_new, _, err_new = cli("convert", KOREA, tmp_path / "new.csv")
    reason = "no space left on device" if failure == "ENOSPC" else "read-only file system"
    assert status == 2 and f"cannot write {target}: {reason}; the file is unchanged" in err
    assert status_new == 2 and f"new.csv: {reason}; nothing was written" in err_new and "Traceback" not in err_new
    assert target.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["k.yaml"]


def test_a_forecast_into_a_full_store_is_named(cli, tmp_path, monkeypatch):
    import sqlite3

    from accord.store import RunStore

    assert cli("forecast", KOREA, "-m", "mean")[0] == 0
    connect = RunStore._connect

    def full(self):
        db = connect(self)
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
        return db

    monkeypatch.setattr(RunStore, "_connect", full)
    for _ in range(30):
        code, _, err = cli("forecast", KOREA)
        if code:
            break
    assert code == 2 and "Traceback" not in err
    assert "cannot write the run store .accord/runs.sqlite: no space left on device; nothing was recorded" in err
    assert sqlite3.connect(tmp_path / ".accord" / "runs.sqlite").execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.slow
def test_writes_to_a_read_only_folder_are_named(unprivileged):
    run, folder = unprivileged
    (folder / "locked").mkdir(mode=0o555)
    done = run("convert", KOREA, "locked/k.csv")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot write locked/k.csv: permission denied; nothing was written" in done.stderr
    done = run("forecast", KOREA, "-m", "mean", "--store", "locked/runs.sqlite")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "locked/runs.sqlite" in done.stderr


def test_roles_of_one_actor_judge_each_assertion_under_every_reading(cli):
    code, out, _ = cli("roles", KOREA, "--actor", "RUS", "--samples", "5", "--no-store")
    assert code == 0
    assert out.startswith("Russia in Korean peninsula diplomacy, 2018: roles under influence")
    table = out[out.index("The roles the sources assert of Russia"):]
    header = table.splitlines()[1]
    for column in ("assertion", "by", "on", "consensus", "economy2018", "blank2018", "lukyanov2018"):
        assert column in header
    assert table.count("(own)") == 4  # Russia: spoiler, broker, not broker, follower of China; each by one source
    code, out, _ = cli("roles", KOREA, "--actor", "RUS", "--samples", "5", "--no-store", "--json")
    doc = json.loads(out)
    assert doc["actor"] == "RUS" and {c["actor"] for c in doc["comparison"]} == {"RUS"}
    assert [len(c["readings"]) for c in doc["comparison"]] == [4, 4, 4, 4]  # the consensus and three readings


def test_roles_of_an_unknown_actor_name_the_actors(cli):
    code, _, err = cli("roles", KOREA, "--actor", "XXX", "--samples", "0", "--no-store")
    assert code == 2
    assert "--actor 'XXX': no such actor" in err and "USA, CHN, RUS, PRK, KOR, JPN" in err


def test_the_demo_ends_with_the_bottom_line_then_russias_verdicts():
    makefile = (Path(__file__).parents[1] / "Makefile").read_text()
    demo = makefile[makefile.index("\ndemo:") + 1:].split("\n\n")[0].splitlines()[1:]
    assert [line.strip() for line in demo] == ["$(BIN)/accord forecast scenarios/korea-2018.yaml",
                                               "$(BIN)/accord roles scenarios/korea-2018.yaml --actor RUS"]
