"""Stokman's exchange model: actors trade voting positions across issues they weigh unequally.

Stokman & Van Oosten (1994), "The exchange of voting positions: an object-oriented model of
policy networks", in Bueno de Mesquita & Stokman (eds), *European Community Decision Making*;
the equal-gain variant as the decide-exchange-model implements it, and its randomised
variant REX (Dijkstra, Van Assen, Stokman & Draaijer 2018).

Positions are rescaled to 0..100 per issue; w_ak = s_ak c_ak; the outcome of issue k is the
weighted mean ``O_k = sum_a w_ak x_ak / sum_a w_ak`` of the actors present. One round:

1. **Candidates.** For every pair of issues (p, q), actors present on both split into four
   groups by their side of the outcome on each (at or left, or right). Actors in opposite
   corners (left-left with right-right, left-right with right-left) can trade: each gives
   ground on the issue that is relatively less salient to it (the salience ratio s_p/s_q
   decides which) toward its partner's position there, and gains on the other.
2. **Equal gain.** A move m by supplier S shifts the outcome by ``r = m w_S / D_k``; the
   demander of an issue gains r times its salience there, the supplier loses r times its own.
   J moves all the way to I's position; I's move follows from equal gain; if I would overshoot,
   I moves all the way and J's move follows instead. The gain is
   ``G = r_J (delta_I delta_J - sigma_I sigma_J) / (sigma_I + delta_J)``.
3. **Caps.** A move must stay inside 0..100, not reverse an earlier move of that actor on that
   issue within the round, and must not carry the outcome past the demander's own position:
   if it would, it is cut so the outcome lands exactly there, and the partner's move is
   recomputed for equal gain. As in decide, each candidate judges the outcome from the
   round-start positions plus the moves of its demanders' partners (first recorded position
   of each); exchanges with a gain below 1e-10 or a move below 1e-10 are dropped.
4. **Execution.** The exchange of highest gain is carried out; every remaining candidate that
   shares an actor-issue in the same role (supplier or demander) is recomputed from the new
   positions, and dropped if no longer valid; repeat until none remain. An actor may take part
   in many exchanges. Equal gains (to 12 significant digits) are broken by the seeded
   generator (``ties=random``: a coin decides between the first two) or by creation order
   (``ties=order``).
5. **End of round.** The actors' voting positions y give the voting outcome; preferences move
   toward them: ``x' = x + (fixed_weight + salience_weight (1 - s)) (y - x)``.

The forecast of an issue is the outcome of the preferences after the last round. REX (``p``
in (0, 1]): for each (re)computed candidate one side's target gain is drawn between its equal
gain and its best attainable gain (it "wins", probability 1/2) or below the equal gain (it
"loses"): ``G + p z (G_max - G)`` or ``G (1 - p z)`` with z ~ U(0, 1); the partner's move
follows. Unlike decide, a move that would carry the outcome past the demander's position is
cut at it in REX too (decide moves the full distance there, once away from the target).

Arithmetic (``preset``). ``float`` (default): binary floating point, with a tolerance of 1e-9
where decide compares exactly, vectorised over candidates. decide computes in 28-digit
decimals, and at one boundary its digits decide what happens: once an exchange has cut its
move so that an outcome lands on the demander's position, a later candidate finds that
outcome on the position up to a residual of about 1e-26, and decide cuts it to a zero move
(dropping it) or lets it move in full by the residual's sign; the float model lets it move.
``decide``: decide's own computation, step by step in decimals (:mod:`._exchange_decimal`),
which reproduces decide's runs; equal gain only.

Cost. Candidates number up to M = K(K-1)/8 n^2 per round (every pair of issues, opposite
corners); building and evaluating them is O(M); each execution recomputes only the candidates h
that share an actor-issue with it, found through an index built once per round: O(M + E h) per
round for E executions, plus the pick of the next candidate, an O(M) arg-max in the array code
(not decide's O(E M) Python loops over Decimal copies). With the optional extra "fast" (numba),
an equal-gain round of COMPILED_FROM candidates or more runs compiled, the whole round in one
call (:func:`_k_round`: the same arithmetic in the same order, identical runs; the pick by the
same scan, or from a heap, O(log M), from HEAP_FROM candidates); coins for ties are drawn up
front, one per candidate, so that both use the same numbers. Monte Carlo
(:meth:`Exchange.solve_batch`) runs the samples' rounds in one compiled call, without the tables.
"""

from __future__ import annotations

import heapq
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..scenario import Inputs
from ..stats import relative_weight
from ._exchange_decimal import DecimalGame
from ._exchange_played import Played, outcome
from ._jit import Lazy
from .base import Model, Result, register

EPS = 1e-10  # decide's smallest move and gain
TOL = 1e-9  # float tolerance where decide compares exactly (outcome at the demander, scale ends)


class ExchangeParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    preset: Literal["float", "decide"] = Field(
        "float", description="arithmetic: float (binary, vectorised) or decide (decide-exchange-model's decimals)")
    rounds: int = Field(10, ge=0, description="rounds of exchange (the model has no convergence rule)")
    fixed_weight: float = Field(0.1, ge=0, le=1)
    salience_weight: float = Field(0.4, ge=0, le=1)
    p: float = Field(0.0, ge=0, le=1, description="REX randomisation of the exchange rate; 0: equal gain")
    ties: Literal["random", "order"] = "random"

    @field_validator("p")
    @classmethod
    def _decide_is_equal_gain(cls, p: float, info: ValidationInfo) -> float:
        if p > 0 and info.data.get("preset") == "decide":
            raise ValueError("preset=decide computes equal gain as decide does, without REX: p must be 0")
        return p


