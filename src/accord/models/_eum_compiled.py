"""The expected utility model's round, compiled (numba, the optional extra "fast").

The same stages as :func:`accord.models.eum.risk_exponents` and
:func:`accord.models.eum.offer_stage`, in one pass each over the pairs instead of a dozen numpy
passes, with the same arithmetic in the same order, so that every number is the array code's to
the last bit. Three things make that hold:

* the powers ``u^r`` are numpy's: ``np.power`` of the same bases to the same exponents, handed
  to the kernels, since numpy's ``pow`` (vectorised) and the C library's (which compiled code
  calls) differ in the last bit for a few per cent of arguments. A single run shapes them as
  the array code does (bases [voter, position], exponents [voter, 1]); a Monte Carlo batch
  spells the exponents out in full, so that numpy runs one long loop (numpy's power is the
  same elementwise whatever the layout, which the tests hold it to);
* an exponent of 1 takes no power, in every path alike (u^1 is u: the risk stage's, whose
  exponents are all 1, and the single run's);
* the kernels work on the actors sorted by position (:class:`accord.models.eum.Pairs`' order),
  which leaves every elementwise value unchanged; whatever is summed or chosen in the actors'
  order (the dangers, the argmin of the offer rules, the offers table) is visited in that order;
* no sum is reassociated: the prefix sums run voter by voter as ``np.cumsum`` does, the dangers
  actor by actor as :func:`accord.stats.sequential_sum`; the one pairwise numpy sum (the
  all-pairs denominator) is left to numpy.

The midpoints' cut points (the binary search of :class:`~accord.models.eum.Pairs`) come from a
sweep: for a fixed position the midpoints with the others grow with them, so each row costs O(n)
and a round O(n^2) instead of O(n^2 log n). A run keeps nine n x n arrays (72 MB at 1,000 actors).
"""

from __future__ import annotations

import sys

import numpy as np

from ._jit import PLANNED, Lazy

#: Compiled code is faster at every size (Korea, 6 actors: a run 5.5 -> 2.8 ms, a batch of 60
#: samples 11 -> 3.8 ms), but loading numba costs about 0.4-0.7 s once per process. So once it is
#: loaded, everything runs compiled; a process that has not loaded it loads it only for work that
#: repays it: a run of COMPILED_FROM actors or more, a Monte Carlo of LOAD_FROM samples x actors^2.
COMPILED_FROM = 48
LOAD_FROM = 200_000  # Korea: 5,556 samples (the whole command breaks even at about 5,000)
#: The quadrants of SCS §3.4 by the kernels' numbers (0: no demand).
QUADRANTS = np.array(["none", "conflict", "compromise", "capitulation"])
TILE = 32  # pairs a tile of P and its transpose
FEW = 16  # actors up to which the cut points are counted rather than swept


# -- kernels (plain Python that numba compiles; run uncompiled only in tests) --------------------------


def _k_geometry(xs, d, D, Zm, Zp):  # pragma: no cover - compiled
    """D[a, b] = |xs_a - xs_b| / d (:attr:`Pairs.delta`, sorted), and the bases 0.5 -+ 0.5 D of
    U_s and U_f (SCS eqs. 3-4)."""
    n = xs.shape[0]
    for a in range(n):
        for b in range(n):
            delta = abs(xs[a] - xs[b]) / d
            z = 0.5 * delta
            D[a, b] = delta
            Zm[a, b] = 0.5 - z
            Zp[a, b] = 0.5 + z


