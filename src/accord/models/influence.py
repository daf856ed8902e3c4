"""Social influence with bounded confidence: Friedkin and Johnsen's model, listening only to the near.

Friedkin & Johnsen (1990, *J. Mathematical Sociology* 15:193-206; 2011, *Social Influence
Network Theory*) model a group reaching agreement as repeated weighted averaging in which each
actor stays anchored to its initial position:

    x_a(t+1) = s_a x_a(0) + (1 - s_a) sum_k W_ak(t) x_k(t)

The anchoring is the actor's salience s_a (what it cares about, it does not give up), and the
influence weights are capability x salience, as in the compromise model, restricted as in
Hegselmann & Krause (2002, *JASSS* 5(3)) to the actors within ``confidence`` x the scale's
width of the listener (itself included):

    W_ak(t) = c_k s_k [|x_k(t) - x_a(t)| <= eps d] / sum over such k of c_k s_k.

Positions move part of the way each round, toward those near enough to be heard, so blocs too
far apart to hear each other stay apart unless an actor between them links them. Rounds run
until the largest move is at most ``tol`` x d, or ``max_rounds``. The forecast is the
capability x salience weighted mean of the final positions (the compromise model's rule).
Cost: O(n^2) per issue and round. Many runs of one shape (Monte Carlo samples, the
counterfactuals of :mod:`accord.roles`) go in lockstep through :meth:`Influence.solve_runs`,
each stopping on its own, with the same arithmetic as a single run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..scenario import Inputs
from ..stats import weighted_mean
from .base import Model, Result, register


class InfluenceParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    confidence: float = Field(0.3, gt=0, le=1, description="actors hear those within this share of the scale")
    max_rounds: int = Field(200, ge=1)
    tol: float = Field(1e-6, ge=0, description="converged when the largest move is at most tol x d")


@register
class Influence(Model):
    name = "influence"
    summary = "social influence with bounded confidence (Friedkin & Johnsen 1990; Hegselmann & Krause 2002)"
    Params = InfluenceParams
    has_rounds = True
    exact_batch = True

    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        prm = self.params
        span = inputs.scale_max - inputs.scale_min
        x0 = inputs.position
        w = inputs.weight
        s = np.where(inputs.present, inputs.salience, 0.0)
        history = [x0.copy()]
        x = x0.copy()
        notes = []
        for rnd in range(1, prm.max_rounds + 1):
            new = s * x0 + (1 - s) * _heard_mean(x, w, prm.confidence * span)
            new = np.where(inputs.present, new, np.nan)
            move = np.nanmax(np.abs(new - x) / span, initial=0.0)
            x = new
            history.append(x.copy())
            if move <= prm.tol:
                notes.append(f"converged after {rnd} rounds (no position moved by more than tol={prm.tol:g} of the "
                             "scale)")
                break
        else:
            notes.append(f"not converged after {prm.max_rounds} rounds")
        positions = np.stack(history)
        forecast = weighted_mean(x.T, w.T)
        return Result(inputs.actors, inputs.issues, forecast, positions, w, notes=notes)

    def solve_batch(self, base: Inputs, draws) -> np.ndarray:
        """Forecasts (samples, issues): the samples' runs in lockstep (:meth:`solve_runs`)."""
        runs = [draws.inputs(base, k) for k in range(len(draws))]
        return self._lockstep(runs, keep_rounds=False)[0].reshape(len(runs), len(base.issues))

    def solve_runs(self, runs: Sequence[Inputs]) -> list[Result]:
        """Many inputs of one shape at once: :meth:`solve`'s rounds with a leading run axis.

        Each run stops on its own round (its largest move at most ``tol``); only the runs still
        moving are computed. Every operation is :meth:`solve`'s, elementwise or reduced over the
        same axis of the same length, so each result is identical to its single run.
        """
        prm = self.params
        forecast, trajectory, stop, converged, w = self._lockstep(runs, keep_rounds=True)
        out = []
        for b, inputs in enumerate(runs):
            notes = ([f"converged after {stop[b]} rounds (no position moved by more than tol={prm.tol:g} of the "
                      "scale)"] if converged[b] else [f"not converged after {prm.max_rounds} rounds"])
            out.append(Result(inputs.actors, inputs.issues, forecast[b], trajectory[:stop[b] + 1, b].copy(), w[b],
                              notes=notes))
        return out

    def _lockstep(self, runs: Sequence[Inputs], keep_rounds: bool):
        """(forecasts, positions round by round or None, each run's last round, converged, weights)."""
        prm = self.params
        x0 = np.stack([r.position for r in runs])  # [run, actor, issue]
        present = ~np.isnan(x0)
        w = np.stack([r.weight for r in runs])
        s = np.where(present, np.stack([r.salience for r in runs]), 0.0)
        span = np.stack([r.scale_max - r.scale_min for r in runs])[:, None, :]
        x, history = x0.copy(), [x0.copy()] if keep_rounds else []
        stop, converged = np.full(len(runs), prm.max_rounds), np.zeros(len(runs), dtype=bool)
        active = np.arange(len(runs))
        for rnd in range(1, prm.max_rounds + 1):
            xa, sa, pa = x[active], s[active], present[active]
            new = sa * x0[active] + (1 - sa) * _heard_mean(xa, w[active], prm.confidence * span[active])
            new = np.where(pa, new, np.nan)
            move = np.nanmax(np.abs(new - xa) / span[active], axis=(1, 2), initial=0.0)
            x[active] = new
            if keep_rounds:
                history.append(x.copy())
            done = move <= prm.tol
            stop[active[done]], converged[active[done]] = rnd, True
            active = active[~done]
            if not active.size:
                break
        forecast = weighted_mean(np.swapaxes(x, 1, 2), np.swapaxes(w, 1, 2))
        return forecast, np.stack(history) if keep_rounds else None, stop, converged, w


def _heard_mean(x: np.ndarray, w: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """[..., actor, issue]: the weighted mean of the positions each actor hears (within ``reach``,
    [..., issue] or broadcast to it); leading axes are independent runs.

    An actor with no weight around it (all it hears carry none) keeps its position."""
    present = ~np.isnan(x)
    xs = np.where(present, x, 0.0)
    ws = np.where(present, w, 0.0)
    reach = np.asarray(reach)[..., None, None, :] if np.ndim(reach) == 1 else np.asarray(reach)[..., None, :, :]
    near = np.abs(xs[..., :, None, :] - xs[..., None, :, :]) <= reach  # [..., listener, speaker, issue]
    near &= present[..., :, None, :] & present[..., None, :, :]
    weight = np.where(near, ws[..., None, :, :], 0.0)
    total = weight.sum(axis=-2)
    heard = (weight * xs[..., None, :, :]).sum(axis=-2)
    return np.where(total > 0, heard / np.where(total > 0, total, 1.0), xs)
