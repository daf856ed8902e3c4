"""Roles: definitions on hand-computed cases, planted roles recovered, Korea explained and compared."""

from __future__ import annotations

import json

import numpy as np
import pytest

from accord.io import read_scenario
from accord.models import get_model
from accord.role_analysis import analyse
from accord.models import Model, Result
from accord.roles import CONDITIONS, HOLDS, MEASURED, ROLES, Condition, _kingmaker, _lifts, measure, recovery
from accord.scenario import Inputs
from accord.synthetic import ARCHETYPES, planted

from .conftest import KOREA, make_scenario, shared


def test_a_condition_is_half_way_at_its_threshold():
    rising, falling = Condition("x", 0.0, 0.2), Condition("y", 0.4, 0.0)
    assert rising.threshold == pytest.approx(0.1) and falling.threshold == pytest.approx(0.2)
    assert rising.degree(np.array([0.0, 0.1, 0.2, 0.5])).tolist() == pytest.approx([0, 0.5, 1, 1])
    assert falling.degree(np.array([0.0, 0.2, 0.4, 0.9])).tolist() == pytest.approx([1, 0.5, 0, 0])


def test_every_role_has_conditions_and_words_for_them():
    from accord.role_analysis import DRIVERS, PHRASES

    assert set(CONDITIONS) == set(ROLES) == set(DRIVERS)
    assert {(r, c.name) for r, conds in CONDITIONS.items() for c in conds} == {k[:2] for k in PHRASES}


def test_kingmaker_degree_by_hand():
    x = np.array([[0.0], [50.0], [100.0], [60.0]])
    w = np.array([[1.0], [1.0], [1.0], [0.0]])
    # The middle of three equal weights stands at the balance point; the ends never decide.
    assert _kingmaker(x[:3], w[:3], np.array([100.0]))[:, 0].tolist() == [0.0, 1.0, 0.0]
    # Left weight 1, right 2 (of W = 4 with its own 1): margin min(2 - 1, 2 - 2) = 0.
    x2, w2 = np.array([[0.0], [50.0], [100.0], [90.0]]), np.array([[1.0], [1.0], [1.0], [1.0]])
    assert _kingmaker(x2, w2, np.array([100.0]))[1, 0] == 0.0
    # Two actors sharing the median position: neither decides alone.
    x3, w3 = np.array([[0.0], [50.0], [50.0], [100.0]]), np.ones((4, 1))
    assert _kingmaker(x3, w3, np.array([100.0]))[1:3, 0].tolist() == [0.0, 0.0]


def test_enabler_lift_by_hand():
    # b and e at 100, j at 0; weights 1, 1, 2. In b's challenge to j, b and e vote 1 each for b and
    # j votes 2 against: P = 2/4; without e's vote 1/3, so e lifts b's chances by 1/6.
    num, den = _lifts(np.array([100.0, 100.0, 0.0]), np.array([1.0, 1.0, 2.0]), 100.0)
    assert num[1, 0] / den[1, 0] == pytest.approx(1 / 6)
    assert den[0, 0] == 0  # nobody lifts itself


# -- textbook configurations, built from the definitions (one issue, 0-100 scale) -------------------


def _roles(positions, salience, capability, model=None, reference=None) -> dict[str, list[int]]:
    """Which actors hold each role on a one-issue scenario, under the influence model by default."""
    scenario = make_scenario(np.array(positions, float)[:, None], np.array(salience, float)[:, None], capability,
                             reference=reference)
    held = measure(model or get_model("influence")(), scenario.inputs()).holds()
    return {role: np.flatnonzero(h[:, 0]).tolist() for role, h in held.items()}


#: Five moderates and one capable extremist out of their reach: it pulls the outcome (a weighted
#: mean) far toward itself, but the moderates settle among themselves with it or without it.
MODERATES_AND_EXTREMIST = ([30, 35, 40, 45, 50, 95], [0.5] * 5 + [0.9], [1] * 5 + [5])