@register
class Exchange(Model):
    name = "exchange"
    summary = "Stokman's exchange model: equal-gain trades of voting positions across issues (Stokman 1994)"
    Params = ExchangeParams
    has_rounds = True
    min_issues = 2
    because = {"min_issues": "actors trade across issues"}

    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        prm = self.params
        rows: dict[str, list] = {"exchanges": [], "voting": [], "externalities": []}
        play = self._play_decimal if prm.preset == "decide" else self._play_float
        positions, forecast = play(inputs, rng, rows)
        import pandas as pd

        tables = {k: pd.DataFrame(v) for k, v in rows.items()}
        notes = [f"{prm.rounds} rounds of exchange; {len(tables['exchanges'])} exchanges in all"]
        if prm.preset == "decide":
            notes.append("computed as decide-exchange-model computes: 28-digit decimals, its order of operations")
        return Result(inputs.actors, inputs.issues, forecast, positions, inputs.weight, tables=tables, notes=notes)

    def solve_batch(self, base: Inputs, draws: Any) -> np.ndarray | None:
        """Forecasts (samples, issues) of sampled scenarios, the samples' rounds in one compiled call
        (:func:`_k_samples`, the optional extra "fast"): the same arithmetic in the same order as
        :meth:`solve` (keys as numpy's, coins from each sample's own stream, drawn up front),
        without the tables. Equal gain in floats only; None without numba or for other parameters,
        and Monte Carlo then solves sample by sample (the pure-numpy path, with the same results).

        A sample costs the rounds' candidates, O(K^2 n^2), and their executions; sample j's stream
        is (seed, key + (start + j,)) of ``draws.stream`` (as :func:`accord.uncertainty.solve_draws`
        seeds it), (0, (), 0) where the draws carry none.
        """
        prm = self.params
        kernel = SAMPLES.get() if prm.preset == "float" and prm.p == 0 else None
        if kernel is None or self.check(base):
            return None
        seed, key, start = getattr(draws, "stream", None) or (0, (), 0)
        n, K = base.position.shape
        bound = prm.rounds * max(1, K * (K - 1) * n * n // 8)  # coins: at most one per candidate, each round
        chunk = max(1, COINS_AT_ONCE // bound)
        to_x = 100.0 / (base.scale_max - base.scale_min)
        out = np.empty((len(draws), K))
        for lo in range(0, len(draws), chunk):  # samples in lockstep, chunk by chunk to bound the coins' memory
            hi = min(lo + chunk, len(draws))
            position, salience, capability = draws.position[lo:hi], draws.salience[lo:hi], draws.capability[lo:hi]
            present = ~np.isnan(position)
            x = np.where(present, (position - base.scale_min) * to_x, np.nan)
            w = np.stack([relative_weight(*sample) for sample in zip(capability, salience, present)])
            coins = np.stack([np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(*key, start + j)))
                              .random(bound) for j in range(lo, hi)])
            with np.errstate(all="ignore"):
                final = kernel(x.copy(), salience, w, prm.rounds, prm.fixed_weight, prm.salience_weight, coins,
                               prm.ties == "random", _key_table(), COMPILED_FROM, HEAP_FROM)
                final = np.where(final == x, position, final / to_x + base.scale_min)
                out[lo:hi] = outcome(final, w)
        return out

    def _play_float(self, inputs: Inputs, rng: np.random.Generator, rows: dict) -> tuple[np.ndarray, np.ndarray]:
        prm = self.params
        span = inputs.scale_max - inputs.scale_min
        to_x = 100.0 / span
        x = np.where(inputs.present, (inputs.position - inputs.scale_min) * to_x, np.nan)
        w = relative_weight(inputs.capability, inputs.salience, inputs.present)  # exact: only ratios count
        s = inputs.salience
        history = [x.copy()]
        for rnd in range(1, prm.rounds + 1):
            played = play_round(x, s, w, prm.p, prm.ties, rng)
            y = played.voting_positions()
            moved = ~np.isnan(x) & (y != x)
            rate = prm.fixed_weight + prm.salience_weight * (1.0 - s)
            x = np.where(moved, x + rate * (y - x), x)
            history.append(x.copy())
            played.report(rnd, y, inputs, rows)
        positions = np.stack(history)
        # Cells that never moved are reported as given, not rescaled twice.
        positions = np.where(positions == positions[0], inputs.position[None],
                             positions / to_x + inputs.scale_min)
        return positions, outcome(positions[-1], w)

    def _play_decimal(self, inputs: Inputs, rng: np.random.Generator, rows: dict) -> tuple[np.ndarray, np.ndarray]:
        prm = self.params
        game = DecimalGame(inputs, prm.fixed_weight, prm.salience_weight, prm.ties, rng)
        history = [game.positions()]
        for rnd in range(1, prm.rounds + 1):
            played, y = game.play_round()
            played.report(rnd, y, inputs, rows)
            history.append(game.positions())
        return np.stack(history), game.outcomes()


def play_round(x0: np.ndarray, s: np.ndarray, w: np.ndarray, p: float, ties: str,
               rng: np.random.Generator) -> Played:
    """One round from positions x0 (0..100): its candidates, their execution and what was played.

    Equal gain from COMPILED_FROM candidates runs compiled (:func:`_k_round`, the optional extra
    "fast"), the whole round in one call; otherwise, and without numba, :class:`Round`'s array
    code. Both consume the same coins (one per candidate) and give the same round.
    """
    M = candidate_count(x0, s, w) if p == 0 else 0
    kernel = ROUND.get() if M >= max(COMPILED_FROM, 1) else None
    if kernel is None:
        game = Round(x0, s, w, p, ties, rng)
        game.play()
        return game.played()
    coins = rng.random(M)
    _, st, actor, supply, inner, e = kernel(x0, s, w, coins, ties == "random", _key_table(), COMPILED_FROM,
                                                HEAP_FROM)
    return Played(x0, s, w, outcome(x0, w), actor[e], supply[e], st[e, :, START], st[e, :, VOTE], st[e, :, NBS0],
                  st[e, :, NBS1], st[e, 0, GAIN], inner[e])


def candidate_count(x0: np.ndarray, s: np.ndarray, w: np.ndarray) -> int:
    """The number of candidate exchanges of a round (Round's M) without listing them: per pair of
    issues, actors right-right times left-left, plus left-right times right-left."""
    tradable = ~np.isnan(x0) & (s > 0) & (w > 0)
    left = tradable & (np.where(tradable, x0, np.inf) <= outcome(x0, w))
    right = tradable & ~left
    lp, rp, lq, rq = left[:, :, None], right[:, :, None], left[:, None, :], right[:, None, :]
    pairs = (rp & rq).sum(0) * (lp & lq).sum(0) + (lp & rq).sum(0) * (rp & lq).sum(0)
    return int(np.triu(pairs, 1).sum())


def gain_key(g: np.ndarray) -> np.ndarray:
    """Gains rounded to 12 significant digits: mathematically equal gains compare equal."""
    out = np.zeros_like(g)
    nz = g > 0
    scale = 10.0 ** (np.floor(np.log10(g[nz])) - 11)
    out[nz] = np.round(g[nz] / scale) * scale
    return out


