"""Advice (accord.advise): stakes and levers, checked on scenarios whose best lever is known."""

from __future__ import annotations

import json

import numpy as np
import pytest

import accord
from accord.advice import CONSENSUS, _one_issue, advise
from accord.experiment import sample, solve_samples
from accord.io import from_arrays, write_scenario
from accord.models import get_model, registry

from .conftest import KOREA
from .test_web import settled


def _evaluation(advice, lever, model="mean", reading=CONSENSUS):
    return next(e for e in advice.evaluations
                if e["lever"] == lever and e["model"] == model and e["reading"] == reading)


def three_actors(decision=None, reference=None):
    """A at 10 (salience 0.5), B at 100 with capability 3, C at 40 with capability 1: the mean is 70."""
    return from_arrays([[10.0], [100.0], [40.0]], [[0.5], [0.5], [0.5]], [1, 3, 1], actors=["A", "B", "C"],
                       reference=reference, decision=decision)


def test_weighted_mean_persuasion_pays_each_actors_weight_share():
    # d f / d x_b = c_b s_b / sum c s; a's utility moves by s_a times that, per unit of b's move.
    advice = advise(three_actors(), "A", ["mean"], samples=0)
    assert _evaluation(advice, "persuade:i0:B")["point_per_unit"] == pytest.approx(0.5 * 3 / 5)
    assert _evaluation(advice, "persuade:i0:C")["point_per_unit"] == pytest.approx(0.5 * 1 / 5)
    assert _evaluation(advice, "position:i0:-")["point_per_unit"] == pytest.approx(0.5 * 1 / 5)
    assert advice.best()[0]["lever"] == "persuade:i0:B"  # the heaviest other actor


@pytest.mark.parametrize("seed", [0, 3])
def test_weighted_mean_derivative_holds_on_random_scenarios(seed):
    rng = np.random.default_rng(seed)
    n_a, n_i = 6, 3
    position = np.column_stack([np.r_[2.0, rng.uniform(40, 80, n_a - 1)] for _ in range(n_i)])
    salience = rng.uniform(0.2, 0.9, (n_a, n_i))
    capability = rng.uniform(1, 10, n_a)
    sc = from_arrays(position, salience, capability)
    advice = advise(sc, "A0", ["mean"], samples=0, step=0.01)
    weight = capability[:, None] * salience
    for b in range(1, n_a):
        for i in range(n_i):
            share = weight[b, i] / weight[:, i].sum()
            got = _evaluation(advice, f"persuade:i{i}:A{b}")["point_per_unit"]
            assert got == pytest.approx(salience[0, i] * share, rel=1e-9)
    # moving its own stated position pays its own weight share: the heaviest actor, a itself included, is best
    heaviest = max(((b, i) for b in range(n_a) for i in range(n_i)),
                   key=lambda bi: salience[0, bi[1]] * weight[bi] / weight[:, bi[1]].sum())
    moves = [r["lever"] for r in advice.best(n=len(advice.levers)) if r["kind"] in ("persuade", "position")]
    b, i = heaviest
    assert moves[0] == (f"position:i{i}:-" if b == 0 else f"persuade:i{i}:A{b}")


def test_the_monte_carlo_ranking_finds_the_heaviest_actor_too():
    advice = advise(three_actors(), "A", ["mean"], samples=200, seed=1)
    assert advice.best()[0]["lever"] == "persuade:i0:B"
    e = _evaluation(advice, "persuade:i0:B")
    assert e["per_unit"]["q05"] <= e["per_unit"]["mean"] <= e["per_unit"]["q95"]
    assert e["helps"] == 1.0 and e["hurts"] == 0.0


def test_a_veto_player_facing_a_worse_forecast_than_the_status_quo_gains_by_blocking():
    rule = {"rule": "unanimity", "vetoes": ["A", "B"], "assumption": "a toy"}
    advice = advise(three_actors(rule, reference=[20.0]), "A", ["mean"], samples=0)
    veto = _evaluation(advice, "veto:i0")
    assert veto["point_gain"] == pytest.approx(0.5 * (abs(10 - 70) - abs(10 - 20)) / 100)
    assert veto["point_gain"] > 0
    # B, at 100, prefers the forecast (70) to the status quo (20): its veto threat is not credible
    other = advise(three_actors(rule, reference=[20.0]), "B", ["mean"], samples=0)
    assert _evaluation(other, "veto:i0")["point_gain"] == pytest.approx(0.5 * (abs(100 - 70) - abs(100 - 20)) / 100)
    # C holds no veto: no such lever
    assert not any(lev.kind == "veto" for lev in advise(three_actors(rule, [20.0]), "C", ["mean"], samples=0).levers)


