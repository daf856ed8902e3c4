"""Decision rules and the institutional analysis, on configurations built from the definitions
(Tsebelis 2002; Shapley & Shubik 1954; Banzhaf 1965)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.errors import InputError, NotApplicable
from accord.institutions import analyse, power
from accord.io import encode_scenario, from_arrays, read_scenario as load
from accord.io.deu import NICE_VOTES, read_deu
from accord.models import get_model

ROOT = Path(__file__).parents[1]
DEU = ROOT / "data" / "deu3" / "deu3-dev.csv"


def three_vetoes(reference: float):
    """Three veto players at 20, 50 and 80 who must all agree (unanimity)."""
    return from_arrays([[20], [50], [80]], [[1], [1], [1]], [1, 1, 1], actors=["A", "B", "C"],
                       reference=[reference], decision={"rule": "unanimity", "vetoes": ["A", "B", "C"]})


def test_status_quo_inside_the_veto_players_pareto_set_is_locked():
    # each point right of 40 is worse for A, each point left of it worse for B and C
    found = analyse(three_vetoes(40).inputs(), "i0")
    assert found.win_set.empty and found.deadlock and found.win_set.size == 0
    assert found.core.parts == ((20.0, 80.0),) and str(found.core) == "[20, 80]"  # the vetoes' Pareto set
    # A alone stands between B and C, who both want to move right: A locks the status quo
    assert found.locks == ("A",) and found.vetoes == ("A", "B", "C")


def test_status_quo_outside_the_pareto_set_has_a_win_set_between():
    # from 10 every veto player wants to move right; A (at 20) accepts no further than 30
    found = analyse(three_vetoes(10).inputs(), "i0")
    assert found.win_set.parts == ((10.0, 30.0),) and found.win_set.size == 20
    assert not found.deadlock and found.locks == ()


def test_simple_majority_win_set_and_core_is_the_median():
    votes = from_arrays([[10], [20], [30], [40], [50]], [[1]] * 5, [1] * 5, reference=[0],
                        decision={"rule": "majority"})
    found = analyse(votes.inputs(), "i0")
    # the three who want to move furthest reach 100, 80, 60: a majority prefers x to 0 up to 60
    assert found.win_set.parts == ((0.0, 60.0),)
    assert found.core.parts == ((30.0, 30.0),)  # the median voter (Black 1948)
    at_median = analyse(from_arrays([[10], [20], [30], [40], [50]], [[1]] * 5, [1] * 5, reference=[30],
                                    decision={"rule": "majority"}).inputs(), "i0")
    assert at_median.deadlock


def test_win_set_is_cut_to_the_scale():
    found = analyse(three_vetoes(95).inputs(), "i0")
    # A wants as low as 2*20-95 = -55: the scale stops the win set at 0; C stops it at 2*80-95 = 65
    assert found.win_set.parts == ((65.0, 95.0),)


def test_shapley_shubik_of_the_un_security_council():
    # 15 members, 5 permanent with a veto, 9 votes needed: the classic result (Shapley & Shubik 1954)
    ss, bz = power([1] * 15, 9, vetoes=range(5))
    assert round(ss[0], 4) == 0.1963 and round(ss[5], 5) == 0.00186
    assert ss.sum() == pytest.approx(1) and bz.sum() == pytest.approx(1)
    assert bz[0] > 10 * bz[5]


def test_power_of_a_small_game_by_hand():
    # [3; 2, 1, 1]: A swings {B}, {C}, {B, C}; B swings {A}; C swings {A}. A is pivotal in 4 of 6 orders
    ss, bz = power([2, 1, 1], 3)
    assert bz.tolist() == [0.6, 0.2, 0.2]
    assert ss.tolist() == pytest.approx([4 / 6, 1 / 6, 1 / 6])


def test_a_veto_player_needs_no_votes_to_have_power():
    # [2; 1, 1, 0] with C a veto player: A and B are interchangeable, C is in every winning coalition
    ss, bz = power([1, 1, 0], 2, vetoes=[2])
    assert ss.tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    assert bz.tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3])


def test_power_of_the_nice_council_is_fast_and_sums_to_one():
    ss, bz = power(list(NICE_VOTES.values()), 260)
    assert ss.sum() == pytest.approx(1) and bz.sum() == pytest.approx(1)
    big, small = list(NICE_VOTES).index("de"), list(NICE_VOTES).index("mt")
    assert ss[big] > ss[small] > 0


def test_analyse_gives_power_indices_with_weights_and_vetoes():
    found = analyse(from_arrays([[10], [30], [60]], [[1]] * 3, [2, 1, 1], actors=["A", "B", "C"], reference=[0],
                                decision={"rule": "qualified", "threshold": 0.75}).inputs(), "i0")
    assert found.banzhaf == pytest.approx({"A": 0.6, "B": 0.2, "C": 0.2})


def test_analyse_refuses_an_issue_without_rule():
    with pytest.raises(ValueError, match="has no decision rule"):
        analyse(from_arrays([[10]], [[1]], [1], reference=[5]).inputs(), "i0")


# -- the procedural model --------------------------------------------------------------------


def test_procedural_forecast_is_the_status_quo_in_deadlock():
    assert get_model("procedural")().run(three_vetoes(40)).forecast.tolist() == [40.0]


def test_procedural_forecast_is_the_win_sets_point_nearest_the_compromise():
    # the compromise is 50; the win set from 10 is (10, 30): the forecast is its end, 30
    assert get_model("procedural")().run(three_vetoes(10)).forecast.tolist() == [30.0]
    assert get_model("mean")().run(three_vetoes(10)).forecast.tolist() == [50.0]


def test_procedural_forecast_is_the_deciders_position():
    decided = from_arrays([[20], [50], [80]], [[1]] * 3, [1, 1, 1], actors=["A", "B", "C"], reference=[40],
                          decision={"rule": "decider", "decider": "C"})
    assert get_model("procedural")().run(decided).forecast.tolist() == [80.0]


def test_procedural_refuses_a_scenario_without_rule():
    plain = from_arrays([[20], [80]], [[1]] * 2, [1, 1], reference=[40])
    with pytest.raises(NotApplicable, match="needs a decision rule"):
        get_model("procedural")().run(plain)


def test_a_counterfactual_without_a_veto_player_drops_its_veto():
    from accord.experiment import without

    inputs = three_vetoes(40).inputs()
    assert analyse(without(inputs, 0), "i0").win_set.parts == ((40.0, 60.0),)  # B and C move right


# -- the rule as evidence --------------------------------------------------------------------


def write(tmp_path, decision: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"""name: t
assumption: test values
sources: [{{id: s, title: T}}]
issues:
  - id: x
    scale: {{min: 0, max: 100}}
    decision: {decision}
