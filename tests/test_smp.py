"""KTAB's Spatial Model of Politics: KTAB's own reference runs, every option, reproducible chance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.errors import UsageError
from accord.io import read_scenario
from accord.models import get_model
from accord.models.smp import DEFAULTS, Game, _space, coalitions, vote

from .conftest import KOREA, SHARED, make_scenario, shared

BUNDLED = Path(__file__).parent / "data" / "ktab"


def ktab_file(name: str) -> Path:
    """A KTAB scenario: bundled with the tests where it is, else from the shared reference data."""
    return BUNDLED / name if (BUNDLED / name).exists() else shared("data", "ktab", name)


def reference_history(log: Path) -> dict[tuple[str, str], list[float]]:
    """KTAB's "History of actor positions over time" table: (actor, dimension) -> one value per state."""
    lines = log.read_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith("History of actor positions")))
    table = {}
    for line in lines[start + 1:]:
        if line.startswith("History of actors'"):
            break
        name, rest = line.split(",", 1)
        dim, values = rest.split(":", 1)
        table[name.strip(), dim.replace(" Position", "").strip()] = [float(v) for v in values.split()]
    return table


@pytest.mark.parametrize("name,log,states", [
    ("dummyData_3Dim.csv", "20170530_ref-dummyData_3Dim.txt", 11),
    ("SOE-Pol-Comp.csv", "20170530_ref-SOE-Pol-Comp.txt", 28),
])
def test_reproduces_ktab_reference_runs(name, log, states):
    reference = reference_history(shared("data", "ktab", "reference-outputs", log))
    scenario = read_scenario(ktab_file(name)).scenario
    result = get_model("smp")().run(scenario)
    assert result.positions.shape[0] == states
    for a, actor in enumerate(scenario.actor_ids):
        for i, dim in enumerate(scenario.issue_ids):
            ours = result.positions[:, a, i]
            theirs = np.array(reference[actor, dim])
            assert len(theirs) == states
            assert np.abs(ours - theirs).max() <= 0.05 + 1e-9, (actor, dim)
            # Printed as KTAB prints them (%5.1f), the histories are the same text.
            assert [f"{v:5.1f}" for v in ours] == [f"{v:5.1f}" for v in theirs], (actor, dim)


def test_deterministic_runs_match_ktab_turn_counts_on_other_files():
    # KTAB's own runs (reference notes): 30 states for the 6-dimension file, 21 for a040.
    assert get_model("smp")().run(read_scenario(shared("data", "ktab", "dummyData_6Dim.csv")).scenario
                                  ).positions.shape[0] == 30
    assert get_model("smp")().run(read_scenario(shared("data", "ktab", "dummyData-a040.csv")).scenario
                                  ).positions.shape[0] == 21


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in (SHARED / "data" / "ktab").glob("*.[cx][sm][vl]")))
def test_every_shipped_scenario_runs_to_completion(name):
    scenario = read_scenario(shared("data", "ktab", name)).scenario
    result = get_model("smp")().run(scenario)
    assert result.notes[0].startswith("stopped after") and np.isfinite(result.forecast).all()
    probs = result.table_frame("probabilities")
    assert set(probs["round"]) == set(range(result.positions.shape[0]))


def test_stochastic_runs_repeat_for_a_seed_and_differ_across_seeds():
    scenario = read_scenario(shared("data", "ktab", "smpExample_fixed_2017.xml")).scenario
    assert scenario.settings["smp"]["StateTransitions"] == "Stochastic"
    model = get_model("smp")()
    a, b, c = (model.run(scenario, seed=s) for s in (11, 11, 12))
    np.testing.assert_array_equal(a.positions, b.positions)
    assert a.table_frame("bargains").equals(b.table_frame("bargains"))
    assert a.positions.shape != c.positions.shape or not np.array_equal(a.positions, c.positions)


def test_explicit_parameters_override_the_scenarios_settings():
    scenario = read_scenario(shared("data", "ktab", "smpExample_fixed_2017.xml")).scenario
    forced = get_model("smp")(StateTransitions="Deterministic")
    runs = [forced.run(scenario, seed=s).positions for s in (1, 2)]
    np.testing.assert_array_equal(runs[0], runs[1])  # no chance left


