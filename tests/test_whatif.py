"""What-if edits: parsed with clear errors, applied as values over claims, as the dashboard applies them."""

from __future__ import annotations

import numpy as np
import pytest

from accord.errors import InputError
from accord.io import read_scenario
from accord.models import get_model
from accord.uncertainty import overrides, sample_inputs
from accord.whatif import Edit, apply, apply_form, editable, form_edits, parse_edit, set_values

from .conftest import KOREA


@pytest.fixture(scope="module")
def korea():
    return read_scenario(KOREA).scenario


def test_an_edit_sets_the_value_over_the_claims_which_stay(korea):
    edited = set_values(korea, ["RUS.sanctions.position=100", "RUS.capability=12", "sanctions.reference=40",
                                "CHN.format.salience=0.2"])
    before, after = korea.actor("RUS").issues["sanctions"].position, edited.actor("RUS").issues["sanctions"].position
    assert after.value == 100 and after.claims == before.claims and before.value is None
    assert edited.actor("RUS").capability.value == 12
    assert edited.issue("sanctions").reference.value == 40
    assert edited.actor("CHN").issues["format"].salience.value == 0.2
    inputs = edited.inputs()
    r, s, c = edited.actor_ids.index("RUS"), edited.issue_ids.index("sanctions"), edited.actor_ids.index("CHN")
    assert inputs.position[r, s] == 100 and inputs.reference[s] == 40
    assert inputs.salience[c, edited.issue_ids.index("format")] == 0.2
    # the actor's capability on every issue where its stance gives none
    assert (inputs.capability[r][~np.isnan(inputs.position[r])] == 12).all()
    # nothing else moved, and the original is untouched
    assert korea.actor("RUS").issues["sanctions"].position.value is None
    changed = np.argwhere(edited.inputs().position != korea.inputs().position)
    assert [tuple(x) for x in changed if not np.isnan(korea.inputs().position[tuple(x)])] == [(r, s)]


def test_the_monte_carlo_samples_around_an_edit(korea):
    edited = set_values(korea, ["RUS.sanctions.position=100"])
    assert [row["input"] for row in overrides(edited)] == ["RUS position on sanctions"]
    r, s = edited.actor_ids.index("RUS"), edited.issue_ids.index("sanctions")
    x = sample_inputs(edited, 2000, 0).position[:, r, s]
    # the claims' mixture moved to centre on 100 at the end of the scale: narrowed, never above it
    assert x.max() <= 100 and x.min() < 100 and abs(np.median(x) - 100) < abs(np.median(x) - 61)
    point = get_model("mean")().run(edited).forecast[s]
    assert point > get_model("mean")().run(korea).forecast[s]


def test_every_problem_of_every_assignment_at_once(korea):
    with pytest.raises(InputError) as caught:
        set_values(korea, ["RUX.sanctions.position=100", "RUS.sanction.position=1", "RUS.sanctions.pos=1",
                           "RUS.sanctions.position=abc", "RUS.sanctions.position=101", "RUS.sanctions.salience=-0.1",
                           "RUS.capability=-1", "RUS.sanctions.position", "format.reference=200",
                           "sanctions.reference=1e999", "sequencing.reference=5"])
    got = {p.field: p.message for p in caught.value.problems}
    actors = ", ".join(korea.actor_ids)
    assert got["RUX.sanctions.position=100"] == f"unknown actor `RUX`; the scenario's actors: {actors}"
    assert got["RUS.sanction.position=1"].startswith("unknown issue `sanction`; the scenario's issues: sanctions, ")
    assert got["RUS.sanctions.pos=1"].startswith("unknown field `pos`; write ACTOR.ISSUE.FIELD=VALUE (FIELD: "
                                                 "position, salience or capability)")
    assert got["RUS.sanctions.position=abc"].startswith("'abc' is not a number: write digits")
    assert got["RUS.sanctions.position=101"] == "101 is outside the allowed range: between 0 and 100"
    assert got["RUS.sanctions.salience=-0.1"] == "-0.1 is outside the allowed range: between 0 and 1"
    assert got["RUS.capability=-1"] == "-1 is not allowed: a capability is a number >= 0"
    assert got["RUS.sanctions.position"].startswith("write PATH=VALUE, e.g. ")
    assert got["format.reference=200"] == "200 is outside the allowed range: between 0 and 100"
    assert got["sanctions.reference=1e999"].startswith("'1e999' is not a number")
    assert got["sequencing.reference=5"] == ("issue sequencing has no reference point: a what-if changes an input "
                                             "the scenario has")
    assert len(caught.value.problems) == 11