class Round:
    """The candidate exchanges of one round and their execution, as arrays over candidates.

    Arrays of shape (M, 2) hold the two sides of each candidate: column 0 the side I that
    supplies the pair's second issue q, column 1 the side J that supplies the first issue p.
    """

    def __init__(self, x0: np.ndarray, s: np.ndarray, w: np.ndarray, p: float, ties: str,
                 rng: np.random.Generator) -> None:
        self.X0, self.S, self.W, self.p, self.ties, self.rng = x0, s, w, p, ties, rng
        self.n, self.K = x0.shape
        self.D = np.where(np.isnan(x0), 0.0, w).sum(0)
        self.O = outcome(x0, w)
        self.N0 = self.O * self.D
        self.executed: list[dict] = []
        self._candidates()

    # -- candidates ----------------------------------------------------------------------------

    def _candidates(self) -> None:
        x0, S, W = self.X0, self.S, self.W
        tradable = ~np.isnan(x0) & (S > 0) & (W > 0)
        left = tradable & (np.where(tradable, x0, np.inf) <= self.O)
        right = tradable & ~left
        parts = []
        for p in range(self.K):
            for q in range(p + 1, self.K):
                both = tradable[:, p] & tradable[:, q]
                groups = [right[:, p] & right[:, q] & both, left[:, p] & right[:, q] & both,
                          right[:, p] & left[:, q] & both, left[:, p] & left[:, q] & both]
                for g1, g2, inner in ((0, 3, 0), (1, 2, 1)):
                    a, b = np.nonzero(groups[g1][:, None] & groups[g2][None, :])
                    if a.size:
                        parts.append((a, b, p, q, inner))
        self.groups_by_pair = {}
        if not parts:  # nobody can trade: an empty round
            self.M = 0
            self.a = self.k = np.zeros((0, 2), dtype=int)
            self.gain, self.inner_pair = np.zeros(0), np.zeros(0, dtype=int)
            return
        a = np.concatenate([t[0] for t in parts])
        b = np.concatenate([t[1] for t in parts])
        sizes = [t[0].size for t in parts]
        p, q, self.inner_pair = (np.repeat(np.array([t[f] for t in parts], dtype=int), sizes) for f in (2, 3, 4))
        swap = S[a, p] / S[a, q] < S[b, p] / S[b, q]
        self.a = np.stack([np.where(swap, b, a), np.where(swap, a, b)], 1)  # actor of each side
        self.k = np.stack([q, p], 1)  # issue each side supplies (moves on)
        self.d = self.k[:, ::-1].copy()  # issue each side demands
        M = self.M = a.size
        self.x0 = x0[self.a, self.k]
        self.x = self.x0.copy()
        self.t = x0[self.a[:, ::-1], self.k]  # the partner's round-start position on my supply issue
        self.sigma, self.delta = S[self.a, self.k], S[self.a, self.d]
        self.w = W[self.a, self.k]
        self.Dk = self.D[self.k]
        zeros = lambda: np.zeros((M, 2))  # noqa: E731
        self.move, self.y, self.nbs0, self.nbs1, self.eu = zeros(), zeros(), zeros(), zeros(), zeros()
        self.hsum, self.hsign, self.hlast = zeros(), zeros(), np.full((M, 2), np.nan)
        self.seen = zeros()  # sum over recorded partner moves of w (u - x0), per side
        self.own_seen = np.full((M, 2), np.nan)
        self.recorded = np.full((M, 2, self.n), np.nan)
        self.gain, self.key = np.zeros(M), np.zeros(M)
        self.valid, self.alive = np.zeros(M, bool), np.ones(M, bool)
        self.order = np.arange(M, dtype=float)  # list position, for ties
        self._index()
        self.compute(np.arange(M))

    def _index(self) -> None:
        """CSR indexes from (actor, issue) to the candidate sides supplying or demanding it."""
        def build(issue):
            key = (self.a * self.K + issue).ravel()
            order = np.argsort(key, kind="stable")
            starts = np.searchsorted(key[order], np.arange(self.n * self.K + 1))
            return order, starts
        self.by_supply, self.by_demand = build(self.k), build(self.d)

    @staticmethod
    def _lookup(index, actor: int, issue: int, K: int) -> tuple[np.ndarray, np.ndarray]:
        order, starts = index
        flat = order[starts[actor * K + issue]:starts[actor * K + issue + 1]]
        return flat // 2, flat % 2

    # -- one candidate's exchange --------------------------------------------------------------

    def view(self, c: np.ndarray, s: np.ndarray, z: np.ndarray) -> np.ndarray:
        """The outcome of side s's supply issue, as candidate c sees it, with side s at z."""
        k = self.k[c, s]
        return (self.N0[k] + self.seen[c, s] + self.w[c, s] * (z - self.x0[c, s])) / self.Dk[c, s]

    def view_cap(self, c, s, z):
        own = self.own_seen[c, s]
        return self.view(c, s, np.where(np.isnan(own), z, own))

    def ok(self, c) -> np.ndarray:
        """Both sides' moves valid: inside 0..100, not reversing the side's earlier moves, sum <= 100."""
        m = self.move[c]
        y = self.x[c] + m
        hs = self.hsign[c]
        good = ((np.abs(m) > EPS) & (np.abs(m) <= 100) & (y >= -TOL) & (y <= 100 + TOL)
                & (self.hsum[c] + m <= 100) & ((hs == 0) | (hs == np.sign(m))))
        return good[:, 0] & good[:, 1]

    def place(self, c, s=slice(None)) -> None:
        """y = x + move (side s, default both), landing exactly on the target for a full move."""
        t, x, m = self.t[c, s], self.x[c, s], self.move[c, s]
        full = t - x
        exact = (m * full > 0) & (np.abs(m - full) <= 1e-12 * np.maximum(1.0, np.abs(full)))
        self.y[c, s] = np.where(exact, t, x + m)

    def toward(self, c, s, size):
        return np.where(self.x[c, s] > self.t[c, s], -size, size)

    def compute(self, c: np.ndarray) -> None:
        """Equal-gain moves of candidates c, their caps, validity (and REX draws)."""
        if c.size == 0:
            return
        I, J = 0, 1
        sI, sJ, dI, dJ = self.sigma[c, 0], self.sigma[c, 1], self.delta[c, 0], self.delta[c, 1]
        wI, wJ, DI, DJ = self.w[c, 0], self.w[c, 1], self.Dk[c, 0], self.Dk[c, 1]
        fI, fJ = np.abs(self.t[c, 0] - self.x[c, 0]), np.abs(self.t[c, 1] - self.x[c, 1])
        rJ = fJ * wJ / DJ  # J moves all the way
        rI = rJ * (dI + sJ) / (sI + dJ)  # equal gain
        mI, mJ = rI * DI / wI, fJ
        over = mI > fI  # I would overshoot: I moves all the way instead
        rI = np.where(over, fI * wI / DI, rI)
        rJ = np.where(over, rI * (sI + dJ) / (dI + sJ), rJ)
        mI, mJ = np.where(over, fI, mI), np.where(over, rJ * DJ / wJ, mJ)
        self.move[c, 0], self.move[c, 1] = self.toward(c, I, mI), self.toward(c, J, mJ)
        self.hlast[c] = self.move[c]
        self.place(c)
        g = np.abs(rJ * dI - rI * sI)
        self.gain[c], self.eu[c] = g, g[:, None]
        self.key[c] = gain_key(g)
        valid = self.ok(c) & (g >= EPS)
        self.valid[c] = valid
        c = c[valid]
        if c.size:
            self.cap(c, 0)
            self.cap(c, 1)
            self.valid[c] = self.ok(c)
            if self.p > 0:
                self.rex(c)

    def cap(self, c: np.ndarray, a: int) -> None:
        """Cut side a's move where it would carry the outcome past its demander's position."""
        b = 1 - a
        A, B = a, b
        n0, n1 = self.view(c, A, self.x[c, a]), self.view(c, A, self.y[c, a])
        self.nbs0[c, a], self.nbs1[c, a] = n0, n1
        t = self.t[c, a]
        cross = ((t - n0 > TOL) & (t - n1 < -TOL)) | ((t - n0 < -TOL) & (t - n1 > TOL))
        if not cross.any():
            return
        c, t = c[cross], t[cross]
        size = np.abs(self.Dk[c, a] * (t - self.view_cap(c, A, self.x[c, a])) / self.w[c, a])
        rA = size * self.w[c, a] / self.Dk[c, a]
        rB = rA * (self.sigma[c, a] + self.delta[c, b]) / (self.delta[c, a] + self.sigma[c, b])
        self.move[c, a] = self.toward(c, A, size)
        self.move[c, b] = self.toward(c, B, np.abs(rB * self.Dk[c, b] / self.w[c, b]))
        self.hlast[c] = self.move[c]
        self.y[c, a] = self.x[c, a] + self.move[c, a]
        self.place(c, B)
        g = np.abs(rB * self.sigma[c, b] - rA * self.delta[c, b])
        self.gain[c], self.eu[c] = g, g[:, None]
        self.key[c] = gain_key(g)
        self.nbs1[c, a] = self.view(c, A, self.y[c, a])

    def rex(self, c: np.ndarray) -> None:
        """REX: one side's utility drawn around the equal gain; the partner's move follows."""
        c = c[np.argsort(self.order[c], kind="stable")]  # draws in list order
        u, v, z = self.rng.random((3, c.size))
        best = self._best_utilities(c)
        sa = np.where(u < 0.5, 0, 1)
        sb = 1 - sa
        g = self.gain[c]
        target = np.where(v < 0.5, g + self.p * z * (best[np.arange(c.size), sa] - g), g * (1 - self.p * z))
        pick = lambda arr, side: arr[c, side]  # noqa: E731
        xA, tA, xB, tB = pick(self.x, sa), pick(self.t, sa), pick(self.x, sb), pick(self.t, sb)
        sA, dA, wA, DA = pick(self.sigma, sa), pick(self.delta, sa), pick(self.w, sa), pick(self.Dk, sa)
        sB, dB, wB, DB = pick(self.sigma, sb), pick(self.delta, sb), pick(self.w, sb), pick(self.Dk, sb)
        mA = np.abs(xA - tA)
        rA = mA * wA / DA
        rB = (target + rA * sA) / dA
        mB = rB * DB / wB
        fullB = np.abs(xB - tB)
        over = mB > fullB  # B would overshoot: B moves all the way, A follows
        rB_o = fullB * wB / DB
        rA_o = np.abs((target - rB_o * dA) / sA)
        # Else: would A's full move carry the outcome past B's demand? Cut A there (decide does not).
        n1 = self.view(c, sa, np.where(xA > tA, xA - mA, xA + mA))
        n0 = self.nbs0[c, sa]
        cross = ~over & (((tA - n0 > TOL) & (tA - n1 < -TOL)) | ((tA - n0 < -TOL) & (tA - n1 > TOL)))
        size = np.abs(DA * (tA - self.view_cap(c, sa, xA)) / wA)
        rA_c = size * wA / DA
        rB_c = (target + rA_c * sA) / dA
        mA_f = np.where(over, rA_o * DA / wA, np.where(cross, size, mA))
        mB_f = np.where(over, fullB, np.where(cross, rB_c * DB / wB, mB))
        rA_f, rB_f = np.where(over, rA_o, np.where(cross, rA_c, rA)), np.where(over, rB_o, np.where(cross, rB_c, rB))
        self.eu[c, sa], self.eu[c, sb] = target, np.abs(rB_f * sB - rA_f * dB)
        self.move[c, sa], self.move[c, sb] = self.toward(c, sa, mA_f), self.toward(c, sb, mB_f)
        self.hlast[c] = self.move[c]
        self.place(c)
        self.valid[c] = self.ok(c)
        for side in (0, 1):
            self.nbs0[c, side] = self.view(c, side, self.x[c, side])
            self.nbs1[c, side] = self.view(c, side, self.y[c, side])

    def _best_utilities(self, c: np.ndarray) -> np.ndarray:
        """Each side's best attainable gain: the partner moves all the way and gains nothing."""
        nI, nJ = self.view(c, 0, self.t[c, 0]), self.view(c, 1, self.t[c, 1])
        shiftI, shiftJ = np.abs(self.nbs0[c, 0] - nI), np.abs(self.nbs0[c, 1] - nJ)
        sI, sJ, dI, dJ = self.sigma[c, 0], self.sigma[c, 1], self.delta[c, 0], self.delta[c, 1]
        best = np.empty((c.size, 2))
        best[:, 0] = shiftJ * dI - shiftJ * sJ * sI / dJ  # J moves all the way; I's gain at J's zero gain
        best[:, 1] = shiftI * dJ - shiftI * sI * sJ / dI
        return np.maximum(best, self.gain[c][:, None])

    # -- the round ------------------------------------------------------------------------------

    def pick(self) -> int:
        """The next candidate: highest gain; equal gains by the coin or by list order."""
        key = np.where(self.alive, self.key, -np.inf)
        top = key.max()
        tied = np.flatnonzero(key == top)
        if tied.size == 1:
            return int(tied[0])
        first, second = tied[np.argsort(self.order[tied], kind="stable")[:2]]
        if self.ties == "random":
            coin = self.coins[self.n_coins]
            self.n_coins += 1
            if coin >= 0.5:
                self.order[first] = self.order.max() + 1  # the loser goes to the end of the list
                return int(second)
        return int(first)

    def play(self) -> None:
        if self.M == 0:
            return
        # Coins for ties are drawn up front (one a candidate, at most one a pick), so that the
        # compiled round (:func:`_k_round`) consumes the same numbers.
        self.coins, self.n_coins = self.rng.random(self.M), 0
        first = True
        while self.alive.any():
            e = self.pick()
            self.alive[e] = False
            if not self.valid[e]:
                continue
            if first:  # decide drops the invalid candidates at the first execution
                self.alive &= self.valid
                first = False
            self._record(e)
            self._apply(e)

    def _apply(self, e: int) -> None:
        """Recompute the candidates that share a supplying or demanding actor-issue with e."""
        K, movers, issues, y = self.K, self.a[e], self.k[e], self.y[e]
        # Supply hits: the mover's new position is the side's new start; its last move stays in its history.
        hits = [self._lookup(self.by_supply, movers[side], issues[side], K) for side in (0, 1)]
        c = np.concatenate([hits[0][0], hits[1][0]])
        s = np.concatenate([hits[0][1], hits[1][1]])
        src = np.repeat([0, 1], [hits[0][0].size, hits[1][0].size])
        live = self.alive[c]
        c, s, src = c[live], s[live], src[live]
        self.x[c, s] = y[src]
        last = self.hlast[c, s]
        keep = ~np.isnan(last)
        cs, ss, last = c[keep], s[keep], last[keep]
        sign, hs = np.sign(last), self.hsign[cs, ss]
        self.hsign[cs, ss] = np.where(hs == 0, sign, np.where(hs == sign, hs, 2))
        self.hsum[cs, ss] += last
        touched = [c]
        # Demand hits: the mover's partner demands the mover's issue; the candidate notes the move.
        for side in (0, 1):
            mover, issue = movers[side], issues[side]
            d, ds = self._lookup(self.by_demand, movers[1 - side], issue, K)
            live = self.alive[d]
            d, supplier = d[live], 1 - ds[live]
            old = self.recorded[d, supplier, mover]
            start = self.X0[mover, issue]
            # decide keeps the recorded position farther along the mover's way from its start
            new = np.where(np.isnan(old), y[side],
                           np.where(start <= old, np.minimum(old, y[side]), np.maximum(old, y[side])))
            prev = np.where(np.isnan(old), start, old)
            self.recorded[d, supplier, mover] = new
            own = self.a[d, supplier] == mover
            self.own_seen[d[own], supplier[own]] = new[own]
            self.seen[d[~own], supplier[~own]] += self.W[mover, issue] * (new[~own] - prev[~own])
            touched.append(d)
        c = np.unique(np.concatenate(touched))
        self.compute(c)
        self.alive[c] &= self.valid[c]

    def _record(self, e: int) -> None:
        self.executed.append({"e": e, "x0": self.x0[e].copy(), "y": self.y[e].copy(), "gain": self.gain[e],
                              "nbs0": self.nbs0[e].copy(), "nbs1": self.nbs1[e].copy()})

    def played(self) -> Played:
        e = np.array([ex["e"] for ex in self.executed], dtype=int)
        pairs = lambda key: np.array([ex[key] for ex in self.executed]).reshape(-1, 2)  # noqa: E731
        return Played(self.X0, self.S, self.W, self.O, self.a[e], self.k[e], pairs("x0"), pairs("y"), pairs("nbs0"),
                      pairs("nbs1"), self.gain[e], self.inner_pair[e] if e.size else e)


