"""The result type of the core: its JSON contract entry read back (Result.from_json), and interactions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from accord.errors import UsageError
from accord.io import read_scenario
from accord.models import INTERACTION_COLUMNS, Result, get_model, interactions, registry
from accord.narrate import story
from accord.runner import add_uncertainty
from accord.store import RunStore

from .conftest import KOREA, make_scenario

MODELS = sorted(registry())


@pytest.fixture(scope="module")
def korea():
    return read_scenario(KOREA).scenario


def text(result: Result) -> str:
    return json.dumps(result.to_json(), allow_nan=False)


@pytest.mark.parametrize("name", MODELS)
def test_a_run_read_back_from_json_writes_the_same_json(korea, name):
    from accord.testing import SMALL

    model = get_model(name)()
    # a model that declares it cannot take Korea runs the probe
    scenario = SMALL if model.check(korea.inputs()) else korea
    run = model.run(scenario, seed=4)
    back = Result.from_json(json.loads(text(run)), scenario)
    assert text(back) == text(run)
    np.testing.assert_array_equal(back.positions, run.positions)
    np.testing.assert_array_equal(back.weight, run.weight)
    assert (back.model, back.params, back.seed, back.notes) == (run.model, run.params, run.seed, run.notes)
    assert all(isinstance(back.tables[t], pd.DataFrame) for t in back.tables) and set(back.tables) == set(run.tables)


def test_monte_carlo_summary_is_read_back_without_the_draws(korea):
    runs = [get_model(m)().run(korea, seed=0) for m in ("mean", "eum")]
    add_uncertainty(korea, runs, 200, seed=3)
    for run in runs:
        back = Result.from_json(json.loads(text(run)), korea)
        assert text(back) == text(run)  # quantiles, samples, correlate as recorded
        assert "forecasts" not in back.uncertainty and back.uncertainty["samples"] == 200
        for q, values in run.quantiles().items():
            np.testing.assert_array_equal(back.quantiles()[q], values)


def test_without_its_scenario_a_run_keeps_its_numbers_and_the_recorded_summary():
    # A1 takes no stance on i0: the rows of i0 skip it, those of i1 place it between A0 and A2.
    scenario = make_scenario([[10, 80], [np.nan, 20], [90, 35]], [[0.7, 0.2], [0.0, 0.5], [0.3, 0.1]], [3, 2, 4])
    run = get_model("eum")().run(scenario, seed=1)
    back = Result.from_json(json.loads(text(run)))
    assert back.actors == ("A0", "A1", "A2") and back.issues == ("i0", "i1")
    np.testing.assert_array_equal(back.positions, run.positions)
    np.testing.assert_array_equal(back.forecast, run.forecast)
    assert np.isnan(back.weight).all()  # unknown without the scenario
    assert text(back) == text(run)  # the summary is the recorded one


def test_a_run_read_back_with_another_scenario_is_refused_by_name(korea):
    run = get_model("mean")().run(korea)
    other = make_scenario([[10], [90]], [[0.5], [0.5]], [1, 1])
    with pytest.raises(UsageError, match="has issues .* the scenario given i0"):
        Result.from_json(run.to_json(), other)


@pytest.mark.parametrize("name", ["eum", "smp", "exchange", "median"])
def test_a_stored_run_is_told_without_running_the_model(tmp_path, korea, name, monkeypatch):
    run = get_model(name)().run(korea, seed=0)
    store = RunStore(tmp_path / "runs.sqlite")
    record = store.get(store.save(korea, run.to_json()).run_id)

    def refuse(*args, **kwargs):
        raise AssertionError("the model was run again")

    monkeypatch.setattr(type(get_model(name)()), "solve", refuse)
    back = Result.from_json(record.result, record.scenario(store))
    assert story(back, korea) == story(run, korea)


def test_interactions_give_eum_offers_and_smp_challenges_as_one_table(korea):
    eum, smp = get_model("eum")().run(korea), get_model("smp")().run(korea)
    for run in (eum, smp):
        table = interactions(run)
        assert tuple(table.columns) == INTERACTION_COLUMNS and len(table)
        assert set(table["actor"]) <= set(korea.actor_ids) and set(table["other"]) <= set(korea.actor_ids)
        # computed from the run's own tables: the same on a run read back from JSON
        pd.testing.assert_frame_equal(interactions(Result.from_json(run.to_json(), korea)), table)
    offers, table = eum.table_frame("offers"), interactions(eum)
    # the one making a demand is the EUM table's `other`; the one giving way its `actor`
    assert (table["actor"] == offers["other"]).all() and (table["other"] == offers["actor"]).all()
    assert (table["kind"] == "accepted").sum() == offers["accepted"].sum() > 0
    assert set(table["kind"]) <= {"accepted", "demand"}
    challenges, table = smp.table_frame("challenges"), interactions(smp)
    assert (table["kind"] == "challenge").all() and table["issue"].isna().all()
    np.testing.assert_array_equal(table["value"], challenges["gain"])
    empty = interactions(get_model("mean")().run(korea))
    assert tuple(empty.columns) == INTERACTION_COLUMNS and empty.empty


def imported(path) -> set[str]:
    """The accord modules a source file imports, anywhere in it (inside functions too)."""
    import ast

    package = path.parent.relative_to(SRC).as_posix().replace("/", ".")
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module) if p)
            out |= {module} if node.module else {f"{module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return {m for m in out if m.startswith("accord")}


SRC = Path(__file__).resolve().parents[1] / "src"


def test_the_core_and_the_model_contract_import_only_the_core():
    core = {"accord.errors", "accord.scenario", "accord.stats", "accord.result"}
    assert imported(SRC / "accord" / "result.py") <= core
    contract = imported(SRC / "accord" / "models" / "base.py")
    assert {m for m in contract if not m.startswith("accord.models")} <= core  # not explain, narrate, uncertainty


def test_records_make_every_value_plain_column_by_column():
    from accord.result import _plain, records

    frame = pd.DataFrame({
        "issue": ["a", "b", "c"], "round": np.array([1, 2, 3], dtype=np.int64), "ok": [True, False, True],
        "value": [1.5, np.nan, np.inf], "small": np.array([0.25, -np.inf, -0.0], dtype=np.float32),
        "mixed": [np.float64(2.0), None, np.int64(4)], "when": pd.to_datetime(["2020-01-01"] * 3)})
    expected = [{c: _plain(v) for c, v in zip(frame.columns, row)} for row in frame.itertuples(index=False, name=None)]
    found = records(frame)
    assert found == expected
    assert [type(v) for v in found[0].values()] == [type(v) for v in expected[0].values()]
    assert found[1]["value"] is None and found[2]["value"] is None and found[1]["small"] is None
    assert records(frame.iloc[:0]) == [] and records(pd.DataFrame(index=range(2))) == [{}, {}]


def test_records_make_every_column_plain_strings_missing_values_and_flags_included():
    import pandas as pd

    from accord.result import records

    frame = pd.DataFrame({"issue": pd.array(["a", None], dtype="str"), "kind": np.array(["x", np.nan], dtype=object),
                          "n": [1, 2], "v": [0.5, np.inf], "ok": np.array([np.True_, False], dtype=object)})
    assert records(frame) == [{"issue": "a", "kind": "x", "n": 1, "v": 0.5, "ok": True},
                              {"issue": None, "kind": None, "n": 2, "v": None, "ok": False}]
    assert [type(v) for v in records(frame)[0].values()] == [str, str, int, float, bool]
