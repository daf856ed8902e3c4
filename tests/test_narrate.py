"""Narrators: runs told in words by the presentation layer, whatever the model."""

from __future__ import annotations

import numpy as np
import pytest

from accord.models import Model, Result, get_model
from accord.narrate import generic_story, narrators, story

from .conftest import make_scenario

AGREEMENT = make_scenario([[10, 10], [20, 20], [30, 30]], [[0.5, 0.5]] * 3, [1, 1, 1])


def test_an_exchange_run_without_any_exchange_is_told():
    """Nobody stands in opposite corners, so nobody trades: the story says so (it used to fail
    with KeyError 'supply_issue_i', the table of no exchanges having no columns)."""
    run = get_model("exchange")(rounds=2).run(AGREEMENT)
    chapters = story(run, AGREEMENT)
    assert chapters[0].rounds[1][1][0] == "0 exchanges this round, 0 involving this issue."
    assert chapters[0].ending == "Forecast: 20 after 2 rounds."


class Anchored(Model):
    """Moves every actor halfway to the weighted mean in one round (a model without a narrator)."""

    name = "anchored"
    summary = "one round halfway to the weighted mean"
    has_rounds = True

    def solve(self, inputs, rng):
        mean = Result.static(inputs, np.zeros(len(inputs.issues))).summary_arrays()[0][0]
        moved = (inputs.position + mean) / 2
        return Result(inputs.actors, inputs.issues, mean, np.stack([inputs.position, moved]), inputs.weight)


def test_a_model_without_a_narrator_gets_the_generic_story():
    run = Anchored().run(AGREEMENT)
    assert "anchored" not in narrators() and {"eum", "smp", "exchange"} <= set(narrators())
    chapters = story(run, AGREEMENT)
    assert chapters == generic_story(run, AGREEMENT)
    assert chapters[0].rounds[1][1][0] == "A0 moves from 10 to 15."


def test_a_model_cannot_tell_its_own_story():
    with pytest.raises(TypeError, match="defines story: a run is told by a narrator of accord.narrate"):
        type("Talking", (Anchored,), {"story": lambda self, result, scenario: []})


def test_the_former_module_name_still_works():
    from accord import explain, narrate

    assert explain.story is narrate.story and explain.fmt(2 / 3) == "0.6667"
