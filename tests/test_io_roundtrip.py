"""Every shipped KTAB and decide file reads, converts to YAML and table and back without loss."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.io import encode_scenario, read_scenario, write_scenario
from accord.scenario import Scenario

from .conftest import KOREA, SHARED, shared

KTAB = sorted(p.name for p in (SHARED / "data" / "ktab").glob("*.csv"))
DECIDE = ["sample_data.txt", "copenhagen.csv", "cop21.csv"]
CASES = [("ktab", n) for n in KTAB] + [("decide", n) for n in DECIDE]
BUNDLED = sorted((Path(__file__).parent / "data" / "ktab").glob("*.csv"))


def assert_same_data(a: Scenario, b: Scenario) -> None:
    """Equal actors, issues, numbers and labels (the evidence aside)."""
    assert (a.name, a.description) == (b.name, b.description)
    assert a.actor_ids == b.actor_ids and a.issue_ids == b.issue_ids
    assert [x.name for x in a.actors] == [x.name for x in b.actors]
    assert [(i.label, i.scale.min, i.scale.max) for i in a.issues] == [(i.label, i.scale.min, i.scale.max)
                                                                       for i in b.issues]
    ia, ib = a.inputs(), b.inputs()
    for field in ("position", "salience", "capability", "reference"):
        np.testing.assert_array_equal(getattr(ia, field), getattr(ib, field), err_msg=field)


@pytest.mark.parametrize("fmt,name", CASES, ids=[n for _, n in CASES])
def test_round_trips_without_loss(tmp_path, fmt, name):
    check_round_trips(tmp_path, shared("data", fmt, name), fmt)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_ktab_files_round_trip(tmp_path, path):
    check_round_trips(tmp_path, path, "ktab")


def check_round_trips(tmp_path, path, fmt):
    original = read_scenario(path)
    assert original.format == fmt
    s0 = original.scenario

    # YAML keeps everything, evidence and settings included.
    write_scenario(s0, tmp_path / "s.yaml")
    assert read_scenario(tmp_path / "s.yaml").scenario.canonical() == s0.canonical()

    # The table keeps the data, as CSV and as XLSX.
    for target in ("s.csv", "s.xlsx"):
        write_scenario(s0, tmp_path / target)
        back = read_scenario(tmp_path / target).scenario
        assert_same_data(s0, back)
        # ... and back to the original format.
        write_scenario(back, tmp_path / f"again-{target}.txt", fmt)
        assert_same_data(s0, read_scenario(tmp_path / f"again-{target}.txt", fmt).scenario)

    # The original format, written again, reads the same.
    write_scenario(s0, tmp_path / "same.txt", fmt)
    assert_same_data(s0, read_scenario(tmp_path / "same.txt", fmt).scenario)


def test_ktab_xml_matches_its_csv_and_keeps_the_settings():
    xml = read_scenario(shared("data", "ktab", "dummyData_3Dim.xml")).scenario
    csv = read_scenario(shared("data", "ktab", "dummyData_3Dim.csv")).scenario
    assert xml.actor_ids == csv.actor_ids and xml.issue_ids == csv.issue_ids
    for field in ("position", "salience", "capability"):
        np.testing.assert_array_equal(getattr(xml.inputs(), field), getattr(csv.inputs(), field))
    assert xml.settings == {"smp": {"seed": 3707583219545544125}}
    example = read_scenario(shared("data", "ktab", "smpExample_fixed_2017.xml")).scenario
    smp = example.settings["smp"]
    assert smp["StateTransitions"] == "Stochastic" and smp["VotingRule"] == "PropCbc"
    assert {"actor": "Carol", "reference": "David", "weight": 0.13} in smp["accommodation"]
    assert example.inputs().position[0, 0] == 52.8  # Alice's first coordinate, restored in the fixed file


def test_ktab_conventions_on_import():
    s = read_scenario(shared("data", "ktab", "SOE-Pol-Comp.csv")).scenario
    xi = s.actor("XJ")
    assert xi.name == "Xi Jinping"
    assert xi.capability.point == 100.0
    assert xi.issues["Policy"].position.point == 30
    assert xi.issues["Policy"].salience.point == pytest.approx(0.24)  # 24 on KTAB's 0-100
    assert s.issue("Policy").scale.min == 0 and s.issue("Policy").scale.max == 100


def test_decide_sparse_data_and_per_issue_power():
    s = read_scenario(shared("data", "decide", "cop21.csv")).scenario
    assert (len(s.actors), len(s.issues)) == (15, 13)
    assert int(s.inputs().present.sum()) == 181  # 14 of 195 cells are missing
    scale = read_scenario(shared("data", "decide", "sample_data.txt")).scenario.issue("tol-hoogte").scale
    assert (scale.min, scale.max) == (0.5, 7)


def test_table_without_issue_column_is_issue_x():
    s = read_scenario(shared("data", "eum", "ec-emissions-1994.csv"), "table")
    assert s.scenario.issue_ids == ("x",)
    assert (s.scenario.issue("x").scale.min, s.scenario.issue("x").scale.max) == (4, 10)
    assert any("range of its positions" in w.message for w in s.warnings)


def test_yaml_round_trip_of_the_korea_scenario_keeps_every_claim(tmp_path):
    s0 = read_scenario(KOREA).scenario
    write_scenario(s0, tmp_path / "k.yaml")
    s1 = read_scenario(tmp_path / "k.yaml").scenario
    assert s1.canonical() == s0.canonical() and s1.sha256 == s0.sha256


def test_lossy_conversions_say_what_they_leave_out():
    s = read_scenario(KOREA).scenario
    _, warnings = encode_scenario(s, "table")
    text = " ".join(w.message for w in warnings)
    assert "claims" in text and "anchor" in text
    _, warnings = encode_scenario(s, "decide")
    assert any("reference points" in w.message for w in warnings)


def test_files_written_atomically_get_the_usual_permissions(tmp_path):
    import os

    from accord.io import atomic_write

    atomic_write(tmp_path / "out.txt", b"x")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("durable, syncs", [(True, 2), (False, 0)])
def test_a_scratch_file_is_written_whole_without_syncs(tmp_path, monkeypatch, durable, syncs):
    """``durable=False`` (files that need not outlive a crash) skips the syncs, not the renaming:
    the file is whole, and no temporary file is left."""
    import os

    from accord.io import atomic_write

    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    atomic_write(tmp_path / "out.txt", b"old")
    synced.clear()
    atomic_write(tmp_path / "out.txt", b"whole", durable=durable)
    assert (tmp_path / "out.txt").read_bytes() == b"whole" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    assert len(synced) == syncs


# -- files users' own tools read ---------------------------------------------------------------


def test_a_table_csv_reads_in_pandas_as_it_is_and_back_in_accord_exactly(tmp_path, cli):
    import pandas as pd

    s0 = read_scenario(KOREA).scenario
    data = s0.canonical() | {"name": 'Korea, 2018: "talks" # one', "description": "# no comment\nline two, a comma\n"}
    s0 = Scenario.model_validate(data)
    write_scenario(s0, tmp_path / "k.yaml")
    code, _, err = cli("convert", tmp_path / "k.yaml", tmp_path / "k.csv")
    assert code == 0, err
    frame = pd.read_csv(tmp_path / "k.csv")  # default arguments: no comment lines to skip
    stances = [(a.id, i) for a in s0.actors for i in s0.issue_ids if i in a.issues]
    assert len(frame) == len(stances) and list(frame[["actor", "issue"]].itertuples(index=False, name=None)) == stances
    assert frame["position"].tolist() == [s0.actor(a).issues[i].position.point for a, i in stances]
    assert frame.loc[0, "scenario_name"] == s0.name and frame.loc[0, "scenario_description"] == s0.description
    assert frame.loc[0, "scenario_date"] == s0.date
    back = read_scenario(tmp_path / "k.csv").scenario
    assert_same_data(s0, back)
    assert (back.name, back.date, back.description) == (s0.name, s0.date, s0.description)


def test_a_table_with_two_scenario_names_is_refused(tmp_path):
    from accord.errors import InputError

    path = tmp_path / "t.csv"
    path.write_text("actor,issue,position,salience,capability,issue_min,issue_max,scenario_name\n"
                    "A,tax,20,0.5,10,0,100,Tax talks\nB,tax,80,0.4,5,0,100,\nC,tax,50,0.3,7,0,100,Other talks\n")
    with pytest.raises(InputError, match="t.csv:4: column scenario_name: scenario_name 'Other talks' differs from "
                                         "'Tax talks' on line 2"):
        read_scenario(path)


KTAB_FILES = BUNDLED + sorted((SHARED / "data" / "ktab").glob("*.csv"))


@pytest.mark.parametrize("path", KTAB_FILES, ids=[f"{p.parent.parent.name}-{p.name}" for p in KTAB_FILES])
def test_ktab_numbers_come_back_as_the_file_wrote_them(tmp_path, path):
    import csv

    def numbers(file):
        rows = [[c.strip() for c in r] for r in csv.reader(file.read_text(encoding="utf-8-sig").splitlines())]
        return [[float(c) for c in r[2:] if c] for r in rows[2:] if any(rows)]

    write_scenario(read_scenario(path).scenario, tmp_path / "again.csv", "ktab")
    assert numbers(tmp_path / "again.csv") == numbers(path)


def test_ktab_export_writes_no_float_noise(tmp_path):
    import csv
    import re

    s = read_scenario(KOREA).scenario
    write_scenario(s, tmp_path / "k.csv", "ktab")
    text = (tmp_path / "k.csv").read_text(encoding="utf-8")
    rows = {r[0]: r for r in csv.reader(text.splitlines()[2:])}
    # Russia's capability and its salience on economic links are means of claims, with the
    # rounding of floating point
    rus = s.actor("RUS")
    assert rus.capability.point == 38.333333333333336 and rus.issues["economic_links"].salience.point != 0.2
    assert rows["RUS"][2] == "38.3333333333333" and rows["RUS"][10] == "20"
    digits = [len(re.sub(r"e.*|[^0-9]", "", c).strip("0")) for r in rows.values() for c in r[2:]]
    assert max(digits) <= 15
    back = read_scenario(tmp_path / "k.csv").scenario
    np.testing.assert_allclose(back.inputs().position, s.inputs().position, rtol=1e-14)
    np.testing.assert_allclose(back.inputs().salience, s.inputs().salience, rtol=1e-14)
