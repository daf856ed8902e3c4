"""The weighted median: the position of the median voter.

The smallest position x_k whose supporters at or below it hold at least half of the total
weight c_i s_i. With single-peaked preferences on one dimension this position beats every
other in pairwise weighted votes (Black 1948); it is the starting point of Bueno de
Mesquita's expected utility model (Bueno de Mesquita 1994; Scholz, Calbert & Smith 2011).
Table ``median_actor`` names the actors that hold the median position on each issue.
"""

from __future__ import annotations

import numpy as np

from ..scenario import Inputs
from ..stats import relative_weight, weighted_median
from .base import Model, Result, register


@register
class Median(Model):
    name = "median"
    summary = "median voter: capability x salience weighted median (Black 1948)"
    issue_by_issue = True

    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        median = weighted_median(inputs.position.T, inputs.weight.T)
        holders = [
            {"issue": issue, "actor": actor, "position": float(median[i])}
            for i, issue in enumerate(inputs.issues)
            for a, actor in enumerate(inputs.actors)
            if inputs.position[a, i] == median[i]
        ]
        return Result.static(inputs, median, tables={"median_actor": holders})

    exact_batch = True  # its batch is its single runs, bit for bit (accord.testing checks it)

    def solve_batch(self, base: Inputs, draws) -> np.ndarray:
        weight = relative_weight(draws.capability, draws.salience, ~np.isnan(draws.position))
        return weighted_median(np.swapaxes(draws.position, 1, 2), np.swapaxes(weight, 1, 2))