# -- the compiled round (equal gain, p = 0) ----------------------------------------------------------
# The same arithmetic as Round (its candidates, compute, cap, pick and _apply), one candidate at a
# time, in the same order of floating-point operations: the two paths give identical runs.
#
# A candidate's numbers are packed in one array, st[c, side, field], the fields named below
# after Round's arrays: a compiled helper then takes one array rather than twenty (numba counts
# a reference for each array argument of each call, which cost more than the arithmetic), and a
# candidate's numbers share a few cache lines instead of lying in twenty arrays.

POSITION = 0  # x: the side's position on its supply issue now
TARGET = 1  # t: the partner's round-start position there
SIGMA = 2  # the side's salience of its supply issue
DELTA = 3  # its salience of its demand issue
WEIGHT = 4  # w: its weight on its supply issue
TOTAL = 5  # D_k: the weight present on that issue
START = 6  # x0: its round-start position there
WEIGHTED_SUM = 7  # N0 = O_k D_k: that issue's weighted sum of positions at the round's start
MOVE = 8  # move: the side's move in the exchange
VOTE = 9  # y: its voting position after the move
LAST_MOVE = 10  # hlast: its last computed move (history, once the position moves)
MOVED = 11  # hsum: the sum of its moves so far this round
DIRECTION = 12  # hsign: their direction (0 none yet, +-1, 2 both ways)
SEEN = 13  # sum over recorded partner moves of w (u - x0)
OWN_SEEN = 14  # the side's own recorded position, NaN if none
NBS0 = 15  # the supply issue's outcome before the exchange, as the candidate sees it
NBS1 = 16  # and after
GAIN = 17  # the candidate's gain (side I's field)
KEY = 18  # its gain key (side I's field)
FIELDS = 19


