"""Roles and forecasts defined by the issue's decision rule, on textbook configurations built from
the definitions: the veto player (Tsebelis 2002), the pivot of the voting game along the line
(Krehbiel 1998), the rule inside the expected utility model (Bueno de Mesquita 1994) and the
procedural model without a reference point (the core: Black 1948, Tsebelis 2002)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.io import from_arrays, read_scenario
from accord.models import get_model
from accord.models.procedural import Game, game, pivots, veto_players
from accord.roles import HOLDS, _kingmaker, decisive_by_rule, measure, veto_by_rule
from accord.scenario import Rule
from accord.testing import check_model
from accord.uncertainty import sample_inputs

KOREA = Path(__file__).parents[1] / "scenarios" / "korea-2018.yaml"
PERMANENT = ["USA", "GBR", "FRA", "RUS", "CHN"]
ELECTED = [f"E{k}" for k in range(10)]


def line(positions, decision=None, capability=None, reference=None, salience=None):
    """One issue on [0, 100]: actors A0, A1, ... at ``positions``."""
    n = len(positions)
    return from_arrays([[p] for p in positions], [[s] for s in (salience or [1.0] * n)], capability or [1.0] * n,
                       reference=None if reference is None else [reference], decision=decision)


def holders(scenario, role, model="mean"):
    found = measure(get_model(model)(), scenario.inputs()).holds()[role][:, 0]
    return [scenario.actor_ids[a] for a in np.flatnonzero(found)]


# -- veto players (Tsebelis 2002, ch. 1-2) ---------------------------------------------------------------


def security_council(reference=50.0):
    """The UN Security Council: 15 members, 9 votes carry a decision, each permanent member holds a
    veto (UN Charter art. 27(3))."""
    positions = [10, 30, 50, 70, 90] + [5 + 9 * k for k in range(10)]
    return from_arrays([[p] for p in positions], [[1]] * 15, [1] * 15, actors=PERMANENT + ELECTED,
                       reference=[reference],
                       decision={"rule": "qualified", "threshold": 0.6, "vetoes": PERMANENT})


def test_the_permanent_members_are_the_security_councils_veto_players():
    assert holders(security_council(), "veto") == PERMANENT  # elected members are not


def test_a_veto_player_is_defined_by_the_rule_not_by_the_model():
    inputs = security_council().inputs()
    runs = [measure(get_model(name)(), inputs).scores["veto"] for name in ("mean", "influence", "eum")]
    assert all(np.array_equal(runs[0], r, equal_nan=True) for r in runs[1:])


def test_simple_majority_of_equals_has_no_veto_player():
    assert holders(line([10, 30, 50, 70, 90], {"rule": "majority"}), "veto") == []


def test_a_majority_of_the_votes_alone_is_a_veto_player():
    # A0 holds 6 of 10 votes: without it the others' 4 are no majority
    assert holders(line([10, 30, 50, 70, 90], {"rule": "majority"}, capability=[6, 1, 1, 1, 1]), "veto") == ["A0"]


def test_a_qualified_majority_one_large_member_blocks_alone():
    votes = [40, 20, 20, 20]
    # a quota of 65 of 100 votes: the others' 60 fall short, A0 blocks alone
    assert holders(line([10, 40, 60, 90], {"rule": "qualified", "threshold": 0.65}, votes), "veto") == ["A0"]
    # a quota of 55: the others' 60 carry it without A0, nobody is a veto player
    assert holders(line([10, 40, 60, 90], {"rule": "qualified", "threshold": 0.55}, votes), "veto") == []


def test_veto_players_of_the_game_by_hand():
    assert veto_players(Game(("A", "B", "C"), np.array([5.0, 3.0, 2.0]), 7.0)) == [0]
    assert veto_players(Game(("A", "B", "C"), np.array([5.0, 3.0, 2.0]), 5.0)) == []
    assert veto_players(game(Rule("decider", decider="B"), ("A", "B", "C"), np.ones(3))) == [1]
    # no one to decide: even all of them lose, so no one's agreement is what is missing
    assert veto_players(game(Rule("decider", decider="Z"), ("A", "B", "C"), np.ones(3))) == []


def test_an_issue_without_a_rule_has_no_veto_player():
    scenario = line([10, 50, 90], capability=[10, 1, 1])  # A0 would block any quota, but there is no rule
    necessary, locks = veto_by_rule(scenario.inputs())
    assert np.isnan(necessary).all() and np.isnan(locks).all()
    assert holders(scenario, "veto") == []


def test_the_veto_player_between_the_status_quo_and_the_others_locks_it():
    # A at 20, B at 50, C at 80 must all agree; from 40, B and C want to move right, A left: A locks
    three = line([20, 50, 80], {"rule": "unanimity", "vetoes": ["A0", "A1", "A2"]}, reference=40)
    m = measure(get_model("mean")(), three.inputs())
    assert (m.holds()["veto"][:, 0]).all()
    assert m.detail["locks"][:, 0].tolist() == [1.0, 0.0, 0.0]
    # from 10 all want to move right: the win set (10, 30) is not empty, nobody locks
    free = line([20, 50, 80], {"rule": "unanimity", "vetoes": ["A0", "A1", "A2"]}, reference=10)
    assert measure(get_model("mean")(), free.inputs()).detail["locks"][:, 0].tolist() == [0.0, 0.0, 0.0]


def test_korea_sanctions_have_three_veto_players_and_the_united_states_locks_them():
    from accord.role_analysis import analyse

    found = analyse(read_scenario(KOREA).scenario, samples=0)
    on_sanctions = [r for r in found.roles if r["role"] == "veto" and r["issue"] == "sanctions"]
    assert [r["actor"] for r in on_sanctions] == ["USA", "CHN", "RUS"]
    assert [r["locks"] for r in on_sanctions] == [True, False, False]
    assert "a veto player on UN sanctions" in on_sanctions[0]["explanation"]
    assert "it locks the status quo" in on_sanctions[0]["explanation"]
    assert "not approved by the UN Security Council" in on_sanctions[0]["explanation"]  # the rule's evidence


# -- the pivot of the voting game along the line (Krehbiel 1998) ----------------------------------------


NINE = [10, 20, 30, 40, 50, 60, 70, 80, 90]


def test_simple_majority_of_five_equals_the_median_is_the_pivot():
    scenario = line([10, 30, 50, 70, 90], {"rule": "majority"})
    assert decisive_by_rule(scenario.inputs()) is None  # Black's median is majority rule's pivot
    assert holders(scenario, "pivot", "median") == ["A2"]
    g = game(Rule("majority"), tuple(scenario.actor_ids), np.ones(5))
    assert pivots(np.array([10.0, 30, 50, 70, 90]), g, 0.0, 50.0) == [2]


def test_a_two_thirds_rule_moves_the_pivot_to_the_filibuster_pivot():
    two_thirds = {"rule": "qualified", "threshold": 2 / 3}
    # from a status quo at 0, a change needs 6 of 9 votes from the right: 90 down to 40 (Krehbiel's pivot)
    assert holders(line(NINE, two_thirds, reference=0), "pivot") == ["A3"]
    # from 100 the pivot is on the other side: 10 up to 60
    assert holders(line(NINE, two_thirds, reference=100), "pivot") == ["A5"]
    # inside the gridlock interval [40, 60], the pivot blocking the move toward the compromise (50)
    assert holders(line(NINE, two_thirds, reference=45), "pivot") == ["A3"]
    # without a status quo, both ends of the gridlock interval; never the median
    assert holders(line(NINE, two_thirds), "pivot") == ["A3", "A5"]


def test_under_unanimity_the_pivot_is_the_veto_player_nearest_the_status_quo():
    vetoes = {"rule": "unanimity", "vetoes": ["A1", "A2", "A3"]}
    # non-veto players at 10 and 90 never pivot; the most extreme veto player on the status quo's side does
    assert holders(line([10, 30, 50, 70, 90], vetoes, reference=0), "pivot") == ["A1"]
    assert holders(line([10, 30, 50, 70, 90], vetoes, reference=100), "pivot") == ["A3"]


def test_a_decider_is_the_pivot():
    assert holders(line([10, 30, 50, 70, 90], {"rule": "decider", "decider": "A4"}, reference=0), "pivot") == ["A4"]


def test_without_a_rule_the_pivot_is_blacks_kingmaker():
    scenario = line([10, 30, 50, 70, 90], reference=0)
    inputs = scenario.inputs()
    assert decisive_by_rule(inputs) is None
    m = measure(get_model("median")(), inputs)
    expected = _kingmaker(inputs.position, inputs.weight, np.array([100.0]))
    assert np.array_equal(m.values["pivot"]["decisive"], expected)
    assert holders(scenario, "pivot", "median") == ["A2"]


def test_under_a_rule_the_pivot_needs_no_outcome_at_its_position():
    # the filibuster pivot at 40 is pivotal even where the model's outcome (the mean, 50) is 0.1 away
    m = measure(get_model("mean")(), line(NINE, {"rule": "qualified", "threshold": 2 / 3}, reference=0).inputs())
    assert np.isnan(m.values["pivot"]["followed"]).all()
    assert m.scores["pivot"][:, 0].tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert m.scores["pivot"][3, 0] >= HOLDS


# -- the decision rule inside the expected utility model ----------------------------------------------


def test_eum_ignores_the_rule_by_default_and_applies_it_when_asked():
    # unmoved (rounds=0), the median is 50; from 40 the three veto players' win set is empty
    three = line([20, 50, 80], {"rule": "unanimity", "vetoes": ["A0", "A1", "A2"]}, reference=40)
    assert get_model("eum")(rounds=0).run(three).forecast.tolist() == [50.0]
    applied = get_model("eum")(rounds=0, rule="apply").run(three)
    assert applied.forecast.tolist() == [40.0]
    assert any("deadlock" in note for note in applied.notes)
    # from 10 the win set is (10, 30): its point nearest the median
    free = line([20, 50, 80], {"rule": "unanimity", "vetoes": ["A0", "A1", "A2"]}, reference=10)
    assert get_model("eum")(rounds=0, rule="apply").run(free).forecast.tolist() == [30.0]


def test_eum_under_a_decider_and_under_majority():
    decider = line([20, 50, 80], {"rule": "decider", "decider": "A2"}, reference=40)
    assert get_model("eum")(rounds=0, rule="apply").run(decider).forecast.tolist() == [80.0]
    majority = line([20, 50, 80], {"rule": "majority"}, reference=40)
    assert get_model("eum")(rounds=0, rule="apply").run(majority).forecast.tolist() == [50.0]
    assert get_model("eum")(rule="apply").run(line([20, 50, 80])).forecast.tolist() == \
        get_model("eum")().run(line([20, 50, 80])).forecast.tolist()  # no rule: the median


@pytest.mark.parametrize("params", [{"rule": "apply"}, {"rule": "apply", "rounds": 1}, {"rule": "apply", "rounds": 0}])
def test_eum_under_the_rule_batched_equals_sample_by_sample(params):
    korea = read_scenario(KOREA).scenario
    model = get_model("eum")(**params)
    draws = sample_inputs(korea, 40, 12)
    batched = model.solve_batch(korea.inputs(), draws)
    one_by_one = np.array([model.solve(draws.inputs(korea.inputs(), k), np.random.default_rng(0)).forecast
                           for k in range(40)])
    np.testing.assert_array_equal(batched, one_by_one)


def test_eum_under_the_rule_keeps_the_model_contract():
    check_model(get_model("eum")(rule="apply"))


def test_eum_locks_korea_sanctions_before_anyone_moves():
    result = get_model("eum")(rounds=0, rule="apply").run(read_scenario(KOREA).scenario)
    assert result.forecast[0] == 20.0  # the status quo: the veto players' win set is empty


# -- the procedural model without a reference point --------------------------------------------------


def test_procedural_without_a_reference_point_takes_the_core_nearest_the_compromise():
    vetoes = {"rule": "unanimity", "vetoes": ["A0", "A1", "A2"]}
    # the core is the veto players' span [20, 80]; the compromise 50 lies in it
    result = get_model("procedural")().run(line([20, 50, 80], vetoes))
    assert result.forecast.tolist() == [50.0]
    assert result.notes == ["i0: no reference point: the point of the core [20, 80] nearest 50"]
    # a heavy non-veto player at 0 pulls the compromise to 10: the core's nearest point is 20
    heavy = line([20, 50, 80, 0], {"rule": "unanimity", "vetoes": ["A0", "A1", "A2"]}, capability=[1, 1, 1, 9])
    assert get_model("procedural")().run(heavy).forecast.tolist() == [20.0]


def test_procedural_under_majority_without_a_reference_point_is_the_median():
    # the core of majority rule is the median voter's position (Black 1948)
    assert get_model("procedural")().run(line([10, 20, 90], {"rule": "majority"})).forecast.tolist() == [20.0]


def test_procedural_where_the_core_is_empty_is_the_compromise():
    # a quota of 30% of three equal votes: each actor wins alone, every point can be upset
    scenario = line([0, 30, 100], {"rule": "qualified", "threshold": 0.3})
    result = get_model("procedural")().run(scenario)
    assert result.forecast.tolist() == pytest.approx([130 / 3])
    assert "the core is empty" in result.notes[0]


def test_procedural_forecasts_korea():
    result = get_model("procedural")().run(read_scenario(KOREA).scenario)
    assert result.forecast[0] == 20.0  # sanctions: locked at the status quo
    assert any(n.startswith("sequencing: no reference point") for n in result.notes)


# -- a source's veto assertion beside the computation -------------------------------------------------


def _asserting(claim: dict):
    from accord.scenario import RoleAssertion

    korea = read_scenario(KOREA).scenario
    quote = {"source": "blank2018", "quote": "Moscow continues to violate the sanctions it voted for in the UN"}
    return korea.model_copy(update={"roles": [RoleAssertion(**claim, evidence=[quote])]})


def test_a_veto_assertion_is_judged_under_every_reading():
    from accord.role_analysis import analyse

    row = analyse(_asserting({"actor": "RUS", "role": "veto", "issue": "sanctions"}), samples=4).comparison[0]
    assert row["verdict"] == "agrees" and row["status"] == "holds: it holds in 4 of 4 samples"
    assert {r["verdict"] for r in row["readings"]} == {"agrees"}
    denied = analyse(_asserting({"actor": "JPN", "role": "veto", "issue": "sanctions"}), samples=0).comparison[0]
    assert denied["verdict"] == "disagrees"  # Japan has no veto in the Security Council game


def test_a_veto_assertion_on_an_issue_without_a_rule_is_not_assessed():
    from accord.role_analysis import analyse

    scenario = _asserting({"actor": "RUS", "role": "veto", "issue": "sanctions"})
    scenario = scenario.model_copy(update={"issues": [i.model_copy(update={"decision": None}) for i in scenario.issues],
                                           "decision": None})
    row = analyse(scenario, samples=0).comparison[0]
    assert row["verdict"] == "not assessed" and row["why"].endswith("the issue has no decision rule")
