"""The compromise model: the capability x salience weighted mean of positions.

    x* = sum_i c_i s_i x_i / sum_i c_i s_i

Each actor pulls the outcome toward its position in proportion to its capability c_i and the
salience s_i it gives the issue. Van den Bos (1991) and Achen (2006, "Institutional realism
and bargaining models", in Thomson et al., *The European Union Decides*) derive it as the
limit of the Nash bargaining solution with quadratic losses and a remote disagreement point;
on EU legislation it is the most accurate of the published models (Thomson 2011). decide
calls it the "NBS"; it is also the outcome rule of Stokman's exchange model.
"""

from __future__ import annotations

import numpy as np

from ..scenario import Inputs
from ..stats import relative_weight, weighted_mean
from .base import Model, Result, register


@register
class Mean(Model):
    name = "mean"
    summary = "compromise model: capability x salience weighted mean (Achen 2006)"
    issue_by_issue = True

    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        return Result.static(inputs, weighted_mean(inputs.position.T, inputs.weight.T))

    exact_batch = True  # its batch is its single runs, bit for bit (accord.testing checks it)

    def solve_batch(self, base: Inputs, draws) -> np.ndarray:
        weight = relative_weight(draws.capability, draws.salience, ~np.isnan(draws.position))
        return weighted_mean(np.swapaxes(draws.position, 1, 2), np.swapaxes(weight, 1, 2))