def test_an_actor_at_the_forecast_has_nothing_to_gain_from_moving():
    sc = from_arrays([[50.0], [0.0], [100.0]], [[0.5], [0.5], [0.5]], [1, 1, 1], actors=["A", "B", "C"])
    advice = advise(sc, "A", ["mean", "median"], samples=0)
    own = [e for e in advice.evaluations if e["lever"].startswith("position:")]
    assert own and all(e["point_gain"] < 0 for e in own if e["model"] == "mean")
    assert all(e["point_gain"] <= 0 for e in advice.evaluations)
    assert not any(lev.kind == "coalition" for lev in advice.levers)  # no direction helps


def test_stakes_are_salience_times_distance():
    advice = advise(three_actors(reference=[20.0]), "A", ["mean"], samples=0)
    (row,) = advice.stakes
    assert row["forecast"] == pytest.approx(70.0)
    assert row["loss_at_forecast"]["mean"] == pytest.approx(0.5 * 60 / 100)
    assert row["loss_at_status_quo"]["mean"] == pytest.approx(0.5 * 10 / 100)
    assert row["forecast_over_status_quo"]["mean"] == pytest.approx(-0.25)


def test_same_seed_same_advice_and_another_seed_another():
    sc = accord.read_scenario(KOREA).scenario
    one = advise(sc, "RUS", ["mean", "median"], samples=30, seed=5).to_json()
    two = advise(sc, "RUS", ["mean", "median"], samples=30, seed=5).to_json()
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
    other = advise(sc, "RUS", ["mean", "median"], samples=30, seed=6).to_json()
    assert json.dumps(one, sort_keys=True) != json.dumps(other, sort_keys=True)


def test_korea_russia_vetoes_readings_and_mixed_levers():
    sc = accord.read_scenario(KOREA).scenario
    advice = advise(sc, "RUS", samples=20, seed=0)
    assert advice.models == ["mean", "median", "eum"]
    assert advice.readings == ["consensus", "blank2018", "economy2018", "lukyanov2018"]
    assert {lev.issue for lev in advice.levers if lev.kind == "veto"} == {"sanctions", "economic_links"}
    assert {r["issue"] for r in advice.stakes} == set(sc.issue_ids)
    assert all(len(advice.ranking[r]) == len(advice.levers) for r in advice.readings)
    for row in advice.ranking[CONSENSUS]:  # a mixed lever names a model and reading on each side
        assert row["robust"] == (row["mixed"] is None)
        if row["mixed"]:
            assert row["mixed"]["helps"] and row["mixed"]["hurts"]
    ev = advice.evidence["sanctions"]["position"]
    assert {c["source"] for c in ev["claims"]} == {"blank2018", "economy2018", "lukyanov2018"}


@pytest.mark.parametrize("name", [n for n, cls in registry().items() if cls.issue_by_issue])
def test_an_issue_by_issue_model_solves_each_issue_alone_as_in_the_whole(name):
    sc = accord.read_scenario(KOREA).scenario
    base, draws = sc.inputs(), sample(sc, 8, 2)
    model = get_model(name)()
    whole = solve_samples(model, base, draws, 0)
    for i in range(len(base.issues)):
        part = type(draws)(draws.position[..., [i]], draws.salience[..., [i]], draws.capability[..., [i]],
                           draws.reference[..., [i]])
        np.testing.assert_array_equal(solve_samples(model, _one_issue(base, i), part, 0)[:, 0], whole[:, i])


# -- the command line ---------------------------------------------------------------------------


def test_cli_json_document(cli, tmp_path):
    path = tmp_path / "toy.yaml"
    write_scenario(three_actors({"rule": "unanimity", "vetoes": ["A"], "assumption": "a toy"}, [20.0]), path)
    code, out, _ = cli("advise", path, "A", "--model", "mean", "--samples", "20", "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"scenario", "actor", "name", "models", "skipped", "samples", "seed", "step", "readings",
                        "utility", "evidence", "stakes", "levers", "evaluations", "ranking", "reach"}
    assert set(doc["levers"][0]) == {"lever", "kind", "issue", "partner", "direction", "label"}
    assert set(doc["evaluations"][0]) == {"reading", "model", "lever", "gain", "per_unit", "helps", "hurts",
                                          "point_gain", "point_per_unit"}
    assert set(doc["evaluations"][0]["per_unit"]) == {"mean", "q05", "q95"}
    assert set(doc["ranking"]["consensus"][0]) == {"lever", "label", "kind", "score", "helps_under", "hurts_under",
                                                   "robust", "mixed"}
    assert {lev["kind"] for lev in doc["levers"]} == {"position", "salience", "persuade", "coalition", "veto"}
    assert doc["ranking"]["consensus"][0]["lever"] == "persuade:i0:B"


