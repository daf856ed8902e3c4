"""KTAB's SMP over many sampled scenarios at once (Monte Carlo; :meth:`accord.models.smp.SMP.solve_batch`).

The samples play their turns in lockstep: every array of :class:`accord.models.smp.Game` gains a
leading sample axis, and a sample that has stopped (KTAB's rule, one shared position, or the
turn limit) drops out of the later turns. Each number is computed by the same operations, in
the same order, as the one-sample game, so the forecasts are the same to the bit:

* element-wise arithmetic is the same arithmetic, whatever the shape;
* sums run over the same axis (last-axis sums row by row, voters in order), and where the
  one-sample game sums voters in chunks the batched form runs only where that chunk is one
  (``MAX_ACTORS``); the powers of scalar probabilities are taken one by one as there (an array
  square and the C ``pow`` of a scalar may differ in the last bit);
* what varies between samples in shape is grouped, not padded: the queues' PCEs by queue
  length (each (sample, actor) with its own options, in the one-sample order), and the final
  PCE over distinct positions sample by sample.

Cost per turn, for B samples of n actors on d dimensions: O(B n^3) for the challenges (the
third parties of every contest), O(B n^2 d) for distances and bargains, O(B n q^2 n) for the
queues' PCEs (q options); memory O(B n^3) floats.
"""

from __future__ import annotations

import math

import numpy as np

from ._smp_elections import (CHALLENGE_SEED, COALITION_SEED, MIN_GAIN, SAME_POSITION, pce, round4, utility, victory,
                             vote)

MAX_ACTORS = 22  # up to here every coalition of the one-sample game sums its voters in one chunk


def supported(opt: dict, A: np.ndarray | None, n: int) -> bool:
    """Whether the batched form reproduces the one-sample game for these options."""
    return (opt["StateTransitions"] == "Deterministic" and opt["BargnModel"] == "InitOnlyInterp"
            and opt["InterVecBrgn"] != "S2PMax" and A is None and 2 <= n <= MAX_ACTORS)


def coalitions(rule: str, w: np.ndarray, U: np.ndarray) -> np.ndarray:
    """:func:`accord.models.smp.coalitions` in one chunk, each batch row with its own voters' weights
    w (rows, voters): C[r, a, b] for U[r, voter, option]."""
    m = U.shape[-1]
    v = vote(rule, w[:, :, None, None], U[:, :, :, None] - U[:, :, None, :])
    pos = np.zeros(U.shape[:1] + (m, m))
    pos += np.maximum(v, 0.0).sum(-3)
    if rule == "ASymProsp":
        neg = np.zeros_like(pos)
        neg += np.maximum(-v, 0.0).sum(-3)
        pos = np.where(np.tri(m, k=-1, dtype=bool), pos, np.swapaxes(neg, -1, -2))
    pos[..., np.arange(m), np.arange(m)] = 0.0
    return pos + COALITION_SEED


def scalar_pce(opt: dict, w: np.ndarray, U: np.ndarray) -> np.ndarray:
    C = coalitions(opt["VotingRule"], w, U)
    return pce(opt["PCEModel"], C, victory(opt["VictoryProbModel"], C))


def power(p: np.ndarray, e: int) -> np.ndarray:
    """p ** e element by element as a scalar power (C ``pow``), as the one-sample game takes it."""
    if e == 1:
        return p.copy()
    return np.array([math.pow(q, e) for q in p.ravel().tolist()]).reshape(p.shape)


def voter_minor(U: np.ndarray) -> np.ndarray:
    """U (rows, voters, options) laid out as the one-sample game's gathers ``V[:, options]`` lie:
    voters innermost. numpy sums an axis by pairs where it lies contiguous, else in order, so
    the coalitions sum the voters alike only from alike layouts."""
    return np.ascontiguousarray(U.transpose(0, 2, 1)).transpose(0, 2, 1)


