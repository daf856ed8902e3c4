"""The election arithmetic of KTAB's SMP (:mod:`accord.models.smp`), shared by the one-sample game
and its batched form (:mod:`accord.models._smp_batch`): votes, victory probabilities, the
probabilistic Condorcet election, utilities; KTAB's constants.

Wise & al., KAPSARC Toolkit for Behavioral Analysis (KTAB, 2015-2017).
"""

from __future__ import annotations

import numpy as np

from ..errors import UsageError

COALITION_SEED = 1e-8  # KTAB's floor on a coalition's strength: equal options tie at 1/2
CHALLENGE_SEED = 1e-10
MIN_GAIN = 1e-5
SAME_POSITION = 1e-3  # KTAB's tolerance for one position (Euclidean, on [0, 1])


def vote(rule: str, w: np.ndarray, du: np.ndarray) -> np.ndarray:
    """A voter's vote between two options, from its weight and its utility advantage."""
    if rule == "Prop":
        return w * du
    sign = np.clip(du / 1e-8, -1.0, 1.0)
    if rule == "Binary":
        return w * sign
    if rule == "PropBin":
        return w * (0.8 * du + 0.2 * sign)
    if rule == "PropCbc":
        return w * (0.5 * du + 0.5 * du ** 3)
    if rule == "Cubic":
        return w * du ** 3
    return np.where(du > 0, (2.0 / 3.0) * w * du, w * du)  # ASymProsp: gains count two thirds


def victory(model: str, C: np.ndarray) -> np.ndarray:
    """P[..., a, b]: the probability that option a's coalition beats b's."""
    Ct = np.swapaxes(C, -1, -2)
    if model == "Binary":
        r = C / (C + Ct)
        xa = np.where(C >= 1.1 * Ct, 1.0, np.where(Ct >= 1.1 * C, 1e-6, (2.1 * r - 1) / 0.1))
        xb = np.where(C >= 1.1 * Ct, 1e-6, np.where(Ct >= 1.1 * C, 1.0, 1 - xa))
        P = xa / (xa + xb)
    else:
        k = {"Linear": 1, "Square": 2, "Quartic": 4, "Octic": 8}[model]
        P = C / (C + Ct) if k == 1 else C ** k / (C ** k + Ct ** k)
    m = C.shape[-1]
    P[..., np.arange(m), np.arange(m)] = 0.5
    return P


def pce(model: str, C: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Probabilities of the options (last axis) from their pairwise victory probabilities."""
    if model == "Conditional":
        logp = np.log(P).sum(axis=-1)  # p_a proportional to prod_b P[a, b]
        p = np.exp(logp - logp.max(axis=-1, keepdims=True))
        return p / p.sum(axis=-1, keepdims=True)
    if P.ndim > 2:
        return np.stack([pce(model, c, q) for c, q in zip(C.reshape(-1, *C.shape[-2:]), P.reshape(-1, *P.shape[-2:]))]
                        ).reshape(P.shape[:-1])
    m = len(P)
    if model == "MarkovUniform":
        Q, tol = None, 1e-6
    else:  # MarkovIncentive: challenges in proportion to the incentive C P
        N = C * P
        np.fill_diagonal(N, np.diag(N) + 1e-10)
        Q, tol = N / N.sum(axis=0, keepdims=True), 1e-8
    p = np.full(m, 1.0 / m)
    for _ in range(1000):
        if Q is None:
            q = (P * (p[:, None] + p[None, :])).sum(1) / m
        else:
            ct = p[:, None] * Q.T
            q = (P * (ct + ct.T)).sum(1)
        change = np.abs(q - p).max()
        p = 0.5 * (p + q)
        if change <= tol:
            return p
    raise UsageError(f"model smp: the {model} PCE did not converge in 1000 iterations")


def round4(x: np.ndarray) -> np.ndarray:
    return np.floor(0.5 + 10000.0 * x) / 10000.0


def utility(d: np.ndarray, R: np.ndarray) -> np.ndarray:
    return (1.0 - d) * (1.0 + d * R)
