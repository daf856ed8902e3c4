"""Perspectives: each source's reading of the scenario, and where the forecasts part."""

from __future__ import annotations

import json

import numpy as np
import pytest

from accord.io import read_scenario
from accord.perspectives import CONSENSUS, claims_by_source, perspectives, reading

from .conftest import KOREA, shared


def test_a_reading_takes_the_sources_own_values_and_the_consensus_elsewhere():
    s = read_scenario(KOREA).scenario
    rus = s.actor("RUS").issues["sanctions"].position
    by_source = {src: [c.point for c in rus.claims if c.source == src] for src in ("blank2018", "lukyanov2018")}
    blank, lukyanov = reading(s, "blank2018"), reading(s, "lukyanov2018")
    assert blank.actor("RUS").issues["sanctions"].position.point == pytest.approx(sum(by_source["blank2018"]) / len(
        by_source["blank2018"]))
    assert lukyanov.actor("RUS").issues["sanctions"].position.point == pytest.approx(
        sum(by_source["lukyanov2018"]) / len(by_source["lukyanov2018"]))
    # A number Lukyanov says nothing about keeps the consensus, claims and all.
    jpn = s.actor("JPN").issues["sanctions"].position
    assert not any(c.source == "lukyanov2018" for c in jpn.claims)
    assert lukyanov.actor("JPN").issues["sanctions"].position == jpn
    assert claims_by_source(s) == {"blank2018": 32, "economy2018": 20, "lukyanov2018": 22}


def test_korea_readings_diverge_by_more_than_ten_points(cli):
    code, out, _ = cli("perspectives", KOREA, "--json")
    assert code == 0
    doc = json.loads(out)
    assert {f["reading"] for f in doc["forecasts"]} == {CONSENSUS, "blank2018", "economy2018", "lukyanov2018"}
    assert max(row["spread"] for row in doc["spread"]) > 10
    top = doc["inputs"][0]
    assert top["actor"] == "RUS" and top["what"] == "position"  # Russia's positions are what the sources dispute
    assert all(ids and all(ids) for ids in doc["run_ids"].values())  # every reading's runs are recorded
    code, out, _ = cli("perspectives", KOREA, "-m", "mean", "--no-store")
    assert code == 0 and "more than 10 points apart" in out and "lukyanov2018" in out


def test_without_sources_there_is_only_the_consensus(cli):
    code, out, _ = cli("perspectives", shared("data", "eum", "ec-emissions-1994.csv"), "-m", "mean", "--no-store")
    assert code == 0 and "No two readings lead to forecasts more than 10 points apart" in out
    p = perspectives(read_scenario(KOREA).scenario, ["median"])
    assert set(p.forecasts["model"]) == {"median"} and len(p.runs) == 4


def test_a_reading_is_its_own_scenario_even_after_the_consensus_was_used():
    """A copy must not inherit what was cached of the original (inputs, sha256)."""
    sc = read_scenario(KOREA).scenario
    consensus = sc.inputs().position.copy()
    _ = sc.sha256
    blank = reading(sc, "blank2018")
    assert blank.sha256 != sc.sha256
    assert np.nanmax(np.abs(blank.inputs().position - consensus)) > 0
    fresh = reading(read_scenario(KOREA).scenario, "blank2018")
    assert blank.sha256 == fresh.sha256
    assert np.array_equal(blank.inputs().position, fresh.inputs().position, equal_nan=True)