SMALL = ktab_file("dummyData_3Dim.csv")
OPTION_CASES = [
    ("VictoryProbModel", "Square"), ("VictoryProbModel", "Quartic"), ("VictoryProbModel", "Octic"),
    ("VictoryProbModel", "Binary"), ("PCEModel", "MarkovIncentive"), ("PCEModel", "MarkovUniform"),
    ("VotingRule", "Binary"), ("VotingRule", "PropBin"), ("VotingRule", "PropCbc"), ("VotingRule", "Cubic"),
    ("VotingRule", "ASymProsp"), ("BigRAdjust", "None"), ("BigRAdjust", "Half"), ("BigRAdjust", "TwoThirds"),
    ("BigRAdjust", "Full"), ("BigRRange", "Min"), ("BigRRange", "Max"), ("ThirdPartyCommit", "NoCommit"),
    ("InterVecBrgn", "S1P1"), ("InterVecBrgn", "S2PMax"), ("BargnModel", "InitRcvrInterp"),
    ("BargnModel", "PWCompInterp"),
]


@pytest.fixture(scope="module")
def default_run():
    return get_model("smp")(turns=4).run(read_scenario(SMALL).scenario)


@pytest.mark.parametrize("option,value", OPTION_CASES, ids=[f"{o}={v}" for o, v in OPTION_CASES])
def test_each_option_changes_the_run(default_run, option, value):
    result = get_model("smp")(turns=4, **{option: value}).run(read_scenario(SMALL).scenario)
    assert result.positions.shape == default_run.positions.shape
    assert not np.allclose(result.positions, default_run.positions), f"{option}={value} changed nothing"


def test_no_and_full_commitment_leave_third_parties_out_alike():
    scenario = read_scenario(SMALL).scenario
    no, full = (get_model("smp")(turns=4, ThirdPartyCommit=v).run(scenario) for v in ("NoCommit", "FullCommit"))
    np.testing.assert_array_equal(no.positions, full.positions)


def test_stopping_rule_is_configurable():
    scenario = read_scenario(SMALL).scenario
    assert get_model("smp")(turns=3).run(scenario).positions.shape[0] == 4
    loose = get_model("smp")(stop_ratio=0.5).run(scenario)
    assert loose.positions.shape[0] < 11 and "stopped after" in loose.notes[0]
    assert get_model("smp")(max_turns=5).run(scenario).positions.shape[0] == 6


# -- kernels against their literal definitions ----------------------------------------------------


def literal_challenge(U, W, s, i, j, commit="SemiCommit"):
    """KTAB's probEduChlg(i, i, i, j) summed actor by actor: (P, gain)."""
    ci = W[i] * (U[i, i] - U[i, j])
    cj = W[j] * (U[j, i] - U[j, j])
    Ci0 = 1e-10 + max(ci, 0) + max(cj, 0)
    Cj0 = 1e-10 + max(-ci, 0) + max(-cj, 0)
    Ci, Cj = Ci0, Cj0
    for t in range(len(W)):
        if t in (i, j) or commit != "SemiCommit":
            continue
        v0 = W[t] * (U[t, i] - U[t, j])
        pin = (Ci0 + max(v0, 0)) / (Ci0 + max(v0, 0) + Cj0 + max(-v0, 0))
        eu_i = pin * (2 * U[t, i] + U[t, t]) + (1 - pin) * 3 * U[t, j]
        eu_j = pin * 3 * U[t, i] + (1 - pin) * (2 * U[t, j] + U[t, t])
        vn = W[t] * (eu_i - eu_j)
        Ci, Cj = Ci + max(vn, 0), Cj + max(-vn, 0)
    P = Ci / (Ci + Cj)
    ev = (1 - s[j]) * 2 * U[i, i] + s[j] * (P * 2 * U[i, i] + (1 - P) * 2 * U[i, j])
    return P, ev - (U[i, i] + U[i, j])


def test_vectorised_challenges_equal_the_literal_sums():
    rng = np.random.default_rng(5)
    n = 9
    X, S = rng.uniform(0, 1, (n, 2)), rng.dirichlet(np.ones(2), n) * 0.9
    c = rng.uniform(1, 100, n)
    game = Game(X, S, c, None, dict(DEFAULTS), rng)
    d = game.distances(X, X)
    R = rng.uniform(-0.5, 1, n)
    P, gain = game.challenges_of(np.arange(n), d, R)
    for i in range(n):
        r = (2 * R[i] + R) / 3  # i's estimates of everyone's risk attitude (OneThird)
        U = (1 - d) * (1 + d * r[:, None])
        for j in range(n):
            if i != j:
                p, g = literal_challenge(U, game.W, game.s_total, i, j)
                assert P[i, j] == pytest.approx(p, rel=1e-12) and gain[i, j] == pytest.approx(g, abs=1e-13)


