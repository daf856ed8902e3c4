"""The analyses' command lines take --workers (and --scheduler) and give the same output for any
number of workers; forecast takes what-if edits with --set."""

from __future__ import annotations

import json

import pytest

from .conftest import KOREA, ROOT

DEU = ROOT / "data" / "deu3" / "deu3-dev.csv"
VOLATILE = {"run_id", "run_ids", "created", "version"}


def stable(out: str) -> object:
    def strip(doc):
        if isinstance(doc, dict):
            return {k: strip(v) for k, v in doc.items() if k not in VOLATILE}
        return [strip(v) for v in doc] if isinstance(doc, list) else doc
    return strip(json.loads(out))


@pytest.mark.slow
@pytest.mark.parametrize("command", [
    ["roles", KOREA, "--samples", "6", "--seed", "3", "--no-store"],
    ["backtest", DEU, "-m", "mean", "-m", "eum", "--samples", "2", "--seed", "4"],
    ["sensitivity", KOREA, "-m", "eum", "--seed", "5"],
    ["perspectives", KOREA, "-m", "eum", "-m", "mean", "--no-store"],
], ids=lambda c: c[0])
def test_two_workers_give_what_one_gives(cli, command):
    code, one, err = cli(*command, "--json")
    assert code == 0, err
    code, two, err = cli(*command, "--json", "--workers", "2")
    assert code == 0, err
    assert stable(one) == stable(two)


def test_forecast_sets_an_input_over_its_claims(cli):
    code, out, err = cli("forecast", KOREA, "-m", "mean", "--json", "--no-store", "--set", "RUS.sanctions.position=100")
    assert code == 0, err
    edited = {row["issue"]: row["value"] for row in json.loads(out)["runs"][0]["forecast"]}
    code, out, _ = cli("forecast", KOREA, "-m", "mean", "--json", "--no-store")
    plain = {row["issue"]: row["value"] for row in json.loads(out)["runs"][0]["forecast"]}
    assert edited["sanctions"] > plain["sanctions"] and edited["sequencing"] == plain["sequencing"]


def test_forecast_set_names_every_bad_edit(cli):
    code, _, err = cli("forecast", KOREA, "--no-store", "--set", "RUX.sanctions.position=100",
                       "--set", "RUS.sanctions.salience=7", "--set", "RUS.sanctions.position")
    text = " ".join(err.split())
    assert code == 2 and "Traceback" not in text
    assert "unknown actor `RUX`" in text and "7 is outside the allowed range" in text