def _k_view(st, c, s, z):  # pragma: no cover - compiled
    """The outcome of side s's supply issue, as candidate c sees it, with side s at z (Round.view)."""
    return (st[c, s, WEIGHTED_SUM] + st[c, s, SEEN] + st[c, s, WEIGHT] * (z - st[c, s, START])) / st[c, s, TOTAL]


def _k_key(g):  # pragma: no cover - compiled
    if g <= 0.0:
        return 0.0
    scale = 10.0 ** (np.floor(np.log10(g)) - 11)
    return np.round(g / scale) * scale


def _k_ok(st, c):  # pragma: no cover - compiled
    """Round.ok: both sides' moves inside 0..100, not reversing earlier moves, sum <= 100."""
    for s in range(2):
        m = st[c, s, MOVE]
        y = st[c, s, POSITION] + m
        hs = st[c, s, DIRECTION]
        if not (abs(m) > EPS and abs(m) <= 100 and y >= -TOL and y <= 100 + TOL and st[c, s, MOVED] + m <= 100
                and (hs == 0 or hs == np.sign(m))):
            return False
    return True


def _k_place(st, c, s):  # pragma: no cover - compiled
    """Round.place: y = x + move, landing exactly on the target for a full move."""
    t, x, m = st[c, s, TARGET], st[c, s, POSITION], st[c, s, MOVE]
    full = t - x
    if m * full > 0 and abs(m - full) <= 1e-12 * max(1.0, abs(full)):
        st[c, s, VOTE] = t
    else:
        st[c, s, VOTE] = x + m


