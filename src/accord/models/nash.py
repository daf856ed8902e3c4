"""The Nash bargaining solution on each issue.

The asymmetric Nash bargaining solution (Nash 1950; Kalai 1977) picks the outcome that
maximises the weighted product of the actors' gains over the disagreement point d:

    x* = argmax_x  prod_i (u_i(x) - u_i(d)) ^ w_i      subject to u_i(x) >= u_i(d) for all i,

with quadratic loss utilities u_i(x) = -((x - x_i) / R)^2 (R the width of the issue's scale;
Achen 2006) and bargaining weights w_i = c_i s_i (capability x salience: an actor that cares
more and can do more presses harder; Schneider 2005). Salience enters through the weights
because the solution is invariant to rescaling each actor's utility.

The disagreement point is the issue's reference point (status quo) when the scenario gives
one (``disagreement=reference``, the default). Nobody accepts less than the status quo, so
the solution lies in the interval of outcomes every actor weakly prefers to it; when actors
stand on both sides of the status quo that interval is the status quo alone, and the
solution is deadlock at the status quo (reported in the notes). Without a reference point,
or with ``disagreement=worst``, breakdown gives each actor the end of the scale farthest
from its position.

The objective is strictly concave on the feasible interval (a weighted sum of logarithms of
concave functions), so its maximum is the unique root of its derivative, found by bisection
to machine precision: O(n) per step, 200 steps at most.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..scenario import Inputs
from ..stats import relative_weight
from .base import Model, Result, register


class NashParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    disagreement: Literal["reference", "worst"] = "reference"


@register
class Nash(Model):
    name = "nash"
    summary = "Nash bargaining solution, weights c x s, reference point as disagreement (Nash 1950)"
    Params = NashParams
    issue_by_issue = True

    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        forecast = np.empty(len(inputs.issues))
        rows, notes = [], []
        for i, issue in enumerate(inputs.issues):
            w = inputs.weight[:, i]
            keep = w > 0
            # Positions in units of a power of two near the scale's ends: exact, and the squares
            # below stay finite on a scale as wide as [0, 1e308] or as narrow as [0, 1e-300].
            k = _exponent(inputs.scale_min[i], inputs.scale_max[i])
            x, w = np.ldexp(inputs.position[keep, i], -k), w[keep]
            lo_s, hi_s = np.ldexp(inputs.scale_min[i], -k), np.ldexp(inputs.scale_max[i], -k)
            q = np.ldexp(inputs.reference[i], -k)
            if not keep.any():
                forecast[i] = np.nan
                notes.append(f"{issue}: no actor gives it any weight (capability x salience is 0 for all)")
                rows.append({"issue": issue, "disagreement": None, "reference": _plain(inputs.reference[i]),
                             "feasible_low": None, "feasible_high": None})
                continue
            if self.params.disagreement == "reference" and not np.isnan(q):
                # Each actor accepts only outcomes at least as close to it as the status quo.
                radius2 = (q - x) ** 2
                lo = max(np.max(np.minimum(q, 2 * x - q)), lo_s)
                hi = min(np.min(np.maximum(q, 2 * x - q)), hi_s)
                basis = "reference"
            else:
                radius2 = np.maximum(x - lo_s, hi_s - x) ** 2
                lo, hi, basis = lo_s, hi_s, "worst"
            if hi - lo <= 1e-12 * (hi_s - lo_s):
                forecast[i] = inputs.reference[i]
                notes.append(f"{issue}: actors stand on both sides of the reference point, so no outcome leaves "
                             "all of them better off: the Nash solution is deadlock at the reference point")
            else:
                forecast[i] = np.ldexp(_argmax(x, w, radius2, lo, hi), k)
            rows.append({"issue": issue, "disagreement": basis, "reference": _plain(inputs.reference[i]),
                         "feasible_low": float(np.ldexp(lo, k)), "feasible_high": float(np.ldexp(hi, k))})
        return Result.static(inputs, forecast, tables={"nash": rows}, notes=notes)

    exact_batch = True  # its batch is its single runs, bit for bit (accord.testing checks it)

    def solve_batch(self, base: Inputs, draws) -> np.ndarray:
        """The same solution for every sample at once: one bisection with a sample axis."""
        out = np.empty(draws.position.shape[::2])
        for i in range(len(base.issues)):
            k = _exponent(base.scale_min[i], base.scale_max[i])  # as in solve
            x = np.ldexp(draws.position[:, :, i], -k)
            w = relative_weight(draws.capability[:, :, i], draws.salience[:, :, i], ~np.isnan(x))
            keep = w > 0
            lo_s, hi_s = np.ldexp(base.scale_min[i], -k), np.ldexp(base.scale_max[i], -k)
            q = np.ldexp(draws.reference[:, i], -k)
            with_ref = (self.params.disagreement == "reference") & ~np.isnan(q)
            qq = np.where(with_ref, q, 0.0)[:, None]
            xs = np.where(keep, x, 0.0)
            radius2 = np.where(with_ref[:, None], (qq - xs) ** 2, np.maximum(xs - lo_s, hi_s - xs) ** 2)
            lo = np.where(with_ref, np.maximum(np.where(keep, np.minimum(qq, 2 * xs - qq), -np.inf).max(1), lo_s), lo_s)
            hi = np.where(with_ref, np.minimum(np.where(keep, np.maximum(qq, 2 * xs - qq), np.inf).min(1), hi_s), hi_s)
            deadlock = hi - lo <= 1e-12 * (hi_s - lo_s)
            out[:, i] = np.ldexp(np.where(~keep.any(1), np.nan, np.where(deadlock, q, _argmax_batch(xs, w, radius2, lo,
                                                                                                     hi))), k)
        return out


def _exponent(lo: float, hi: float) -> int:
    """The power of two near the larger end of a scale (dividing by it changes no digit)."""
    return int(np.frexp(max(abs(lo), abs(hi)))[1])


def _plain(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def _argmax_batch(x: np.ndarray, w: np.ndarray, radius2: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """:func:`_argmax` for many samples (rows); actors of weight 0 take no part."""
    lo, hi = lo.copy(), hi.copy()
    done = hi <= lo
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        done |= (mid == lo) | (mid == hi)
        if done.all():
            break
        z = mid[:, None]
        gain = radius2 - (z - x) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):  # at an end of the interval: +inf - inf, "not > 0"
            terms = np.where(gain > 0, -2 * w * (z - x) / gain, np.where(z > x, -np.inf, np.inf))
            slope = np.where(w > 0, terms, 0.0).sum(axis=1)
        up = ~done & (slope > 0)
        down = ~done & ~(slope > 0)
        lo = np.where(up, mid, lo)
        hi = np.where(down, mid, hi)
    return 0.5 * (lo + hi)


def _argmax(x: np.ndarray, w: np.ndarray, radius2: np.ndarray, lo: float, hi: float) -> float:
    """Root of d/dx sum_i w_i log(radius2_i - (x - x_i)^2) on (lo, hi), by bisection."""

    def slope(z: float) -> float:
        gain = radius2 - (z - x) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(gain > 0, -2 * w * (z - x) / gain, np.where(z > x, -np.inf, np.inf))
        return float(np.sum(terms))

    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if slope(mid) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