@pytest.mark.parametrize("rule", ["Prop", "PropCbc", "ASymProsp"])
def test_coalitions_equal_the_literal_sums(rule):
    rng = np.random.default_rng(3)
    w, U = rng.uniform(0.5, 2, 6), rng.uniform(0, 1, (6, 4))
    C = coalitions(rule, w, U)
    for a in range(4):
        for b in range(4):
            if a == b:
                assert C[a, b] == pytest.approx(1e-8)
                continue
            hi, lo = max(a, b), min(a, b)  # KTAB casts the higher-index option over the lower
            v = vote(rule, w, U[:, hi] - U[:, lo])
            expected = np.maximum(v, 0).sum() if a == hi else np.maximum(-v, 0).sum()
            assert C[a, b] == pytest.approx(1e-8 + expected, rel=1e-12)


# -- what SMP cannot take -------------------------------------------------------------------------


def test_refuses_what_smp_cannot_model():
    too_much = make_scenario([[10, 20], [80, 90], [50, 50]], [[0.8, 0.5], [0.5, 0.5], [0.4, 0.4]], [1, 2, 3])
    with pytest.raises(UsageError, match="sum to 1.3"):
        get_model("smp")().run(too_much)
    zero = make_scenario([[10], [80], [50]], [[0.5], [0.0], [0.4]], [1, 2, 3])
    with pytest.raises(UsageError, match="zero salience"):
        get_model("smp")().run(zero)
    with pytest.raises(UsageError, match="VictoryProbModel"):
        get_model("smp")(VictoryProbModel="Linearish")


def test_korea_runs_and_tells_its_story(cli):
    code, out, _ = cli("explain", "korea-2018", "-m", "smp", "--issue", "sanctions", "--no-store")
    assert code == 0 and "challenges:" in out and "bargain at" in out and "Likeliest to prevail" in out
    X, S, c = _space(read_scenario(KOREA).scenario.inputs())
    assert X.shape == (6, 5) and (S.sum(1) <= 1).all() and (c > 0).all()


def test_compiled_kernels_equal_the_array_code(monkeypatch):
    from accord.models import smp

    if smp.compiled("third_parties") is None:
        pytest.skip("numba (the optional extra 'fast') is not installed")
    rng = np.random.default_rng(8)
    n = smp.FUSED_FROM + 12
    X, S = rng.uniform(0, 1, (n, 1)), rng.uniform(0.2, 0.9, (n, 1))
    game = Game(X, S, rng.uniform(10, 200, n), None, dict(DEFAULTS), rng)
    d, R = game.distances(X, X), rng.uniform(-0.5, 1, n)
    U = 1 - d
    fused = game.challenges_of(np.arange(n), d, R), coalitions("Prop", game.c, U)
    monkeypatch.setattr(smp, "compiled", lambda name: None)  # as without numba
    arrays = game.challenges_of(np.arange(n), d, R), coalitions("Prop", game.c, U)
    for a, b in zip([*fused[0], fused[1]], [*arrays[0], arrays[1]]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,log", [("dummyData_3Dim.csv", "20170530_ref-dummyData_3Dim.txt"),
                                      ("SOE-Pol-Comp.csv", "20170530_ref-SOE-Pol-Comp.txt")])
def test_the_json_contract_carries_ktabs_histories(cli, name, log):
    import json

    reference = reference_history(shared("data", "ktab", "reference-outputs", log))
    code, out, _ = cli("forecast", shared("data", "ktab", name), "--format", "ktab", "--model", "smp", "--json",
                       "--no-store")
    assert code == 0
    run = json.loads(out)["runs"][0]
    ours = {}
    for row in run["rounds"]:
        ours.setdefault((row["actor"], row["issue"]), []).append((row["round"], row["position"]))
    assert ours.keys() == reference.keys()
    for key, values in ours.items():
        values = [v for _, v in sorted(values)]
        assert len(values) == len(reference[key])
        assert max(abs(a - b) for a, b in zip(values, reference[key])) <= 0.05 + 1e-9
    assert {"challenges", "bargains", "probabilities"} <= set(run["tables"])
    assert {"round", "actor", "probability"} <= set(run["tables"]["probabilities"][0])
