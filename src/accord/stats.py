"""Weighted statistics over the last axis, vectorised, ignoring absent actors (NaN positions)."""

from __future__ import annotations

import numpy as np


def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """sum(w x) / sum(w) over the last axis; NaN entries of ``x`` carry no weight.

    NaN where the total weight is zero. Weights and positions are divided by powers of two
    near their largest before the products: exact, so the result is the same to the last bit,
    while no product or sum overflows (positions near 1e308, capabilities of 1e308).
    """
    present = ~np.isnan(x)
    w = np.where(present, w, 0.0)
    x = np.where(present, x, 0.0)
    ew, ex = binary_exponent(w), binary_exponent(x)
    w, x = np.ldexp(w, -ew), np.ldexp(x, -ex)
    total = sequential_sum(w)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.ldexp(sequential_sum(w * x) / total, ex[..., 0])
    return np.where(total > 0, mean, np.nan)


def binary_exponent(x: np.ndarray) -> np.ndarray:
    """Per slice of the last axis (kept, of length 1), the exponent e for which the largest
    magnitude over 2**e lies in [0.5, 1); 0 for a slice of zeros. Dividing by 2**e changes no
    digit of a floating-point number, only its exponent."""
    top = np.max(np.abs(x), axis=-1, keepdims=True, initial=0.0)
    return np.frexp(np.where(np.isfinite(top), top, 0.0))[1]


def relative_weight(capability: np.ndarray, salience: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Capability x salience where ``present`` (else 0), with the capabilities first divided by
    the power of two nearest above the largest of them.

    Capabilities are relative (the models that use this read only ratios of weights), and
    dividing by a power of two is exact, so every weighted statistic is unchanged to the last
    bit; but the products stay within floating point for capabilities of 1e308 or of 1e-200
    with small saliences.
    """
    c = np.where(present, capability, 0.0)
    top = np.max(np.abs(c), initial=0.0, where=~np.isnan(c))
    e = np.frexp(top if np.isfinite(top) else 0.0)[1]
    return np.where(present, np.ldexp(c, -e) * salience, 0.0)


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
    w = np.ldexp(w, -binary_exponent(w))  # exact: the running sum cannot overflow
    order = np.argsort(np.where(present, x, np.inf), axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    total = cum[..., -1:]
    # A relative tolerance keeps rounding in the running sum from moving an exact tie.
    k = np.argmax(cum >= 0.5 * total * (1 - 1e-12), axis=-1)
    med = np.take_along_axis(xs, k[..., None], axis=-1)[..., 0]
    return np.where(total[..., 0] > 0, med, np.nan)


#: The quantiles a Monte Carlo forecast is summarised by, named as the JSON contract names them.
QUANTILES = {"q05": 0.05, "q10": 0.10, "q25": 0.25, "median": 0.5, "q75": 0.75, "q90": 0.90, "q95": 0.95}


def summarise(forecasts: np.ndarray) -> dict[str, np.ndarray]:
    """Quantiles per issue (q05 ... q95, median) of forecasts (samples, issues), ignoring NaN.

    >>> q = summarise(np.array([[0.0], [10.0], [20.0], [np.nan]]))
    >>> float(q["median"][0]), float(q["q25"][0])
    (10.0, 5.0)
    """
    return {name: np.nanquantile(forecasts, q, axis=0) for name, q in QUANTILES.items()}


def fmt(x: float) -> str:
    """A number as accord's texts write it: four significant digits, whole numbers from 1000.

    >>> fmt(2 / 3), fmt(12345.6), fmt(-0.5)
    ('0.6667', '12346', '-0.5')
    """
    return f"{x:.4g}" if abs(x) < 1000 else f"{x:.0f}"
