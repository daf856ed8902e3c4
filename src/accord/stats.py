"""Weighted statistics over the last axis, vectorised, ignoring absent actors (NaN positions)."""

from __future__ import annotations

import numpy as np


def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """sum(w x) / sum(w) over the last axis; NaN entries of ``x`` carry no weight.

    NaN where the total weight is zero.
    """
    present = ~np.isnan(x)
    w = np.where(present, w, 0.0)
    total = sequential_sum(w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, sequential_sum(w * np.where(present, x, 0.0)) / total, np.nan)


def sequential_sum(x: np.ndarray) -> np.ndarray:
    """Sum over the last axis in actor order, as the textbook formula reads.

    numpy's ``sum`` adds in pairwise blocks, which can differ in the last bit; a running sum
    makes results identical to a plain loop in any language, and to published figures.
    """
    return np.cumsum(x, axis=-1)[..., -1] if x.shape[-1] else np.zeros(x.shape[:-1])


def weighted_median(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The lower weighted median over the last axis.

    The smallest position x_k such that the weight of positions at or below x_k is at least
    half the total weight: the position of the median voter when each actor casts its weight
    (capability x salience) for the nearer of two alternatives (Black 1948). NaN entries of
    ``x`` carry no weight; NaN where the total weight is zero. Cost O(n log n) per slice.
    """
    present = ~np.isnan(x)
    w = np.where(present, w, 0.0)
    order = np.argsort(np.where(present, x, np.inf), axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    total = cum[..., -1:]
    # A relative tolerance keeps rounding in the running sum from moving an exact tie.
    k = np.argmax(cum >= 0.5 * total * (1 - 1e-12), axis=-1)
    med = np.take_along_axis(xs, k[..., None], axis=-1)[..., 0]
    return np.where(total[..., 0] > 0, med, np.nan)