def test_a_strong_far_actor_that_blocks_nothing_is_no_spoiler():
    roles = _roles(*MODERATES_AND_EXTREMIST)
    assert roles["spoiler"] == []  # Stedman 1997: a spoiler blocks a settlement; this one does not
    assert roles["hardliner"] == [5]  # the extremist holds out; the moderates had little to concede


def test_an_actor_whose_presence_keeps_the_others_apart_is_a_spoiler():
    # Three moderates within reach of each other settle near 50 without S; S, committed and strong,
    # is within reach of the nearest only and drags it away, so the others stay apart.
    roles = _roles([35, 50, 65, 10], [0.3, 0.3, 0.3, 0.9], [1, 1, 1, 4])
    assert roles["spoiler"] == [3]


class _StatusQuoUnlessClose(Model):
    """A textbook unanimity rule: the outcome is the reference point unless every actor stands
    within 40 points of every other, then the weighted mean (no rounds)."""

    name = "status-quo-unless-close"
    summary = "test model"

    def solve(self, inputs: Inputs, rng) -> Result:
        x, w = inputs.position, inputs.weight
        spread = np.nanmax(x, axis=0) - np.nanmin(x, axis=0)
        mean = np.nansum(np.nan_to_num(x) * w, axis=0) / np.nansum(np.where(np.isnan(x), 0, w), axis=0)
        forecast = np.where(spread <= 40, mean, inputs.reference)
        return Result(inputs.actors, inputs.issues, forecast, x[None], w)


def test_an_actor_whose_presence_keeps_the_status_quo_is_a_spoiler():
    model = _StatusQuoUnlessClose()
    # With D the outcome stays at the reference point 0; without it the others agree near 60.
    assert _roles([50, 60, 70, 5], [0.5] * 4, [1] * 4, model, reference=[0.0])["spoiler"] == [3]
    # Everyone within reach of a deal: nobody spoils, though D is the farthest.
    assert _roles([50, 60, 70, 85], [0.5] * 4, [1] * 4, model, reference=[0.0])["spoiler"] == []


TWO_BLOCS_AND_A_WEAK_MEDIATOR = ([25, 25, 25, 75, 75, 75, 50], [0.5] * 7, [1] * 6 + [0.3])


def test_the_actor_halfway_between_two_opposed_blocs_is_the_broker():
    # Gould & Fernandez 1989: the blocs, 50 points apart, do not reach each other; the weak actor
    # halfway links them, and they move toward each other only with it.
    roles = _roles(*TWO_BLOCS_AND_A_WEAK_MEDIATOR)
    assert roles["broker"] == [6] and roles["pivot"] == [6]
    # Not a broker: the same actor beside one bloc, and the middle of a continuum of actors.
    assert _roles([25, 25, 25, 75, 75, 75, 30], [0.5] * 7, [1] * 6 + [0.3])["broker"] == []
    assert _roles([20, 30, 40, 50, 60, 70, 80], [0.5] * 7, [1] * 7)["broker"] == []


def test_hardliners_are_judged_against_their_own_room_to_move():
    # Not a hardliner: a moderate among moderates (the extremist's pull does not count), nor an
    # actor at the far end that moves most of the way.
    assert 0 not in _roles(*MODERATES_AND_EXTREMIST)["hardliner"]
    assert _roles([40, 45, 50, 80], [0.5, 0.5, 0.5, 0.05], [1] * 4)["hardliner"] == []
    assert _roles([40, 45, 50, 80], [0.5, 0.5, 0.5, 0.95], [1] * 4)["hardliner"] == [3]


def test_the_pivot_is_the_weighted_median_kingmaker():
    # Black 1948: two blocs of equal weight and one actor between them: it decides the median.
    assert _roles([10, 10, 90, 90, 45], [0.5] * 5, [1] * 5, get_model("median")())["pivot"] == [4]
    # One bloc holds a majority of the weight on its own: nobody between decides anything.
    assert _roles([10, 10, 10, 90, 45], [0.5] * 5, [1] * 5, get_model("median")())["pivot"] == []