def _k_toward(st, c, s, size):  # pragma: no cover - compiled
    return -size if st[c, s, POSITION] > st[c, s, TARGET] else size


def _k_key_of(g, table):  # pragma: no cover - compiled
    """The key of gain g: numpy's (gain_key's) where ``table`` holds its powers of ten, else _k_key."""
    return _k_key(g) if table.size == 0 else _k_numpy_key(g, table)


def _k_numpy_key(g, table):  # pragma: no cover - compiled
    """gain_key(g) to the bit: the scale from the powers numpy computed (``table[0]``), and the
    digit count as numpy's log10 gives it: near a power of ten 10^k, where numpy's and libm's
    log10 may round apart, from the least gain whose numpy log10 reaches k (``table[1]``)."""
    if not g > 0.0:
        return 0.0
    digits = np.log10(g)
    k = np.round(digits)
    if abs(digits - k) < 1e-13:
        e = k if g >= table[1, int(k) + POWERS_FROM] else k - 1.0
    else:
        e = np.floor(digits)
    scale = table[0, int(e - 11.0) + POWERS_FROM]
    return np.round(g / scale) * scale


def _k_cap(st, c, a):  # pragma: no cover - compiled
    """Round.cap: cut side a's move where it would carry the outcome past its demander's position."""
    b = 1 - a
    n0 = _k_view(st, c, a, st[c, a, POSITION])
    n1 = _k_view(st, c, a, st[c, a, VOTE])
    st[c, a, NBS0], st[c, a, NBS1] = n0, n1
    t = st[c, a, TARGET]
    if not ((t - n0 > TOL and t - n1 < -TOL) or (t - n0 < -TOL and t - n1 > TOL)):
        return
    own = st[c, a, OWN_SEEN]
    z = st[c, a, POSITION] if np.isnan(own) else own
    size = abs(st[c, a, TOTAL] * (t - _k_view(st, c, a, z)) / st[c, a, WEIGHT])
    rA = size * st[c, a, WEIGHT] / st[c, a, TOTAL]
    rB = rA * (st[c, a, SIGMA] + st[c, b, DELTA]) / (st[c, a, DELTA] + st[c, b, SIGMA])
    st[c, a, MOVE] = _k_toward(st, c, a, size)
    st[c, b, MOVE] = _k_toward(st, c, b, abs(rB * st[c, b, TOTAL] / st[c, b, WEIGHT]))
    st[c, 0, LAST_MOVE], st[c, 1, LAST_MOVE] = st[c, 0, MOVE], st[c, 1, MOVE]
    st[c, a, VOTE] = st[c, a, POSITION] + st[c, a, MOVE]
    _k_place(st, c, b)
    st[c, 0, GAIN] = abs(rB * st[c, b, SIGMA] - rA * st[c, b, DELTA])
    st[c, a, NBS1] = _k_view(st, c, a, st[c, a, VOTE])


def _k_compute(st, c):  # pragma: no cover - compiled
    """Round.compute: candidate c's equal-gain moves, their caps; its validity is returned and its
    key is set by the caller, from the final gain (so that this takes one array: see above)."""
    sI, sJ, dI, dJ = st[c, 0, SIGMA], st[c, 1, SIGMA], st[c, 0, DELTA], st[c, 1, DELTA]
    wI, wJ, DI, DJ = st[c, 0, WEIGHT], st[c, 1, WEIGHT], st[c, 0, TOTAL], st[c, 1, TOTAL]
    fI, fJ = abs(st[c, 0, TARGET] - st[c, 0, POSITION]), abs(st[c, 1, TARGET] - st[c, 1, POSITION])
    rJ = fJ * wJ / DJ  # J moves all the way
    rI = rJ * (dI + sJ) / (sI + dJ)  # equal gain
    mI, mJ = rI * DI / wI, fJ
    if mI > fI:  # I would overshoot: I moves all the way instead
        rI = fI * wI / DI
        rJ = rI * (sI + dJ) / (dI + sJ)
        mI, mJ = fI, rJ * DJ / wJ
    st[c, 0, MOVE], st[c, 1, MOVE] = _k_toward(st, c, 0, mI), _k_toward(st, c, 1, mJ)
    st[c, 0, LAST_MOVE], st[c, 1, LAST_MOVE] = st[c, 0, MOVE], st[c, 1, MOVE]
    _k_place(st, c, 0)
    _k_place(st, c, 1)
    g = abs(rJ * dI - rI * sI)
    st[c, 0, GAIN] = g
    ok = _k_ok(st, c) and g >= EPS
    if ok:
        _k_cap(st, c, 0)
        _k_cap(st, c, 1)
        ok = _k_ok(st, c)
    return ok


def _k_sort(v, n):  # pragma: no cover - compiled
    """v[:n] in increasing order: a few by insertion (numba's sort allocates at every call)."""
    if n > 16:
        v[:n].sort()
        return
    for i in range(1, n):
        item, j = v[i], i
        while j > 0 and v[j - 1] > item:
            v[j] = v[j - 1]
            j -= 1
        v[j] = item


def _k_push(heap, c, st, order, version):  # pragma: no cover - compiled
    key = st[c, 0, KEY]
    if not np.isnan(key):  # a NaN gain is never the highest (as in the scan it replaces)
        heapq.heappush(heap, (-key, order[c], version[c], c))


def _k_next(heap, alive, version):  # pragma: no cover - compiled
    """The heap's first live entry (stale ones, left by recomputation, are dropped), or -1."""
    while len(heap):
        _, _, v, c = heap[0]
        if alive[c] and v == version[c]:
            return c
        heapq.heappop(heap)
    return -1


def _k_best(st, alive, order, other):  # pragma: no cover - compiled
    """Round.pick's scan: the live candidate (but ``other``) of highest key, of the first in list
    order among equal keys (NaN keys never), or -1."""
    best = -1
    for c in range(alive.size):
        key = st[c, 0, KEY]
        if alive[c] and c != other and not np.isnan(key):
            if best < 0 or key > st[best, 0, KEY] or (key == st[best, 0, KEY] and order[c] < order[best]):
                best = c
    return best