def _k_numerators(pw, w_o, xs, C, num):  # pragma: no cover - compiled
    """num[a, b]: :func:`~accord.models.eum.prevail_numerators` of sorted positions a, b, from the
    powers pw[k, b] = (|x_k - x_b|/d)^r_k of the sorted voters k; C holds the prefix sums."""
    n = xs.shape[0]
    for b in range(n):
        C[0, b] = 0.0
        C[1, b] = w_o[0] * pw[0, b]
    for k in range(1, n):
        wk = w_o[k]
        for b in range(n):
            C[k + 1, b] = C[k, b] + wk * pw[k, b]
    for a in range(n):
        num[a, a] = (C[0, a] - C[0, a]) - (C[0, a] - C[0, a])
        h = 0  # a's supporters against b > a: the voters strictly left of the midpoint, [0, h)
        for b in range(a + 1, n):
            if xs[a] == xs[b]:
                v = (C[0, b] - C[0, b]) - (C[0, a] - C[0, a])
            else:
                mid = 0.5 * (xs[a] + xs[b])
                if n <= FEW:
                    h = _k_count(xs, mid, False)
                while h < n and xs[h] < mid:
                    h += 1
                v = (C[h, b] - C[0, b]) - (C[h, a] - C[0, a])
            num[a, b] = v if (v > 0.0) | (v != v) else 0.0  # np.maximum(v, 0.0): NaN kept, -0.0 to 0.0
        lo = n  # a's supporters against b < a: the voters strictly right of the midpoint, [lo, n)
        for b in range(a - 1, -1, -1):
            if xs[a] == xs[b]:
                v = (C[n, b] - C[n, b]) - (C[n, a] - C[n, a])
            else:
                mid = 0.5 * (xs[b] + xs[a])
                if n <= FEW:
                    lo = _k_count(xs, mid, True)
                while lo > 0 and xs[lo - 1] > mid:
                    lo -= 1
                v = (C[n, b] - C[lo, b]) - (C[n, a] - C[lo, a])
            num[a, b] = v if (v > 0.0) | (v != v) else 0.0  # np.maximum(v, 0.0): NaN kept, -0.0 to 0.0


def _k_count(xs, mid, at):  # pragma: no cover - compiled
    """The number of positions below mid (at or below, with ``at``): for a few actors, counting
    without branches is cheaper than the sweep's mispredicted ones."""
    count = 0
    for k in range(xs.shape[0]):
        count += (xs[k] <= mid) if at else (xs[k] < mid)
    return count


def _k_prevail(num, xs, a, b, total):  # pragma: no cover - compiled
    """P[a, b] (:func:`~accord.models.eum.prevail`): the pair's own denominator where ``total`` < 0,
    else the all-pairs one."""
    if total < 0.0:
        if xs[a] == xs[b]:
            return 0.0
        den = num[a, b] + num[b, a]
        return num[a, b] / den if den > 0.0 else 0.5
    return num[a, b] / total if total > 0.0 else 0.0


def _k_probabilities(num, xs, total, P, PT):  # pragma: no cover - compiled
    """P[a, b] and its transpose PT, in tiles so that num[b, a] is read from cache."""
    n = xs.shape[0]
    tile = TILE
    for a0 in range(0, n, tile):
        for b0 in range(0, n, tile):
            for a in range(a0, min(a0 + tile, n)):
                for b in range(b0, min(b0 + tile, n)):
                    p = _k_prevail(num, xs, a, b, total)
                    P[a, b] = p
                    PT[b, a] = p


def _k_danger(P, PT, xs, s_o, inv, d, q, incoming, row, acc, out):  # pragma: no cover - compiled
    """Each actor's danger (actors' order) from E(U_ij) at r = 1 (:func:`~accord.models.eum.risk_exponents`):
    incoming sums the challenges an actor faces, outgoing those it makes, in the actors' order."""
    n = xs.shape[0]
    quiet = q * 0.0  # q U_sq at r = 1
    for i in range(n):
        a = inv[i]
        for b in range(n):
            if a == b:
                e = 0.0
            else:
                p = P[a, b]
                z = 0.5 * (abs(xs[a] - xs[b]) / d)
                u_s = 2.0 - 4.0 * (0.5 - z)
                u_f = 2.0 - 4.0 * (0.5 + z)
                e = s_o[b] * (p * u_s + (1.0 - p) * u_f) + (1.0 - s_o[b]) * u_s - quiet
            if incoming:
                acc[b] = e if i == 0 else acc[b] + e
            else:
                row[b] = e
        if not incoming:
            total = row[inv[0]]
            for j in range(1, n):
                total += row[inv[j]]
            out[i] = total
    if incoming:
        for j in range(n):
            out[j] = acc[inv[j]]