actors:
  - {{id: a, capability: 1, issues: {{x: {{position: 10, salience: 1}}}}}}
  - {{id: b, capability: 1, issues: {{x: {{position: 90, salience: 1}}}}}}
""")
    return path


@pytest.mark.parametrize(("decision", "message"), [
    ("{rule: unanimity, vetoes: [a, zed]}", "vetoes[1]: unknown actor `zed` in `vetoes`"),
    ("{rule: qualified, threshold: 1.5}", "`threshold` must be in (0, 1], got 1.5"),
    ("{rule: qualified, threshold: 0}", "`threshold` must be in (0, 1], got 0"),
    ("{rule: qualified}", "needs a `threshold`"),
    ("{rule: decider}", "needs `decider`"),
    ("{rule: unanimity}", "unanimity needs `vetoes`"),
    ("{rule: qualified, threshold: 0.6, votes: {a: 1, c: 2}}", "votes.c: unknown actor `c` in `votes`"),
    ("{rule: majority, claims: [{source: t, quote: q}]}", "unknown source `t`"),
    ("{rule: plurality}", "unanimity"),
])
def test_bad_rules_are_named(tmp_path, decision, message):
    with pytest.raises(InputError) as info:
        load(write(tmp_path, decision))
    assert message in str(info.value)


def test_a_rule_needs_evidence_without_a_file_wide_assumption(tmp_path):
    path = write(tmp_path, "{rule: majority}")
    path.write_text(path.read_text().replace("assumption: test values\n", "").replace(
        "capability: 1", "capability: {value: 1, assumption: c}").replace(
        "position: 10, salience: 1", "position: {value: 10, assumption: p}, salience: {value: 1, assumption: s}"
    ).replace("position: 90, salience: 1", "position: {value: 90, assumption: p}, salience: {value: 1, assumption: s}"))
    with pytest.raises(InputError, match="decision rule `majority` has no evidence"):
        load(path)


def test_formats_without_rules_say_they_drop_them(tmp_path):
    scenario = load(write(tmp_path, "{rule: majority}")).scenario
    assert scenario.inputs().rules[0].kind == "majority"
    for fmt in ("table", "decide"):
        _, warnings = encode_scenario(scenario, fmt)
        assert any("decision rules (issues x)" in w.message for w in warnings), fmt
    data, warnings = encode_scenario(scenario, "yaml")
    assert not any("decision" in w.message for w in warnings) and b"rule: majority" in data


def test_the_scenario_default_rule_applies_where_an_issue_has_none(tmp_path):
    path = write(tmp_path, "{rule: majority}")
    text = path.read_text().replace("    decision: {rule: majority}\n", "")
    path.write_text(text.replace("issues:\n", "decision: {rule: decider, decider: b}\nissues:\n", 1))
    assert load(path).scenario.inputs().rules[0].decider == "b"


def test_deu_reader_fills_the_council_rule():
    data = read_deu(DEU)
    qmv_cod = next(i for i in data.issues if i.rule == "QMV" and i.procedure == "COD" and "ep" in i.position
                   and i.decided and i.decided.year < 2004)
    rule = data.scenario(qmv_cod).issues[0].decision
    assert rule.rule == "qualified" and rule.vetoes == ["ep"] and rule.threshold == pytest.approx(62 / 87)
    assert set(rule.votes) == {a for a in qmv_cod.position if a not in ("com", "ep")}
    assert rule.votes["de"] == 10 and rule.assumption
    unanimous = next(i for i in data.issues if i.rule == "unanimity" and i.procedure == "CNS")
    rule = data.scenario(unanimous).issues[0].decision
    assert rule.rule == "unanimity" and "ep" not in rule.vetoes and "com" not in rule.vetoes
    assert set(rule.vetoes) == {a for a in unanimous.position if a not in ("com", "ep")}
    assert np.isfinite(data.scenario(qmv_cod).inputs().rules[0].threshold)


def test_under_unanimity_only_the_veto_players_have_power():
    found = analyse(three_vetoes(40).inputs(), "i0")
    assert found.shapley_shubik == pytest.approx({"A": 1 / 3, "B": 1 / 3, "C": 1 / 3})
    two = from_arrays([[20], [50], [80]], [[1]] * 3, [1.234567891, 2, 3], actors=["A", "B", "C"], reference=[40],
                      decision={"rule": "unanimity", "vetoes": ["A", "C"]})
    assert analyse(two.inputs(), "i0").banzhaf == pytest.approx({"A": 0.5, "B": 0.0, "C": 0.5})


def test_korea_sanctions_are_locked_by_the_united_states():
    from accord.io import read_scenario

    korea = read_scenario(ROOT / "scenarios" / "korea-2018.yaml").scenario
    found = analyse(korea.inputs(), "sanctions")
    assert found.vetoes == ("USA", "CHN", "RUS") and found.deadlock and found.locks == ("USA",)


def test_without_its_decider_and_a_reference_point_nothing_can_be_upset():
    from accord.experiment import without

    decided = from_arrays([[20], [50], [80]], [[1]] * 3, [1, 1, 1], actors=["A", "B", "C"],
                          decision={"rule": "decider", "decider": "C"})
    model = get_model("procedural")()
    assert model.run(decided).forecast.tolist() == [80.0]  # no reference point needed
    # Without C no coalition wins: no point can be upset, the core is the whole span of A and B,
    # and its point nearest the compromise is the compromise itself.
    result = model.evaluate(without(decided.inputs(), 2))
    assert result.forecast.tolist() == [35.0]
    assert result.notes == ["i0: no reference point: the point of the core [20, 50] nearest 35"]