def _k_play(st, a, kk, valid, alive, order, X0, W, sup, dem, coins, random_ties, executed, table,
            heap_from):  # pragma: no cover - compiled
    """Round.play's selection loop; return how many exchanges were executed (ids in `executed`).

    The next candidate is the highest key and, among equal keys, the first two in list order,
    as Round.pick finds them: by a scan of the candidates, O(M) an execution, in rounds of fewer
    than ``heap_from`` candidates; in larger ones from a heap ordered by (-key, list order), with
    stale entries skipped, O(log M) an execution.

    Round records, per candidate side, a position of each mover on the side's supply issue
    (the one farther along the mover's way); all live candidates whose demanding actor and issue
    are the same record the same moves (they live from the round's start and are told of every
    such move), so one table, recorded[actor demanding, issue, mover], serves them all. A
    recomputed candidate whose key is unchanged keeps its entry in the heap.
    """
    M = alive.size
    n, K = X0.shape
    recorded = np.full((n, K, n), np.nan)
    version = np.zeros(M, dtype=np.int64)
    heap = [(0.0, 0.0, np.int64(0), np.int64(0))]
    heap.pop()
    by_heap = M >= heap_from
    for c in range(M):
        if by_heap and alive[c]:
            _k_push(heap, c, st, order, version)
    touched = np.zeros(M, dtype=np.bool_)
    hits = np.empty(M, dtype=np.int64)
    n_exec, n_coin, last_order, first = 0, 0, M - 1.0, True
    while True:
        top = _k_next(heap, alive, version) if by_heap else _k_best(st, alive, order, -1)
        if top < 0:
            return n_exec
        if by_heap:
            heapq.heappop(heap)
        e = top
        if random_ties:
            second = _k_next(heap, alive, version) if by_heap else _k_best(st, alive, order, top)
            if second >= 0 and st[second, 0, KEY] == st[top, 0, KEY]:
                coin = coins[n_coin]
                n_coin += 1
                if coin >= 0.5:  # the loser goes to the end of the list
                    last_order += 1.0
                    order[top] = last_order
                    if by_heap:
                        version[top] += 1
                        _k_push(heap, top, st, order, version)
                    e = second
        alive[e] = False
        if not valid[e]:
            continue
        if first:  # decide drops the invalid candidates at the first execution
            for c in range(M):
                alive[c] = alive[c] and valid[c]
            first = False
        executed[n_exec] = e
        n_exec += 1
        n_hits = 0
        # Supply hits: the mover's new position is the side's new start; its last move stays in its history.
        for side in range(2):
            ye, flat0 = st[e, side, VOTE], a[e, side] * K + kk[e, side]
            for f in range(sup[1][flat0], sup[1][flat0 + 1]):
                c, s = sup[0][f] // 2, sup[0][f] % 2
                if not alive[c]:
                    continue
                st[c, s, POSITION] = ye
                last = st[c, s, LAST_MOVE]
                if not np.isnan(last):
                    sign, hs = np.sign(last), st[c, s, DIRECTION]
                    st[c, s, DIRECTION] = sign if hs == 0 else (hs if hs == sign else 2.0)
                    st[c, s, MOVED] += last
                if not touched[c]:
                    touched[c] = True
                    hits[n_hits] = c
                    n_hits += 1
        # Demand hits: the mover's partner demands the mover's issue; the candidate notes the move.
        for side in range(2):
            mover, issue, ye, partner = a[e, side], kk[e, side], st[e, side, VOTE], a[e, 1 - side]
            start = X0[mover, issue]
            old = recorded[partner, issue, mover]
            if np.isnan(old):
                new, prev = ye, start
            else:  # decide keeps the recorded position farther along the mover's way from its start
                new = min(old, ye) if start <= old else max(old, ye)
                prev = old
            recorded[partner, issue, mover] = new
            flat0 = partner * K + issue
            for f in range(dem[1][flat0], dem[1][flat0 + 1]):
                c, supplier = dem[0][f] // 2, 1 - dem[0][f] % 2
                if not alive[c]:
                    continue
                if a[c, supplier] == mover:
                    st[c, supplier, OWN_SEEN] = new
                else:
                    st[c, supplier, SEEN] += W[mover, issue] * (new - prev)
                if not touched[c]:
                    touched[c] = True
                    hits[n_hits] = c
                    n_hits += 1
        _k_sort(hits, n_hits)
        for h in range(n_hits):
            c = hits[h]
            touched[c] = False
            key = st[c, 0, KEY]
            valid[c] = _k_compute(st, c)
            st[c, 0, KEY] = _k_key_of(st[c, 0, GAIN], table)
            alive[c] = valid[c]
            if by_heap and alive[c] and not st[c, 0, KEY] == key:  # an unchanged key keeps its entry
                version[c] += 1
                _k_push(heap, c, st, order, version)