def _k_utility(xs, a, b, d, powered, PS, PF):  # pragma: no cover - compiled
    """(U_s, U_f) of actor a on the pair (a, b) (:func:`~accord.models.eum._utilities`)."""
    if powered:
        return 2.0 - 4.0 * PS[a, b], 2.0 - 4.0 * PF[a, b]
    z = 0.5 * (abs(xs[a] - xs[b]) / d)
    return 2.0 - 4.0 * (0.5 - z), 2.0 - 4.0 * (0.5 + z)


def _k_offers(P, PT, xs, s_o, inv, d, q, powered, PS, PF, usq_o, challenger, capitulate, smallest,
              row_e1, row_e2, row_offer, row_kind, new, picked, picked_e1, picked_e2, picked_kind,
              record, all_e1, all_e2, all_offer, all_kind):  # pragma: no cover - compiled
    """Each actor's reading of every other's demand and the offer it accepts
    (:func:`~accord.models.eum.offer_stage` and its ``_choose``), receivers and proposers in the
    actors' order: ``new`` positions, the ``picked`` proposer (-1: none) with its e1, e2 and
    quadrant; with ``record``, the n x n table of every demand. The row buffers are indexed by
    sorted position."""
    n = xs.shape[0]
    for i in range(n):
        a = inv[i]
        xi = xs[a]
        quiet = q * usq_o[a]
        best = np.inf  # the smallest move asked
        for b in range(n):
            xj = xs[b]
            p_ab, p_ba = P[a, b], PT[a, b]
            u_s, u_f = _k_utility(xs, a, b, d, powered, PS, PF)
            e1 = s_o[b] * (p_ab * u_s + (1.0 - p_ab) * u_f) + (1.0 - s_o[b]) * u_s - quiet
            if challenger:  # j values its own challenge with its own exponent
                v_s, v_f = _k_utility(xs, b, a, d, powered, PS, PF)
                e2 = s_o[a] * (p_ba * v_s + (1.0 - p_ba) * v_f) + (1.0 - s_o[a]) * v_s - q * usq_o[b]
            else:
                e2 = s_o[a] * (p_ba * u_s + (1.0 - p_ba) * u_f) + (1.0 - s_o[a]) * u_s - quiet
            # the quadrants (without branches: which one holds is the data's coin toss)
            differ = xi != xj
            conflict = differ & (e2 > e1) & (e1 > 0)
            mixed = differ & ~conflict & (e2 > 0) & (0 > e1)
            compromise = mixed & (e2 > abs(e1))
            capitulation = mixed & (e2 < abs(e1)) & capitulate
            split = xi + (xj - xi) * abs(e1 / e2)
            offer = split if compromise else xj
            kind = conflict * 1 + compromise * 2 + capitulation * 3
            row_offer[b], row_e1[b], row_e2[b], row_kind[b] = offer, e1, e2, kind
            best = min(best, abs(offer - xi) if kind > 0 else np.inf)
        if record:
            for j in range(n):
                b = inv[j]
                all_e1[i, j], all_e2[i, j], all_offer[i, j], all_kind[i, j] = row_e1[b], row_e2[b], row_offer[b], \
                    row_kind[b]
        if smallest:
            c = _k_smallest_move(xi, best + 1e-9 * d, inv, row_e2, row_offer, row_kind) if best < np.inf else -1
        else:
            c = _k_scholz_choice(xi, xs, inv, row_e1, row_e2, row_offer, row_kind)
        picked[i] = c
        new[i] = row_offer[inv[c]] if c >= 0 else xi
        if c >= 0:
            b = inv[c]
            picked_e1[i], picked_e2[i], picked_kind[i] = row_e1[b], row_e2[b], row_kind[b]