def test_influence_model_by_hand():
    model = get_model("influence")()
    near = model.run(make_scenario([[0.0], [20.0]], [[0.5], [0.5]], [1.0, 1.0]))
    # Each hears both (20 <= 30): heard mean 10, so x1 = 0.5 x0 + 0.5 x 10.
    assert near.positions[1, :, 0].tolist() == pytest.approx([5.0, 15.0])
    far = model.run(make_scenario([[0.0], [50.0]], [[0.5], [0.5]], [1.0, 1.0]))
    assert far.positions[-1, :, 0].tolist() == [0.0, 50.0]  # out of reach: nobody moves
    assert far.forecast[0] == pytest.approx(25.0)


@pytest.mark.parametrize("archetype", ARCHETYPES)
def test_each_archetype_plants_what_it_says(archetype):
    scenario, truth = planted(3, archetype)
    found = measure(get_model("influence")(), scenario.inputs()).holds()
    for role, actors in truth.items():
        ids = {scenario.actor_ids[a] for a in np.flatnonzero(found[role][:, 0])}
        assert actors <= ids, (role, actors, ids)


@pytest.mark.slow
def test_planted_roles_are_recovered_over_200_seeds():
    table = recovery(get_model("influence")(), range(200))
    assert set(table) == set(MEASURED)
    for role in MEASURED:
        assert table[role]["planted"] >= 30, role
        assert table[role]["precision"] >= 0.9, (role, table[role])
        assert table[role]["recall"] >= 0.9, (role, table[role])


def test_a_static_model_assesses_no_movement_roles():
    scenario, _ = planted(0, "broker")
    result = analyse(scenario, "median", samples=0)
    assert np.isnan(result.measures.scores["broker"]).all()
    assert any("not assessed" in n for n in result.notes)
    assert result.measures.scores["pivot"][-1, 0] >= HOLDS  # the actor between the blocs decides the median


@pytest.fixture(scope="module")
def korea():
    return analyse(read_scenario(KOREA).scenario, samples=20, seed=0)


def test_korea_roles_are_explained_with_quotes(korea):
    assert korea.roles
    for row in korea.roles:
        assert row["score"] >= HOLDS and 0 <= row["confidence"] <= 1
        assert row["actor"] in row["explanation"] or korea.scenario.actor(row["actor"]).name in row["explanation"]
        assert row["evidence"], row
    quoted = [row for row in korea.roles if "\u201c" in row["explanation"]]
    assert len(quoted) >= len(korea.roles) // 2


def test_korea_roles_sit_beside_every_assertion_of_the_sources(korea):
    scenario = korea.scenario
    assert len(korea.comparison) == len(scenario.roles) == 8
    for c in korea.comparison:
        assert c["verdict"] in {"agrees", "disagrees", "partly agrees", "partly agrees, but fragile",
                                "agrees, but fragile", "disagrees, but fragile", "not assessed"}
        assert c["why"].startswith("computed:")
        assert c["computed"] == bool(c["holds_on"])
    # The two readings of Russia as a broker, one asserting and one denying, get opposite verdicts.
    broker = [c for c in korea.comparison if c["actor"] == "RUS" and c["role"] == "broker"]
    assert {c["asserted"] for c in broker} == {True, False}
    assert len({c["verdict"].split(",")[0] for c in broker}) == 2


def test_roles_are_deterministic_for_a_seed():
    scenario = read_scenario(KOREA).scenario
    a, b = analyse(scenario, samples=5, seed=3), analyse(scenario, samples=5, seed=3)
    assert json.dumps(a.to_json(), sort_keys=True) == json.dumps(b.to_json(), sort_keys=True)