def _k_candidates(x0, S, W, O):  # pragma: no cover - compiled
    """Round._candidates: the candidate pairs (a, b, p, q, inner) in its order (issue pairs, then
    the two pairings of corners, then actors a, b row by row as np.nonzero lists them)."""
    n, K = x0.shape
    tradable = np.zeros((n, K), dtype=np.bool_)
    left = np.zeros((n, K), dtype=np.bool_)
    for i in range(n):
        for k in range(K):
            tradable[i, k] = not np.isnan(x0[i, k]) and S[i, k] > 0 and W[i, k] > 0
            left[i, k] = tradable[i, k] and x0[i, k] <= O[k]
    out = np.empty((K * (K - 1) // 2 * (n * n // 4 + 1), 5), dtype=np.int64)
    corner = np.empty(n, dtype=np.int64)
    M = 0
    for p in range(K):
        for q in range(p + 1, K):
            for i in range(n):  # 0 right-right, 1 left-right, 2 right-left, 3 left-left, -1 not on both
                corner[i] = (1 * left[i, p] + 2 * left[i, q]) if tradable[i, p] and tradable[i, q] else -1
            for g1, g2, inner in ((0, 3, 0), (1, 2, 1)):
                for a in range(n):
                    if corner[a] != g1:
                        continue
                    for b in range(n):
                        if corner[b] == g2:
                            out[M, 0], out[M, 1], out[M, 2], out[M, 3], out[M, 4] = a, b, p, q, inner
                            M += 1
    return out[:M]


def _k_index(keys, size):  # pragma: no cover - compiled
    """Round._index's CSR by a stable counting sort: (order, starts) of the flat keys."""
    starts = np.zeros(size + 1, dtype=np.int64)
    for f in range(keys.size):
        starts[keys[f] + 1] += 1
    for v in range(size):
        starts[v + 1] += starts[v]
    fill = starts[:-1].copy()
    order = np.empty(keys.size, dtype=np.int64)
    for f in range(keys.size):
        order[fill[keys[f]]] = f
        fill[keys[f]] += 1
    return order, starts


def _k_outcome(x, W):  # pragma: no cover - compiled
    """outcome(x, W) and the weight present per issue, summed over actors in order as numpy does."""
    n, K = x.shape
    O, D = np.empty(K), np.zeros(K)
    for k in range(K):
        total, num = 0.0, 0.0
        for i in range(n):
            if not np.isnan(x[i, k]):
                total += W[i, k]
                num += W[i, k] * x[i, k]
        D[k] = total
        O[k] = num / total if total > 0 else np.nan
    return O, D


def _k_round(x0, S, W, coins, random_ties, table, compiled_from, heap_from):  # pragma: no cover - compiled
    """One equal-gain round as Round plays it (the candidates, their evaluation, the selection
    loop: keys as numpy's gain_key, but as _k_key in the loop from ``compiled_from`` candidates);
    coins: one per candidate, as Round draws them. Returns the voting positions, and for the
    round's tables the candidates' state, actors, supply issues, pairs of groups and the
    executed candidates in order."""
    n, K = x0.shape
    O, D = _k_outcome(x0, W)
    cand = _k_candidates(x0, S, W, O)
    M = cand.shape[0]
    a, kk = np.empty((M, 2), dtype=np.int64), np.empty((M, 2), dtype=np.int64)
    for c in range(M):
        i, j, p, q = cand[c, 0], cand[c, 1], cand[c, 2], cand[c, 3]
        swap = S[i, p] / S[i, q] < S[j, p] / S[j, q]
        a[c, 0], a[c, 1] = (j, i) if swap else (i, j)
        kk[c, 0], kk[c, 1] = q, p
    N0 = O * D
    st = np.zeros((M, 2, FIELDS))
    for c in range(M):
        for side in range(2):
            ac, k, d = a[c, side], kk[c, side], kk[c, 1 - side]
            st[c, side, POSITION] = st[c, side, START] = x0[ac, k]
            st[c, side, TARGET] = x0[a[c, 1 - side], k]
            st[c, side, SIGMA], st[c, side, DELTA], st[c, side, WEIGHT] = S[ac, k], S[ac, d], W[ac, k]
            st[c, side, TOTAL], st[c, side, WEIGHTED_SUM] = D[k], N0[k]
            st[c, side, LAST_MOVE] = st[c, side, OWN_SEEN] = np.nan
    valid, alive = np.zeros(M, dtype=np.bool_), np.ones(M, dtype=np.bool_)
    for c in range(M):
        valid[c] = _k_compute(st, c)
        st[c, 0, KEY] = _k_key_of(st[c, 0, GAIN], table)
    order = np.arange(M) * 1.0
    sup = _k_index((a * K + kk).ravel(), n * K)
    dem = _k_index((a * K + kk[:, ::-1]).ravel(), n * K)
    executed = np.empty(M, dtype=np.int64)
    count = _k_play(st, a, kk, valid, alive, order, x0, W, sup, dem, coins[:M], random_ties, executed,
                    table if M < compiled_from else table[:, :0], heap_from)
    votes = x0.copy()
    for f in range(count):
        e = executed[f]
        for side in range(2):
            votes[a[e, side], kk[e, side]] = st[e, side, VOTE]
    return votes, st, a, kk, cand[:, 4].copy(), executed[:count]


def _k_samples(x, S, W, rounds, fixed_weight, salience_weight, coins, random_ties, table, compiled_from,
               heap_from):  # pragma: no cover - compiled
    """Exchange._play_float's positions after ``rounds`` rounds (0..100) of each sample
    x[j], S[j], W[j], with coins[j] drawn up front in the order the rounds draw them (in place)."""
    samples, n, K = x.shape
    for j in range(samples):
        rate = fixed_weight + salience_weight * (1.0 - S[j])
        used = 0
        for _ in range(rounds):
            y, st, _a, _k, _inner, _executed = _k_round(x[j], S[j], W[j], coins[j, used:], random_ties, table,
                                                            compiled_from, heap_from)
            used += st.shape[0]
            for i in range(n):
                for k in range(K):
                    if not np.isnan(x[j, i, k]) and y[i, k] != x[j, i, k]:
                        x[j, i, k] = x[j, i, k] + rate[i, k] * (y[i, k] - x[j, i, k])
    return x


INLINED = ("_k_best", "_k_view", "_k_key", "_k_numpy_key", "_k_key_of", "_k_ok", "_k_place", "_k_toward", "_k_cap",
           "_k_compute")
HELPERS = ("_k_push", "_k_next", "_k_sort", *INLINED, "_k_play", "_k_candidates", "_k_index", "_k_outcome")
ROUND = Lazy(_k_round, helpers=HELPERS, inline=INLINED, error_model="numpy")
SAMPLES = Lazy(_k_samples, helpers=HELPERS + ("_k_round",), inline=INLINED, error_model="numpy")
COINS_AT_ONCE = 1 << 22  # Monte Carlo draws the coins of this many candidates (32 MiB) for one compiled call
COMPILED_FROM = 200  # candidates; below this the array code is as fast as compiling is slow
HEAP_FROM = 3000  # candidates; below this a scan finds the next one faster than a heap's upkeep


def _key_table() -> np.ndarray:
    global _KEY_TABLE
    if _KEY_TABLE is None:
        _KEY_TABLE = numpy_key_table()
    return _KEY_TABLE


_KEY_TABLE: np.ndarray | None = None
POWERS_FROM = 330  # table column of 10^0


def numpy_key_table() -> np.ndarray:
    """gain_key's arithmetic as tables: row 0, 10.0 ** e as numpy computes it over an array (e =
    -330..330); row 1, for each k, the least double whose numpy log10 reaches k (searched among
    the 8,001 doubles around 10^k, where numpy's and libm's log10 may round apart)."""
    e = np.arange(-POWERS_FROM, POWERS_FROM + 1, dtype=float)
    with np.errstate(all="ignore"):
        scale = 10.0 ** e
        near = (np.array([10.0 ** k for k in e]).view(np.int64)[:, None] + np.arange(-4000, 4001)).view(np.float64)
        reached = np.log10(near) >= e[:, None]
    first = np.argmax(reached, axis=1)
    threshold = near[np.arange(e.size), first]
    monotone = (np.diff(reached.astype(np.int8), axis=1) >= 0).all(axis=1) & reached.any(axis=1) & ~reached[:, 0]
    threshold[~monotone] = np.nan  # never reached (beyond the doubles' range): no gain comes near
    return np.stack([scale, threshold])