def _k_smallest_move(xi, bound, inv, row_e2, row_offer, row_kind):  # pragma: no cover - compiled
    """``smallest-move``: among the offers asking a move of at most ``bound`` (the smallest, plus
    1e-9 d), the larger e2, then the lower position, then the first actor."""
    c, threat, low = -1, -np.inf, np.inf
    for j in range(row_offer.shape[0]):
        b = inv[j]
        tied = (row_kind[b] > 0) & (abs(row_offer[b] - xi) <= bound)
        better = tied & ((c < 0) | (row_e2[b] > threat) | ((row_e2[b] == threat) & (row_offer[b] < low)))
        c = j if better else c
        threat = row_e2[b] if better else threat
        low = row_offer[b] if better else low
    return c


def _k_scholz_choice(xi, xs, inv, row_e1, row_e2, row_offer, row_kind):  # pragma: no cover - compiled
    """``scholz-code``: the nearest conflict, else the compromise of lowest key
    (|e1| x_i + |e2| x_j)/(|e1| + |e2|), else the nearest capitulation; the first actor on ties."""
    n = row_offer.shape[0]
    for kind in (1, 2, 3):
        c, low = -1, np.inf
        for j in range(n):
            b = inv[j]
            if row_kind[b] == kind:
                if kind == 2:
                    a1, a2 = abs(row_e1[b]), abs(row_e2[b])
                    cost = (a1 * xi + a2 * xs[b]) / (a1 + a2)
                else:
                    cost = abs(row_offer[b] - xi)
                if cost < low:
                    c, low = j, cost
        if c >= 0:
            return c
    return -1


def _k_exponents(danger, r):  # pragma: no cover - compiled
    """r from the dangers (SCS eqs. 9-10), as :func:`~accord.models.eum.risk_exponents` computes it."""
    hi, lo = danger.max(), danger.min()
    for k in range(danger.shape[0]):
        if hi == lo:
            r[k] = 1.0
        else:
            R = ((2.0 * danger[k] - hi) - lo) / (hi - lo)
            r[k] = (1.0 - R / 3.0) / (1.0 + R / 3.0)


def _k_prepare_batch(x, d, w, s, order, inv, xs, w_o, s_o, D, Z):  # pragma: no cover - compiled
    """Each sample's positions sorted (stably, as ``np.argsort(kind="stable")``) and, per sorted
    actor a, the bases of its powers: D[a, b] = |x_a - x_b|/d and Z[a] = [0.5 - z | 0.5 + z]."""
    n_s, n = x.shape
    for t in range(n_s):
        o = order[t]
        for k in range(n):
            o[k] = k
        for k in range(1, n):
            v, m = o[k], k
            while m > 0 and x[t, o[m - 1]] > x[t, v]:
                o[m] = o[m - 1]
                m -= 1
            o[m] = v
        for k in range(n):
            inv[t, o[k]] = k
            xs[t, k], w_o[t, k], s_o[t, k] = x[t, o[k]], w[t, o[k]], s[t, o[k]]
        for a in range(n):
            for b in range(n):
                delta = abs(xs[t, a] - xs[t, b]) / d[t]
                z = 0.5 * delta
                D[t, a, b], Z[t, a, b], Z[t, a, n + b] = delta, 0.5 - z, 0.5 + z


def _k_risk_batch(pw, w_o, xs, inv, s_o, d, r, r_o):  # pragma: no cover - compiled
    """r of each sample, in the actors' and the sorted order (the paper's choices: pair
    denominator, incoming danger, q = 1); pw: the powers at r = 1."""
    n_s, n = xs.shape
    C, num, P, PT = np.empty((n + 1, n)), np.empty((n, n)), np.empty((n, n)), np.empty((n, n))
    row, acc, danger = np.empty(n), np.empty(n), np.empty(n)
    for t in range(n_s):
        _k_numerators(pw[t], w_o[t], xs[t], C, num)
        _k_probabilities(num, xs[t], -1.0, P, PT)
        _k_danger(P, PT, xs[t], s_o[t], inv[t], d[t], 1.0, True, row, acc, danger)
        _k_exponents(danger, r[t])
        for k in range(n):
            r_o[t, inv[t, k]] = r[t, k]


