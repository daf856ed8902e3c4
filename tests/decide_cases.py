"""Random exchange-model cases, drawn from a seed, as scenarios and as decide input files, and
decide-exchange-model's own runs of some of them (data/decide_exchange_cases.json).

Each case: 5-15 actors, 2-6 issues; positions U(lo, hi), saliences U(0.1, 1) and one power per
actor U(0.05, 1), all rounded to two decimals, so that the text decide reads and the numbers
accord holds are the same decimals. Seeds 2, 5, 8, ... leave about 15% of the stances out
(every actor keeps two); seeds 3, 7, 11, ... put the issues on a 0.5-7 scale, the others on 0-100.
With ``twins``, actors A0 and A1 appear a second time (as the last two actors), so that their
exchanges tie.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from accord.io import encode_scenario, from_arrays
from accord.models import get_model
from accord.models.exchange import outcome
from accord.scenario import Scenario

DECIDE_RUNS = json.loads((Path(__file__).parent / "data" / "decide_exchange_cases.json").read_text())["cases"]


def random_case(seed: int, twins: bool = False) -> Scenario:
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(5, 16)), int(rng.integers(2, 7))
    lo, hi = (0.5, 7.0) if seed % 4 == 3 else (0.0, 100.0)
    x = np.round(rng.uniform(lo, hi, (n, k)), 2)
    s = np.round(rng.uniform(0.1, 1.0, (n, k)), 2)
    c = np.round(rng.uniform(0.05, 1.0, n), 2)
    if seed % 3 == 2:
        gone = rng.random((n, k)) < 0.15
        for a in range(n):
            if (~gone[a]).sum() < 2:
                gone[a, rng.choice(k, 2, replace=False)] = False
        x[gone] = np.nan
    if twins:
        x, s, c = (v[[*range(n), 0, 1]] for v in (x, s, c))
    return from_arrays(x, s, c, scale=(lo, hi), name=f"random case {seed}",
                       assumption="random test case")


def decide_text(seed: int, twins: bool = False) -> str:
    """The case as decide's tagged input file."""
    data, _ = encode_scenario(random_case(seed, twins), "decide")
    return data.decode()


def deviations(case: dict, preset: str) -> list[float]:
    """Per round, the largest difference between the model and decide's run of the case: in the
    outcome of the preferences, in the exchanges carried out (voting positions and gains; inf
    if they are not the same actors on the same issues in the same order), and after the last
    round in every actor's position."""
    scenario = random_case(case["seed"], case.get("twins", False))
    inputs = scenario.inputs()
    result = get_model("exchange")(preset=preset, rounds=len(case["rounds"])).run(scenario, seed=0)
    actor = {a: k for k, a in enumerate(inputs.actors)}
    issue = {i: k for k, i in enumerate(inputs.issues)}
    table = result.table_frame("exchanges")
    out = []
    for rnd, ref in enumerate(case["rounds"], 1):
        ours = np.array([[actor[e.actor_i], issue[e.supply_issue_i], e.voting_position_i, actor[e.actor_j],
                          issue[e.supply_issue_j], e.voting_position_j, e.gain]
                         for e in table[table["round"] == rnd].itertuples(index=False)]).reshape(-1, 7)
        theirs = np.array(ref["exchanges"], dtype=float).reshape(-1, 7)
        worst = np.abs(outcome(result.positions[rnd], inputs.weight) - ref["outcome"]).max()
        if ours.shape != theirs.shape or (ours[:, [0, 1, 3, 4]] != theirs[:, [0, 1, 3, 4]]).any():
            worst = np.inf
        elif len(ours):
            worst = max(worst, np.abs(ours - theirs).max())
        if rnd == len(case["rounds"]):
            final = np.array(case["final"], dtype=float)
            worst = max(worst, np.nanmax(np.abs(result.positions[-1] - final)))
        out.append(float(worst))
    return out