class Batch:
    """B SMP games in lockstep: positions X (B, n, d), saliences S (B, n, d), capabilities c (B, n)."""

    def __init__(self, X: np.ndarray, S: np.ndarray, c: np.ndarray, opt: dict) -> None:
        self.X, self.S, self.c, self.opt = X, S, c, opt
        self.s_total = S.sum(-1)
        self.W = c * self.s_total
        self.ideals = X.copy()

    def distances(self, b: np.ndarray, Y: np.ndarray, X: np.ndarray) -> np.ndarray:
        S = self.S[b]
        diff = S[:, :, None, :] * (Y[:, :, None, :] - X[:, None, :, :])
        return np.sqrt((diff ** 2).sum(-1) / (S ** 2).sum(-1)[:, :, None])

    def setup(self, b: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Game.setup for samples b: distances, risk attitudes (from the PCE over all positions), utilities."""
        d = self.distances(b, self.ideals[b], X)
        p = scalar_pce(self.opt, self.c[b], 1.0 - d)
        R = _big_r(self.opt["BigRRange"], p)
        return d, R, utility(d, R[:, :, None])

    def challenges(self, b: np.ndarray, d: np.ndarray, R: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Game.challenge_all for samples b (every initiator in one chunk, as there for n this small)."""
        opt, W, s = self.opt, self.W[b], self.s_total[b]
        n = R.shape[1]
        rows = np.arange(n)
        r = _estimated_r(opt["BigRAdjust"], R)
        u_ij = utility(d, r[:, rows, rows][:, :, None])
        u_ji = utility(d.swapaxes(1, 2), r)
        u_jj = utility(d[:, rows, rows][:, None, :], r)
        u_ii = u_ij[:, rows, rows][:, :, None]
        rule = opt["VotingRule"]
        ci = vote(rule, W[:, :, None], u_ii - u_ij)
        cj = vote(rule, W[:, None, :], u_ji - u_jj)
        Ci0 = CHALLENGE_SEED + np.maximum(ci, 0) + np.maximum(cj, 0)
        Cj0 = CHALLENGE_SEED + np.maximum(-ci, 0) + np.maximum(-cj, 0)
        if opt["ThirdPartyCommit"] == "SemiCommit":
            dt = np.ascontiguousarray(d.swapaxes(1, 2))
            E, F = 1.0 - dt, (1.0 - dt) * dt
            unj = F[:, None, :, :] * r[:, :, None, :]
            unj += E[:, None, :, :]  # (B, i, j, t): t's utility of j's position
            uni, unn = u_ji[:, :, None, :], u_jj[:, :, None, :]
            Wt = W[:, None, None, :]
            v0 = vote(rule, Wt, uni - unj)
            pin = np.maximum(v0, 0.0)
            pin += Ci0[..., None]
            pin /= pin + Cj0[..., None] + np.maximum(-v0, 0.0)
            g = np.subtract(unn, unj, out=unj)
            vn = pin * (g + (unn - uni))
            vn -= g
            vn = vote(rule, Wt, vn)
            vn[:, rows, :, rows] = 0.0
            vn[:, :, rows, rows] = 0.0
            Ci = Ci0 + np.maximum(vn, 0.0).sum(-1)
            Cj = Cj0 + np.maximum(-vn, 0.0).sum(-1)
        else:
            Ci, Cj = Ci0, Cj0
        P = Ci / (Ci + Cj)
        sj = s[:, None, :]
        gain = (1 - sj) * 2 * u_ii + sj * (P * 2 * u_ii + (1 - P) * 2 * u_ij) - (u_ii + u_ij)
        gain = np.where(np.eye(n, dtype=bool)[None], -np.inf, gain)
        ok = gain > MIN_GAIN
        best = np.argmax(np.where(ok, gain, -np.inf), axis=-1)
        targets = np.where(ok.any(-1), best, -1)
        pick = lambda a: np.take_along_axis(a, best[..., None], -1)[..., 0]  # noqa: E731
        return targets, pick(P), pick(gain)

    def turn(self, b: np.ndarray, X: np.ndarray, d: np.ndarray, R: np.ndarray, own: np.ndarray) -> np.ndarray:
        """Game.turn for samples b (without its records): challenges, bargains, queues, choices."""
        nb, n, _ = X.shape
        targets, p_win, _ = self.challenges(b, d, R)
        has = targets >= 0
        J = np.where(has, targets, 0)
        rows = np.arange(nb)[:, None]
        # bargains (Game._interpolate_all): one slot per initiator
        S = self.S[b]
        si, sj, xi, xj = S, S[rows, J], X, X[rows, J]
        e = 2 if self.opt["InterVecBrgn"] == "S2P2" else 1
        pe, qe = power(p_win, e)[..., None], power(1 - p_win, e)[..., None]
        wi, wj = si ** e * pe, sj ** e * qe
        total = wi + 1e-6 + wj
        b_i = round4(((wi + 1e-6) * xi + wj * xj) / total)
        b_j = round4((wi * xi + (wj + 1e-6) * xj) / total)
        # options' values: column 0 the status quo, column 1 + i initiator i's proposal
        base = own.sum(-1)
        points = np.stack([b_i, b_j], 2).reshape(nb, 2 * n, -1)
        u = utility(self.distances(b, self.ideals[b], points), R[:, :, None])
        V = np.empty((nb, n, 1 + n))
        V[:, :, 0] = base / n
        V[:, :, 1:] = (base[:, :, None] - own - np.take_along_axis(own, J[:, None, :].repeat(n, 1), 2)
                       + u[:, :, 0::2] + u[:, :, 1::2]) / n
        # queues: actor k holds the proposals it makes or receives, in initiator order
        k = np.arange(n)
        member = has[:, None, :] & ((k[None, :, None] == k[None, None, :]) | (targets[:, None, :] == k[None, :, None]))
        length = 1 + member.sum(-1)
        order = np.argsort(~member, axis=-1, kind="stable")  # members first, by initiator
        X_new = X.copy()
        for q in np.unique(length[length > 1]):
            sb, sk = np.nonzero(length == q)
            options = np.concatenate([np.zeros((sb.size, 1), dtype=int), 1 + order[sb, sk, :q - 1]], 1)
            U = voter_minor(V[sb[:, None, None], k[None, :, None], options[:, None, :]])
            probs = scalar_pce(self.opt, self.c[b][sb], U)
            chosen = options[np.arange(sb.size), np.argmax(probs, axis=-1)]
            go = chosen > 0
            sb, sk, i = sb[go], sk[go], chosen[go] - 1
            X_new[sb, sk] = np.where((sk == i)[:, None], b_i[sb, i], b_j[sb, i])
        return X_new

    def play(self, turns: int | None, max_turns: int, min_turns: int, stop_ratio: float
             ) -> tuple[np.ndarray, np.ndarray]:
        """Game.play for every sample; the final positions (B, n, d) and utilities (B, n, n)."""
        B = self.X.shape[0]
        X = self.X.copy()
        d, R, own = self.setup(np.arange(B), X)
        first = np.full(B, np.nan)
        active = np.ones(B, dtype=bool)
        limit = turns if turns is not None else max_turns
        for t in range(1, limit + 1):
            active &= np.ptp(X, axis=1).max(-1) != 0  # one shared position: the sample stops
            b = np.flatnonzero(active)
            if not b.size:
                break
            X_new = self.turn(b, X[b], d[b], R[b], own[b])
            moved = np.linalg.norm(X_new - X[b], axis=-1).sum(-1)
            first[b] = np.where(np.isnan(first[b]), moved, first[b])
            X[b] = X_new
            self.ideals[b] = X_new
            d[b], R[b], own[b] = self.setup(b, X_new)
            if turns is None and t >= min_turns:
                active[b[moved / (first[b] + 1e-4) < stop_ratio]] = False
        return X, own


def _estimated_r(adjust: str, R: np.ndarray) -> np.ndarray:
    """estimated_r(adjust, R, R) with a leading sample axis: r[b, h, i], the same arithmetic."""
    a = {"None": 0.0, "OneThird": 1 / 3, "Half": 0.5, "TwoThirds": 2 / 3, "Full": 1.0}[adjust]
    if a == 0.0:
        return np.broadcast_to(R[:, :, None], R.shape + R.shape[-1:])
    if a == 1.0:
        return np.broadcast_to(R[:, None, :], R.shape + R.shape[-1:])
    return (1 - a) * R[:, :, None] + a * R[:, None, :]


def _big_r(span: str, p: np.ndarray) -> np.ndarray:
    """big_r row by row (the last axis), the same arithmetic."""
    lo, hi = p.min(-1, keepdims=True), p.max(-1, keepdims=True)
    if span == "Mid":
        R = (3 * p - (hi + 2 * lo)) / (2 * (hi - lo))
    elif span == "Min":
        R = (p - lo) / (hi - lo)
    else:
        R = (2 * p - hi - lo) / (hi - lo)
    return np.where(hi == lo, 0.0, R)


def forecasts(c: np.ndarray, opt: dict, expected: bool, X: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Each sample's forecast on [0, 1] from its final positions X and utilities own, as SMP.solve
    computes it (Game._winning): representatives chosen greedily, in actor order, for all samples
    at once; then one PCE per pattern of representatives, over the samples that share it."""
    B, n, _ = X.shape
    close = np.linalg.norm(X[:, :, None, :] - X[:, None, :, :], axis=-1) < SAME_POSITION
    is_rep = np.zeros((B, n), dtype=bool)
    for i in range(n):  # each actor joins the first earlier representative near it
        is_rep[:, i] = ~(close[:, i, :i] & is_rep[:, :i]).any(-1)
    out = np.empty((B, X.shape[2]))
    patterns, which = np.unique(is_rep, axis=0, return_inverse=True)
    for pattern, rows in zip(patterns, (np.flatnonzero(which.ravel() == k) for k in range(len(patterns)))):
        reps = np.flatnonzero(pattern)
        p = scalar_pce(opt, c[rows], voter_minor(own[rows][:, :, reps]))
        near = close[rows][:, :, reps]
        last = near.shape[-1] - 1 - np.argmax(near[:, :, ::-1], axis=-1)
        probs = np.take_along_axis(p, last, -1)  # each actor's probability: its representative's
        for row, pr in zip(rows, probs):  # sample by sample: numpy sums an (r, 1) column by pairs
            final = X[row]
            out[row] = (pr[reps, None] * final[reps]).sum(0) / pr[reps].sum() if expected else \
                final[int(np.argmax(pr))]
    return out
