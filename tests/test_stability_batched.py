"""The bottom line's local sensitivity solves its one-at-a-time design with a model's batched
form when it has one (as Monte Carlo does), with the same shifts as run by run."""

from __future__ import annotations

import pytest

import accord
import accord.bottomline as bottomline
from accord.bottomline import STEP, local_sensitivity
from accord.runner import run_models

from .conftest import KOREA


@pytest.fixture(scope="module")
def korea():
    return accord.read_scenario(KOREA).scenario


@pytest.mark.parametrize("model", ["mean", "median", "nash", "eum"])
def test_batched_moves_give_the_shifts_of_the_runs_one_by_one(korea, model, monkeypatch):
    results = run_models(korea, [model], {}, 0)
    one_by_one, solve_all = [], bottomline.solve_all

    def counted(*args, **kwargs):
        one_by_one.append(len(args[1]))
        return solve_all(*args, **kwargs)

    monkeypatch.setattr(bottomline, "solve_all", counted)
    batched = local_sensitivity(korea, results)
    assert not one_by_one  # the batched form solved the design
    monkeypatch.setattr(accord.get_model(model), "solve_batch", lambda self, base, draws: None)
    unbatched = local_sensitivity(korea, results)
    assert one_by_one and unbatched == batched
    assert len(batched) == len(korea.issues) and all(s.model == model and s.shift >= 0 for s in batched)


def test_progress_counts_every_run_of_the_design(korea):
    seen = []
    local_sensitivity(korea, run_models(korea, ["mean"], {}, 0), progress=lambda *counts: seen.append(counts))
    runs = 1 + len(bottomline._moves(korea.inputs(), STEP)[0])
    assert seen[-1] == (runs, runs)