def test_inputs_the_scenario_lacks_and_inputs_set_twice():
    from .conftest import make_scenario

    sc = make_scenario([[10.0, np.nan], [90.0, 20.0]], [[0.5, 0.0], [0.5, 0.5]], [1, 2], actors=["A", "B"],
                       issues=["x", "y"])
    with pytest.raises(InputError) as caught:
        set_values(sc, ["A.y.position=5", "A.x.capability=3", "A.x.position=1", "A.x.position=2", "A.x.position=1"])
    got = [(p.field, p.message) for p in caught.value.problems]
    assert got == [("A.y.position=5", "A takes no part in y: a what-if changes an input the scenario has"),
                   ("A.x.capability=3", "A has no capability of its own on x: set A.capability, the capability "
                                        "it uses there"),
                   ("A.x.position=2", "A.x.position is already set to 1 by 'A.x.position=1': set each input once")]
    # the same value twice is no contradiction
    assert set_values(sc, ["A.x.position=1", "A.x.position=1"]).actor("A").issues["x"].position.value == 1


def test_dotted_ids_are_read_against_the_scenario():
    from .conftest import make_scenario

    sc = make_scenario([[10.0], [90.0]], [[0.5], [0.5]], [1, 2], actors=["eu.council", "us"], issues=["tariffs.cars"])
    edit = parse_edit("eu.council.tariffs.cars.position=30", sc)
    assert (edit.actor, edit.issue, edit.what) == ("eu.council", "tariffs.cars", "position")
    assert parse_edit("eu.council.capability=3", sc) == Edit("capability", 3.0, actor="eu.council")


def test_apply_checks_edits_built_in_code(korea):
    with pytest.raises(InputError, match="unknown actor `XX`"):
        apply(korea, [Edit("position", 1.0, actor="XX", issue="sanctions")])
    assert apply(korea, []) is korea
    # every editable input, set to its own value, gives the same numbers
    same = apply(korea, list(editable(korea)))
    np.testing.assert_array_equal(same.inputs().position, korea.inputs().position)
    np.testing.assert_array_equal(same.inputs().capability, korea.inputs().capability)


def test_a_dashboard_form_is_read_as_edits_with_its_problems_by_field(korea):
    form = {"position:RUS:sanctions": "5", "capability:CHN:": "40", "seed": "1",
            "position:PRK:sanctions": f"{korea.actor('PRK').issues['sanctions'].position.point:.6g}"}
    edited, edits, problems = apply_form(korea, _Form(form))
    assert not problems and [str(e) for e in edits] == ["RUS.sanctions.position=5", "CHN.capability=40"]
    assert edited.actor("RUS").issues["sanctions"].position.value == 5  # set over the claims, which stay
    before, after = (sc.actor("RUS").issues["sanctions"].position for sc in (korea, edited))
    assert after.claims == before.claims
    bad = {"position:RUS:sanctions": "500", "salience:RUS:sanctions": "x", "capability:RUS:": "-1",
           "position:RUS:nowhere": "3"}
    problems = form_edits(korea, _Form(bad))[1]
    assert problems.keys() == bad.keys()
    assert "outside the allowed range" in problems["position:RUS:sanctions"]
    assert "is not a number" in problems["salience:RUS:sanctions"]
    assert problems["position:RUS:nowhere"] == "no such input in the scenario"


class _Form(dict):
    def multi_items(self):
        return list(self.items())