def _k_offers_batch(pw, Z, half, r_o, w_o, xs, inv, s_o, d, new):  # pragma: no cover - compiled
    """The new positions of each sample (the paper's choices: perceiver's r, smallest move);
    pw and Z: the bases of :func:`_k_prepare_batch` to the sorted actors' r_o, half: 0.5^r_o."""
    n_s, n = xs.shape
    C, num, P, PT = np.empty((n + 1, n)), np.empty((n, n)), np.empty((n, n)), np.empty((n, n))
    row_e1, row_e2, row_offer = np.empty(n), np.empty(n), np.empty(n)
    row_kind, picked_kind = np.empty(n, np.int8), np.empty(n, np.int8)
    picked, picked_e1, picked_e2 = np.empty(n, np.intp), np.empty(n), np.empty(n)
    none, none_kind = np.empty((1, 1)), np.empty((1, 1), np.int8)
    usq_o = np.empty(n)
    for t in range(n_s):
        PS, PF = Z[t, :, :n], Z[t, :, n:]
        powered = False
        for k in range(n):
            powered = powered or r_o[t, k] != 1.0
        for k in range(n):
            usq_o[k] = 2.0 - 4.0 * half[t, k] if powered else 0.0
        _k_numerators(pw[t], w_o[t], xs[t], C, num)
        _k_probabilities(num, xs[t], -1.0, P, PT)
        _k_offers(P, PT, xs[t], s_o[t], inv[t], d[t], 1.0, powered, PS, PF, usq_o, False, True,
                  True, row_e1, row_e2, row_offer, row_kind, new[t], picked, picked_e1, picked_e2,
                  picked_kind, False, none, none, none, none_kind)


def _k_stopped_batch(new, before, earlier, idx, tol, settle, stop):  # pragma: no cover - compiled
    """:func:`accord.models.eum._stopping`'s tests of each sample (rows of ``new``, samples ``idx`` of
    the states ``earlier``): moved at most tol, settled within settle, or back to an earlier state."""
    n_s, n = new.shape
    for t in range(n_s):
        moved, hi, lo = 0.0, -np.inf, np.inf
        for j in range(n):
            moved = max(moved, abs(new[t, j] - before[t, j]))
            hi, lo = max(hi, new[t, j]), min(lo, new[t, j])
        done = (moved <= tol[t]) | (hi - lo <= settle[t])
        for e in range(earlier.shape[0]):
            apart = 0.0
            for j in range(n):
                apart = max(apart, abs(new[t, j] - earlier[e, idx[t], j]))
            done |= apart <= tol[t]
        stop[t] = done


HELPERS = ("_k_geometry", "_k_numerators", "_k_count", "_k_prevail", "_k_probabilities", "_k_danger", "_k_utility",
           "_k_offers", "_k_smallest_move", "_k_scholz_choice", "_k_exponents")
KERNELS = {name: Lazy(fn, helpers=HELPERS, inline=("_k_count", "_k_prevail", "_k_utility"), error_model="numpy")
           for name, fn in (("geometry", _k_geometry), ("numerators", _k_numerators),
                            ("probabilities", _k_probabilities), ("danger", _k_danger), ("offers", _k_offers),
                            ("prepare_batch", _k_prepare_batch), ("risk_batch", _k_risk_batch),
                            ("offers_batch", _k_offers_batch), ("stopped_batch", _k_stopped_batch))}


def compiled(name: str):
    """The compiled kernel (numba, the optional extra "fast"), or None: the array code runs."""
    return KERNELS[name].get()