def test_cli_table(cli):
    code, out, _ = cli("advise", KOREA, "RUS", "--model", "mean", "--samples", "10")
    assert code == 0
    for words in ("What Russia has at stake", "best levers, consensus", "if lukyanov2018 is right", "vetoes",
                  "How far"):
        assert words in out


def test_cli_unknown_actor_lists_the_actors(cli):
    code, out, err = cli("advise", KOREA, "RUX")
    assert code == 2
    assert "unknown actor `RUX`; the scenario's actors: USA, CHN, RUS, PRK, KOR, JPN" in err
    assert "Traceback" not in err + out


def test_cli_model_that_cannot_take_the_scenario(cli, tmp_path):
    path = tmp_path / "one.yaml"
    write_scenario(three_actors(), path)
    code, _, err = cli("advise", path, "A", "--model", "exchange")
    assert code == 2 and "model exchange needs at least two issues" in err


# -- the report and the dashboard ---------------------------------------------------------------


def test_report_has_an_advice_section_when_asked(tmp_path):
    from accord.report import build, write_markdown

    sc = three_actors({"rule": "unanimity", "vetoes": ["A"], "assumption": "a toy"}, [20.0])
    report = build(sc, models=["mean"], role_samples=0, advise=["A"], samples=20)
    assert [a.actor for a in report.advice] == ["A"]
    path = tmp_path / "r.md"
    write_markdown(report, path)
    page = path.read_text(encoding="utf-8")
    assert "## " in page and "Advice" in page and "Best levers, consensus" in page
    assert "persuade B to move 10 down on i0, toward 10" in page
    plain = build(sc, models=["mean"], role_samples=0)
    assert plain.advice == []


def test_dashboard_advice_panel(tmp_path):
    pytest.importorskip("fastapi")
    import shutil

    from fastapi.testclient import TestClient

    from accord.web.app import create_app

    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(KOREA, folder / "korea-2018.yaml")
    origin = "http://127.0.0.1:8000"
    client = TestClient(create_app(folder, None), base_url=origin, headers={"Origin": origin})
    assert 'hx-post="/scenario/korea-2018.yaml/advice"' in client.get("/scenario/korea-2018.yaml").text
    asked = client.post("/scenario/korea-2018.yaml/advice", data={"advise": "RUS", "samples": "10"})
    html = settled(client, asked).text
    assert 'id="advice-stakes"' in html and 'id="advice-levers-lukyanov2018"' in html
    assert "Advice for Russia" in html
    bad = client.post("/scenario/korea-2018.yaml/advice", data={"advise": "RUX"})
    assert bad.status_code == 422 and "unknown actor &#39;RUX&#39;; the scenario&#39;s actors: USA, CHN" in bad.text


def test_the_same_advice_on_worker_processes():
    sc = accord.read_scenario(KOREA).scenario  # four readings: four jobs
    here = advise(sc, "CHN", ["mean", "eum"], samples=15, seed=2).to_json()
    there = advise(sc, "CHN", ["mean", "eum"], samples=15, seed=2, workers=2).to_json()
    assert json.dumps(here, sort_keys=True) == json.dumps(there, sort_keys=True)


def test_an_issue_without_an_outcome_counts_nothing():
    from accord.advice import _gain

    x, s, span = np.array([10.0, 50.0]), np.array([0.5, 0.5]), np.array([100.0, 100.0])
    assert _gain(x, s, np.array([30.0, np.nan]), np.array([20.0, 70.0]), span) == pytest.approx(0.05)
    assert _gain(np.array([10.0, np.nan]), s, np.array([30.0, 40.0]), np.array([20.0, 90.0]), span) \
        == pytest.approx(0.05)  # an issue the actor takes no part in counts nothing either


def test_a_model_of_attention_shares_is_not_asked_to_take_a_salience_raise_past_one():
    # A's saliences sum to 0.95: a raise of 0.1 on either issue takes them past 1, which SMP refuses;
    # B's sum to 0.6, so persuading or raising does not concern SMP's shares
    sc = from_arrays([[10.0, 20.0], [100.0, 90.0], [40.0, 50.0]], [[0.5, 0.45], [0.3, 0.3], [0.4, 0.4]], [1, 3, 1],
                     actors=["A", "B", "C"])
    advice = advise(sc, "A", ["mean", "smp"], samples=3)
    raised = [e["model"] for e in advice.evaluations if e["lever"] == "salience:i0:+"]
    assert raised == ["mean"]
    assert any(e["model"] == "smp" for e in advice.evaluations if e["lever"] == "salience:i0:-")
    assert any(s["model"] == "smp" and "salience:i0:+" in s["reason"] for s in advice.skipped)
    other = advise(sc, "B", ["mean", "smp"], samples=3)
    assert [e["model"] for e in other.evaluations if e["lever"] == "salience:i0:+"] == ["mean", "smp"]
