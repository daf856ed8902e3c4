"""The expected utility model: golden numbers of the authors' code, identities, invariances."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.models import get_model
from accord.models.eum import PRESETS, Pairs, expected_utilities, king_of_the_hill, prevail, risk_exponents

from .conftest import KOREA, make_scenario, shared

# Scholz-code trajectory of the EC emissions case (eum.md §5): median and mean after rounds 0..10.
GOLDEN_MEDIAN = [7.0, 8.415932315, 9.610859134, 9.961979590, 9.961979590, 9.961979590, 7.472046362, 8.824593855,
                 9.671129770, 9.671129770, 7.0]
GOLDEN_MEAN = [7.389955687, 7.461314378, 7.552500866, 7.590144997, 7.358130531, 7.349173990, 7.414877545,
               7.510457184, 7.572447098, 7.324989066, 7.242130958]
ACTORS = ["Netherlands", "Belgium", "Luxembourg", "Germany", "France", "Italy", "UK", "Ireland", "Denmark", "Greece"]
DANGER = [-5.249283, 1.428336, 5.437679, -5.249283, -2.093933, -2.093933, -8.640899, 5.607084, -8.811603, -2.750413]
RISK_R = [1.405653, 0.754196, 0.508864, 1.405653, 1.046524, 1.046524, 1.964898, 0.5, 2.0, 1.112125]


@pytest.fixture(scope="module")
def scholz_run():
    from typer.testing import CliRunner

    from accord.cli import app

    path = shared("data", "eum", "ec-emissions-1994.csv")
    result = CliRunner().invoke(app, ["forecast", str(path), "--format", "table", "--model", "eum", "--param",
                                      "preset=scholz-code", "--param", "rounds=10", "--json", "--no-store"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["runs"][0]


def test_scholz_code_trajectory(scholz_run):
    summary = sorted(scholz_run["summary"], key=lambda s: s["round"])
    assert [s["round"] for s in summary] == list(range(11))
    np.testing.assert_allclose([s["median"] for s in summary], GOLDEN_MEDIAN, atol=1e-6)
    np.testing.assert_allclose([s["mean"] for s in summary], GOLDEN_MEAN, atol=1e-6)
    assert scholz_run["forecast"] == [{"issue": "x", "value": pytest.approx(7.0)}]


def test_scholz_code_round_one_risk(scholz_run):
    rows = {r["actor"]: r for r in scholz_run["tables"]["risk"] if r["round"] == 1}
    np.testing.assert_allclose([rows[a]["danger"] for a in ACTORS], DANGER, atol=1e-6)
    np.testing.assert_allclose([rows[a]["r"] for a in ACTORS], RISK_R, atol=1e-6)


def test_scholz_code_belgium_first_move(scholz_run):
    (move,) = [o for o in scholz_run["tables"]["offers"]
               if o["round"] == 1 and o["actor"] == "Belgium" and o["accepted"]]
    assert move["other"] == "France" and move["quadrant"] == "compromise"
    assert move["proposed_position"] == pytest.approx(8.41593231543, abs=1e-10)
    assert move["e_own"] == pytest.approx(-0.114831, abs=1e-6) and move["e_other"] == pytest.approx(0.243297, abs=1e-6)
    rounds = {(r["round"], r["actor"]): r["position"] for r in scholz_run["rounds"]}
    assert rounds[1, "Belgium"] == move["proposed_position"]
    assert rounds[1, "Luxembourg"] == 7.0  # loses a confrontation to Belgium's old position


def test_scholz_code_never_capitulates(scholz_run):
    assert {o["quadrant"] for o in scholz_run["tables"]["offers"]} <= {"conflict", "compromise"}


# -- kernels against their definitions -----------------------------------------------------------


def brute_force_prevail(x, w, d, r, denominator):
    """SCS eq. 2 summed literally: O(n^3)."""
    A = (np.abs(x[:, None] - x[None, :]) / d) ** r[:, None]  # A[k, a]
    v = w[:, None, None] * (A[:, None, :] - A[:, :, None])  # v[k, a, b] = v_k(x_a : x_b)
    num = np.maximum(v, 0).sum(0)
    den = np.abs(v).sum() if denominator == "all-pairs" else np.abs(v).sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(den > 0, num / den, 0.5 if denominator == "pair" else 0.0)
    p[x[:, None] == x[None, :]] = 0.0
    return p


actors = st.integers(2, 12).flatmap(lambda n: st.tuples(
    st.lists(st.sampled_from([0, 5, 10, 12.5, 20, 33, 50, 61.7, 75, 90, 100]), min_size=n, max_size=n),
    st.lists(st.floats(0.01, 1), min_size=n, max_size=n),
    st.lists(st.floats(0.1, 10), min_size=n, max_size=n),
    st.lists(st.floats(0.5, 2), min_size=n, max_size=n),
))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(actors, st.sampled_from(["pair", "all-pairs"]))
def test_prefix_sum_prevail_equals_the_literal_sum(data, denominator):
    x, s, c, r = map(np.array, data)
    if np.ptp(x) == 0:
        return
    d = float(np.ptp(x))
    fast = prevail(Pairs(x, d), c * s, r, denominator)
    np.testing.assert_allclose(fast, brute_force_prevail(x, c * s, d, r, denominator), rtol=1e-9, atol=1e-12)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(actors)
def test_closed_form_at_risk_neutrality(data):
    """With r = 1 and Q = 1, E(U_ij) = 2 delta_ij (1 - 2 s_j (1 - P_ij)) (SCS eq. 8)."""
    x, s, c, _ = map(np.array, data)
    if np.ptp(x) == 0:
        return
    pairs = Pairs(x, float(np.ptp(x)))
    P = prevail(pairs, c * s, np.ones(len(x)), "pair")
    e1, e2 = expected_utilities(pairs, s, P, np.ones(len(x)), dict(PRESETS["paper"], q=1.0, t=1.0))
    closed = 2 * pairs.delta * (1 - 2 * s[None, :] * (1 - P))
    np.testing.assert_allclose(e1, closed, atol=1e-12)
    np.testing.assert_allclose(e2, closed.T, atol=1e-12)  # j challenging i


def test_equal_dangers_leave_everyone_risk_neutral():
    x = np.array([0.0, 100.0])
    pairs = Pairs(x, 100.0)
    r, danger = risk_exponents(pairs, np.array([1.0, 1.0]), np.array([0.5, 0.5]), dict(PRESETS["paper"], q=1.0, t=1.0))
    assert danger[0] == danger[1] and list(r) == [1.0, 1.0]


def test_king_of_the_hill_is_the_weighted_median_without_ties():
    x = np.array([4.0, 7, 4, 4, 10, 10, 10, 7, 4, 7])
    w = np.array([.064, .032, .006, .128, .096, .096, .144, .005, .05, .056])
    assert king_of_the_hill(x, w, 6.0) == 7.0


# -- invariances and stopping ---------------------------------------------------------------------

games = st.integers(3, 8).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 20).map(lambda k: 5.0 * k), min_size=n, max_size=n, unique=True),
    st.lists(st.integers(1, 10).map(lambda k: k / 10), min_size=n, max_size=n),
    st.lists(st.integers(1, 20), min_size=n, max_size=n),
))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(games, st.sampled_from(["paper", "scholz-code"]), st.data())
def test_forecast_invariances(game, preset, data):
    """Forecasts do not depend on the order of actors, the units of the scale or of capability.

    Transformations are exact in binary floating point (powers of two, whole shifts), so that
    exact ties, common on a grid of positions, stay exact. The authors' code breaks ties by
    file order, so its preset is checked for order only where no offer ties.
    """
    x, s, c = game
    run = lambda sc, rounds=6: get_model("eum")(preset=preset, rounds=rounds).run(sc).forecast[0]  # noqa: E731
    scenario = lambda x, c=c, s=s, a=1.0, b=0.0: make_scenario(  # noqa: E731
        [[a * v + b] for v in x], [[v] for v in s], c, scale=(b, 100 * a + b))
    base = run(scenario(x))
    if preset == "paper":
        perm = data.draw(st.permutations(range(len(x))))
        shuffled = make_scenario([[x[k]] for k in perm], [[s[k]] for k in perm], [c[k] for k in perm])
        assert run(shuffled) == pytest.approx(base, abs=1e-9)
    # Units of the scale: exact in binary, so every comparison of the run is the same.
    a = data.draw(st.sampled_from([2.0, 0.5, 1024.0]))
    assert run(scenario(x, a=a)) == a * base
    # A shift of the scale: a compromise rounds differently after it, so one round, to rounding.
    b = data.draw(st.sampled_from([-50.0, 3.0, 1000.0]))
    assert run(scenario(x, b=b), rounds=1) == pytest.approx(run(scenario(x), rounds=1) + b, abs=1e-9)
    k = data.draw(st.sampled_from([0.25, 8.0, 1024.0]))
    assert run(scenario(x, c=[k * v for v in c])) == base


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(3, 9).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0, 100), min_size=n, max_size=n, unique=True),
    st.lists(st.floats(0.05, 1), min_size=n, max_size=n),
    st.lists(st.floats(0.1, 10), min_size=n, max_size=n))), st.randoms(use_true_random=False))
def test_scholz_code_is_order_free_without_ties(game, rnd):
    x, s, c = game
    perm = list(range(len(x)))
    rnd.shuffle(perm)
    run = lambda sc: get_model("eum")(preset="scholz-code", rounds=6).run(sc).forecast[0]  # noqa: E731
    base = run(make_scenario([[v] for v in x], [[v] for v in s], c))
    shuffled = run(make_scenario([[x[k]] for k in perm], [[s[k]] for k in perm], [c[k] for k in perm]))
    assert shuffled == pytest.approx(base, abs=1e-9)


def test_paper_rule_breaks_ties_by_threat_not_by_order():
    # Equidistant demands from both sides: the choice must not depend on who is listed first.
    x, s, c = [0.0, 50.0, 100.0], [0.3, 0.2, 0.9], [1, 1, 1]
    a = get_model("eum")(rounds=1).run(make_scenario([[v] for v in x], [[v] for v in s], c))
    b = get_model("eum")(rounds=1).run(make_scenario([[v] for v in x[::-1]], [[v] for v in s[::-1]], c))
    np.testing.assert_array_equal(a.positions[1, :, 0], b.positions[1, ::-1, 0])


def test_rounds_run_exactly_and_stopping_is_reported():
    s = read_ec()
    assert get_model("eum")(preset="scholz-code", rounds=10).run(s).n_rounds == 10
    assert get_model("eum")(preset="scholz-code", rounds=0).run(s).n_rounds == 0
    free = get_model("eum")(preset="scholz-code", max_rounds=30).run(s)
    assert free.n_rounds == 30 and "not converged after max_rounds=30" in free.notes[0]
    # The paper preset on the EC example ends with every position in a band of width 1e-5 of the
    # scale that rounding reshuffles round after round: it stops there, and its forecast is the
    # one a run of any length gives, to within settle x d (d: the positions' range, 6).
    paper = get_model("eum")().run(s)
    assert paper.n_rounds < 100
    longer = get_model("eum")(rounds=150).run(s)
    assert abs(paper.forecast[0] - longer.forecast[0]) <= 1e-4 * 6
    assert paper.forecast[0] == pytest.approx(6.474, abs=1e-3)


@pytest.mark.parametrize("preset", ["paper", "scholz-code"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_no_round_leaves_the_band_of_the_positions(preset, data):
    """Every offer lies between two current positions: the basis of the ``settle`` rule."""
    n = data.draw(st.integers(3, 7))
    x = data.draw(st.lists(st.floats(0, 100), min_size=n, max_size=n))
    sal = data.draw(st.lists(st.floats(0.05, 1), min_size=n, max_size=n))
    cap = data.draw(st.lists(st.floats(0.1, 10), min_size=n, max_size=n))
    passes = data.draw(st.sampled_from([1, 2]))
    result = get_model("eum")(preset=preset, passes=passes, rounds=6).run(
        make_scenario([[v] for v in x], [[v] for v in sal], cap))
    p = result.positions[:, :, 0]
    assert np.all(p[1:].min(axis=1) >= p[:-1].min(axis=1) - 1e-9)
    assert np.all(p[1:].max(axis=1) <= p[:-1].max(axis=1) + 1e-9)
    assert p[-1].min() - 1e-9 <= result.forecast[0] <= p[-1].max() + 1e-9


def test_a_cycle_is_detected_and_measured():
    # Two camps that swap positions every round: A and B give in to each other's side.
    sc = make_scenario([[0], [100], [0], [100]], [[0.9], [0.9], [0.2], [0.2]], [1, 1, 1, 1])
    result = get_model("eum")(preset="scholz-code", max_rounds=20).run(sc)
    note = result.notes[0]
    assert "cycle of length" in note or "converged" in note
    if "cycle" in note:
        length = int(note.split("cycle of length ")[1].split(",")[0])
        r = result.n_rounds
        np.testing.assert_allclose(result.positions[r], result.positions[r - length], rtol=0, atol=1e-6 * 100)


def test_presets_and_overrides():
    model = get_model("eum")(preset="scholz-code", p_denominator="pair")
    resolved = model.params.resolved()
    assert resolved["p_denominator"] == "pair" and resolved["offer_rule"] == "scholz-code"
    with pytest.raises(UsageError, match="preset"):
        get_model("eum")(preset="bdm-2011")
    with pytest.raises(UsageError, match="rounds"):
        get_model("eum")(rounds=-1)


def test_sparse_issues_and_degenerate_issues():
    nan = float("nan")
    sc = make_scenario([[10, 50], [90, 50], [40, nan]], [[0.5, 0.5], [0.5, 0.5], [0.9, 0.5]], [1, 1, 1])
    result = get_model("eum")().run(sc)
    assert np.isnan(result.positions[:, 2, 1]).all()
    assert result.forecast[1] == 50 and "nothing to negotiate" in result.notes[-1]


def test_korea_story_reads_as_a_negotiation(cli):
    code, out, _ = cli("explain", KOREA, "--issue", "sanctions", "--no-store")
    assert code == 0
    assert "UN sanctions on the DPRK" in out and "Round 1" in out and "Forecast:" in out
    assert "Most threatened" in out and ("gives in" in out or "compromises with" in out)
    code, _, err = cli("explain", KOREA, "--issue", "nope")
    assert code == 2 and "unknown issue nope" in err


def read_ec():
    from accord.io import read_scenario

    return read_scenario(shared("data", "eum", "ec-emissions-1994.csv"), "table").scenario


def test_a_server_re_solves_only_the_issues_an_edit_touches_and_gets_the_same_result(monkeypatch):
    """Within the dashboard's work (keeping), each issue's run is kept by its content: after an
    edit of one issue only that issue is solved again, and the result is a fresh run's."""
    import accord.models.eum as eum
    from accord.io import read_scenario
    from accord.models._cache import keeping
    from accord.whatif import Edit, apply

    korea = read_scenario(KOREA).scenario
    edited = apply(korea, [Edit("position", 70.0, actor="RUS", issue="sanctions")])
    solved = []
    real = eum._solve_issue
    monkeypatch.setattr(eum, "_solve_issue", lambda inputs, i, *a: solved.append(inputs.issues[i]) or real(
        inputs, i, *a))
    eum._ISSUE_RUNS.clear()
    with keeping():
        get_model("eum")().run(korea)
        solved.clear()
        kept = get_model("eum")().run(edited).to_json()
    assert solved == ["sanctions"]
    assert kept == get_model("eum")().run(edited).to_json()  # computed afresh: the same run
    assert len(solved) == 1 + len(korea.issues)  # outside keeping, nothing is kept