def supports(opt: dict) -> bool:
    """Whether the compiled round computes these choices: all but the (1 - Q) terms of eq. 8 (q < 1
    with ``status_quo_terms=full``), which stay with the array code."""
    return not (opt["status_quo_terms"] == "full" and opt["q"] < 1)


# -- one issue's rounds ------------------------------------------------------------------------------


class Stages:
    """The compiled stages of one issue's rounds for n actors of weights w and saliences s, with
    the buffers they reuse from round to round."""

    def __init__(self, w: np.ndarray, s: np.ndarray, opt: dict) -> None:
        n = len(w)
        self.w, self.s, self.opt, self.n = w, s, opt, n
        self.D, self.Zm, self.Zp, self.pw, self.PS, self.PF, self.num = (np.empty((n, n)) for _ in range(7))
        self.C = np.empty((n + 1, n))
        self.P, self.PT = self.pw, np.empty((n, n))  # P in place of the powers, which it no longer needs
        self.k = {name: compiled(name) for name in ("geometry", "numerators", "probabilities", "danger", "offers")}

    def pairs(self, x: np.ndarray, d: float) -> Stages:
        """Sort the positions x and lay out the geometry of their pairs (:class:`~accord.models.eum.Pairs`)."""
        self.x, self.d = x, d
        self.order = np.argsort(x, kind="stable")
        self.xs, self.inv = x[self.order], np.argsort(self.order)
        self.w_o, self.s_o = self.w[self.order], self.s[self.order]
        self.k["geometry"](self.xs, d, self.D, self.Zm, self.Zp)
        return self

    def _prevail(self, rho: np.ndarray) -> None:
        """Fill P and its transpose for exponents rho (:func:`~accord.models.eum.prevail`); the
        all-pairs denominator is numpy's sum in the actors' order, as there."""
        pw = self.D  # u^1 is u: powers only for exponents other than 1
        if not np.all(rho == 1.0):
            pw = np.power(self.D, rho[self.order][:, None], out=self.pw)
        self.k["numerators"](pw, self.w_o, self.xs, self.C, self.num)
        total = -1.0  # each pair's own denominator
        if self.opt["p_denominator"] == "all-pairs":
            total = float(2.0 * self.num[np.ix_(self.inv, self.inv)].sum())
        self.k["probabilities"](self.num, self.xs, total, self.P, self.PT)

    def danger(self) -> np.ndarray:
        """:func:`~accord.models.eum.risk_exponents`' dangers (every r = 1)."""
        self._prevail(np.ones(self.n))
        danger, row, acc = np.empty(self.n), np.empty(self.n), np.empty(self.n)
        self.k["danger"](self.P, self.PT, self.xs, self.s_o, self.inv, self.d, float(self.opt["q"]),
                         self.opt["danger"] == "incoming", row, acc, danger)
        return danger

    def offers(self, rho: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
        """:func:`~accord.models.eum.offer_stage`: the new positions and the offers table."""
        n, opt = self.n, self.opt
        self._prevail(rho)
        powered = not np.all(rho == 1.0)
        usq_o = np.zeros(n)
        if powered:  # U_s, U_f and U_sq with numpy's powers (eqs. 3-7)
            r = rho[self.order][:, None]
            np.power(self.Zm, r, out=self.PS)
            np.power(self.Zp, r, out=self.PF)
            usq_o = (2.0 - 4.0 * 0.5 ** rho)[self.order]
        record = opt["offers"] == "all"
        size = (n, n) if record else (1, 1)
        all_e1, all_e2, all_offer, all_kind = np.empty(size), np.empty(size), np.empty(size), np.zeros(size, np.int8)
        rows = [np.empty(n) for _ in range(3)] + [np.empty(n, np.int8)]
        new, picked = np.empty(n), np.empty(n, np.intp)
        picked_e1, picked_e2, picked_kind = np.empty(n), np.empty(n), np.zeros(n, np.int8)
        self.k["offers"](self.P, self.PT, self.xs, self.s_o, self.inv, self.d, float(opt["q"]), powered, self.PS,
                         self.PF, usq_o, opt["utility_r"] == "challenger", opt["capitulation"] == "paper",
                         opt["offer_rule"] == "smallest-move", *rows, new, picked, picked_e1, picked_e2, picked_kind,
                         record, all_e1, all_e2, all_offer, all_kind)
        if opt["offers"] == "none":
            return new, None
        if record:
            receiver, proposer = np.nonzero(all_kind)
            at = (receiver, proposer)
            return new, {"receiver": receiver, "proposer": proposer, "quadrant": QUADRANTS[all_kind[at]],
                         "e_own": all_e1[at], "e_other": all_e2[at], "proposed_position": all_offer[at],
                         "accepted": picked[receiver] == proposer}
        receiver = np.flatnonzero(picked >= 0)
        return new, {"receiver": receiver, "proposer": picked[receiver], "quadrant": QUADRANTS[picked_kind[receiver]],
                     "e_own": picked_e1[receiver], "e_other": picked_e2[receiver],
                     "proposed_position": new[receiver], "accepted": np.ones(len(receiver), dtype=bool)}


def stages(w: np.ndarray, s: np.ndarray, opt: dict) -> Stages | None:
    """The compiled stages for this issue, or None: too few actors to gain, choices the kernels do
    not compute, or no numba (then the array code runs, with the same numbers)."""
    if not supports(opt) or (len(w) < COMPILED_FROM and not numba_loaded()) or compiled("offers") is None:
        return None
    return Stages(w, s, opt)


# -- many samples at once (EUM.solve_batch) ----------------------------------------------------------


def batch_round(x: np.ndarray, w: np.ndarray, s: np.ndarray, d: np.ndarray) -> np.ndarray:
    """One round of each sample (rows), the paper's choices: the new positions. The powers are
    numpy's, elementwise those of :func:`accord.models.eum._prevail_batch` and
    :func:`accord.models.eum._expected_batch`, taken in two calls over every sample."""
    n_s, n = x.shape
    order, inv = np.empty((n_s, n), np.intp), np.empty((n_s, n), np.intp)
    xs, w_o, s_o, r, r_o = (np.empty((n_s, n)) for _ in range(5))
    D, Z = np.empty((n_s, n, n)), np.empty((n_s, n, 2 * n))
    compiled("prepare_batch")(x, d, w, s, order, inv, xs, w_o, s_o, D, Z)
    # exponents spelt out in full (not broadcast), so that numpy runs one long loop
    compiled("risk_batch")(D, w_o, xs, inv, s_o, d, r, r_o)  # every r = 1, and u^1 is u
    np.power(D, np.repeat(r_o, n, axis=1).reshape(n_s, n, n), out=D)
    np.power(Z, np.repeat(r_o, 2 * n, axis=1).reshape(n_s, n, 2 * n), out=Z)
    new = np.empty((n_s, n))
    compiled("offers_batch")(D, Z, 0.5 ** r_o, r_o, w_o, xs, inv, s_o, d, new)
    return new


def stopped_batch(new: np.ndarray, before: np.ndarray, earlier: np.ndarray, idx: np.ndarray, tol: np.ndarray,
                  settle: np.ndarray) -> np.ndarray:
    """Which samples stop after this round (:func:`_k_stopped_batch`)."""
    stop = np.empty(len(new), dtype=bool)
    compiled("stopped_batch")(new, before, earlier, idx, tol, settle, stop)
    return stop


def numba_loaded() -> bool:
    """Whether this process has loaded numba already (a long-lived server, an earlier large run)."""
    return "numba" in sys.modules


def batched(n_samples: int, n: int) -> bool:
    """Whether a batch runs compiled: numba installed, and loaded already or repaid by the whole
    Monte Carlo the batch belongs to (:data:`PLANNED`), not only by this batch."""
    if not numba_loaded() and max(n_samples, PLANNED.get() or 0) * n * n < LOAD_FROM:
        return False
    return compiled("offers_batch") is not None