def test_roles_cli_json(cli):
    code, out, _ = cli("roles", KOREA, "--samples", "3", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["model"] == "influence" and doc["samples"] == 3 and doc["run_id"]
    for row in doc["roles"]:
        assert {"actor", "role", "issue", "score", "confidence", "explanation"} <= set(row)
        assert row["role"] in ROLES and row["score"] >= HOLDS
    code, out, _ = cli("roles", KOREA, "--samples", "0", "-m", "eum", "--no-store")
    assert code == 0 and "roles under eum" in out and "Computed roles beside the roles the sources assert" in out
    for column in ("own reading", "other readings", "consensus", "economy2018: agrees"):
        assert column in out, column


def test_role_assertions_are_checked(tmp_path, cli):
    text = KOREA.read_text(encoding="utf-8").replace("  - actor: USA\n    role: hardliner",
                                                     "  - actor: USB\n    role: hardliner")
    text = text.replace("    role: isolate\n", "    role: loner\n")
    text = text.replace('quote: "China is the enabler"', 'quote: "China is the great enabler"')
    path = tmp_path / "k.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = cli("validate", path, "--texts", shared("seeds"))
    assert code == 2
    text_out = " ".join((out + err).split())
    assert "unknown actor `USB`" in text_out
    assert "roles[7].role: Input should be 'pivot', 'broker'" in text_out  # names the allowed roles
    assert "quote not found verbatim" in text_out and "China is the great enabler" in text_out


# -- verdicts: words that match the numbers, on the issue the source wrote about, under each reading -------


def test_verdict_words_follow_the_confidence_bands():
    from accord.role_analysis import ROBUST, status, verdict

    assert status(0.01, 100, True) == "does not hold: it holds in 1 of 100 samples"
    assert status(0.97, 100, False) == "holds: it holds in 97 of 100 samples"
    assert status(0.5, 100, True).startswith("fragile")
    # An assertion that holds on the consensus point but in 1% of the samples is not "agrees, but fragile".
    assert verdict(True, True, 0.01) == "disagrees" and verdict(False, True, 0.01) == "agrees"
    assert verdict(True, False, 0.6) == "agrees, but fragile" and verdict(True, True, 0.3) == "disagrees, but fragile"
    assert verdict(True, True, ROBUST) == "agrees" and verdict(True, True, None) == "agrees"


def test_korea_verdicts_say_what_the_samples_say(korea):
    for c in korea.comparison:
        conf = c["confidence"]
        assert c["status"].endswith(f"it holds in {round(conf * korea.samples)} of {korea.samples} samples")
        assert ("fragile" in c["verdict"]) == (0.2 < conf < 0.8), c
        assert c["readings"][0]["reading"] == "consensus" and c["readings"][0]["verdict"] == c["verdict"]


def test_a_claim_is_judged_on_the_issue_its_source_wrote_about():
    # Economy's spoiler assertion names sanctions (her passage is about them); the others name none.
    res = analyse(read_scenario(KOREA).scenario, samples=0)
    spoiler = next(c for c in res.comparison if c["role"] == "spoiler")
    assert spoiler["judged_on"] == "sanctions" and spoiler["issue_note"] is None
    assert "on sanctions" in spoiler["why"]
    others = [c for c in res.comparison if c["role"] != "spoiler"]
    assert all(c["issue_note"].startswith("the claim names no issue") for c in others)


def test_each_assertion_is_judged_under_every_reading(korea):
    from accord.perspectives import reading

    sources = ["blank2018", "economy2018", "lukyanov2018"]
    model = get_model("influence")()
    for c in korea.comparison:
        names = [r["reading"] for r in c["readings"]]
        assert sorted(names[1:]) == sources and names[0] == "consensus"
        assert {r["reading"] for r in c["readings"] if r["own"]} == set(c["sources"])
    # The Lukyanov reading's verdict on his broker is the role measured on his numbers.
    claim = next(c for c in korea.comparison if c["role"] == "broker" and c["asserted"])
    own = next(r for r in claim["readings"] if r["own"])
    inputs = reading(korea.scenario, own["reading"]).inputs()
    score = measure(model, inputs, korea.seed).scores["broker"][inputs.actors.index("RUS"),
                                                                  inputs.issues.index(claim["judged_on"])]
    assert own["score"] == pytest.approx(score, abs=1e-4) and own["holds"] == (score >= HOLDS)


def test_one_sample_count_by_default(cli):
    import inspect

    from accord.report import build
    from accord.role_analysis import SAMPLES

    assert inspect.signature(analyse).parameters["samples"].default == SAMPLES
    assert inspect.signature(build).parameters["role_samples"].default == SAMPLES
    code, out, _ = cli("roles", KOREA, "-m", "median", "--json", "--no-store")
    assert code == 0 and json.loads(out)["samples"] == SAMPLES
