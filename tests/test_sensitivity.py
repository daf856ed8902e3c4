"""One-at-a-time sensitivity and locked forecasts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from accord.models import get_model
from accord.sensitivity import tornado

from .conftest import KOREA, make_scenario

SCENARIO = make_scenario([[10, 80], [40, 20], [90, 35], [60, 55]], [[0.7, 0.2], [0.5, 0.5], [0.3, 0.1], [0.2, 0.8]],
                         [3, 2, 4, 1])


def test_swings_of_the_compromise_model_are_its_weights():
    """The weighted mean is linear in each position: the swing is (high - low) w_a / sum(w)."""
    result = tornado(get_model("mean")(), SCENARIO, seed=1)
    w = SCENARIO.inputs().weight
    for a, actor in enumerate(SCENARIO.actor_ids):
        for i, issue in enumerate(SCENARIO.issue_ids):
            row = result.swings[(result.swings["issue"] == issue)
                                & (result.swings["input"] == f"{actor} position on {issue}")].iloc[0]
            assert row["swing"] == pytest.approx((row["high"] - row["low"]) * w[a, i] / w[:, i].sum(), rel=1e-12)
            # A position on another issue does not move this one.
            other = result.swings[(result.swings["issue"] != issue)
                                  & (result.swings["input"] == f"{actor} position on {issue}")]
            assert (other["swing"] == 0).all()
    assert result.locked.empty


def test_a_median_held_by_one_heavy_actor_is_locked():
    heavy = make_scenario([[10], [50], [90]], [[0.2], [0.9], [0.2]], [1, 10, 1])
    result = tornado(get_model("median")(), heavy, seed=0)
    assert result.locked.to_dict("records") == [{"issue": "i0", "actor": "A1", "position": 50.0}]
    assert not tornado(get_model("mean")(), heavy, seed=0).locked.size


def test_same_seed_same_tornado():
    a, b = (tornado(get_model("eum")(rounds=3), SCENARIO, seed=4) for _ in range(2))
    assert a.swings.equals(b.swings)


def test_cli_tornado_and_lock_warnings(cli):
    code, out, err = cli("sensitivity", KOREA, "-m", "median", "--top", "3")
    assert code == 0 and "RUS position on us_posture" in out and "locked on RUS" in err
    code, out, _ = cli("sensitivity", KOREA, "-m", "mean", "--json")
    doc = json.loads(out)
    assert doc["model"] == "mean" and not doc["locked"]
    swings = [s for s in doc["swings"] if s["issue"] == "sanctions"]
    assert max(swings, key=lambda s: s["swing"])["actor"] in {"USA", "CHN", "RUS", "PRK", "KOR", "JPN"}
    assert np.isfinite([s["swing"] for s in doc["swings"]]).all()


def test_sobol_indices_of_an_additive_model():
    """The compromise model is additive in each issue's inputs: first order equals total, sum near 1."""
    pytest.importorskip("SALib")
    from accord.sensitivity import sobol

    model = get_model("mean")()
    result = tornado(model, SCENARIO, seed=2)
    indices = sobol(model, SCENARIO, result, n=1024, inputs=6, seed=2)
    for issue in SCENARIO.issue_ids:
        part = indices[indices["issue"] == issue]
        moving = part[part["ST"] > 0.01]
        assert (abs(moving["ST"] - moving["S1"]) < 0.08).all()
        assert part["S1"].sum() == pytest.approx(1, abs=0.25)
        # The input with the largest swing on this issue has the largest total index.
        swings = result.top(issue, 1)["input"].iloc[0]
        if swings in set(part["input"]):
            assert part.set_index("input")["ST"].idxmax() == swings
    again = sobol(model, SCENARIO, result, n=1024, inputs=6, seed=2)
    assert again.equals(indices)
