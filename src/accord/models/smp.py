"""KTAB's Spatial Model of Politics (SMP): challenges, bargains and probabilistic Condorcet elections.

Wise & al., KAPSARC Toolkit for Behavioral Analysis (KTAB, 2015-2017), "Spatial Model of
Politics" (its ``smp`` application; MIT licence). Issues are the dimensions of one policy
space; positions are rescaled to [0, 1] on each issue, saliences S_ik are shares (an actor's
sum at most 1), and capability c_i is one number per actor. One *turn* (an accord round):

1. **Setup.** Distance from i's ideal y_i to j's position,
   ``d_ij = sqrt(sum_k (S_ik (y_ik - x_jk))^2 / sum_k S_ik^2)``; utility with risk attitude R,
   ``u = (1 - d)(1 + d R)``. Risk attitudes come from a probabilistic Condorcet election (PCE)
   over all n positions with risk-neutral utilities and capability weights: coalition
   strengths ``C_ab = 1e-8 + sum_k max(0, vote_k(a:b))``, victory probabilities
   (``VictoryProbModel``), option probabilities (``PCEModel``), and ``BigRRange`` maps them
   linearly to R (Mid: the likeliest position R = 1, the least likely -1/2). Observer h
   estimates i's attitude as ``(2 R_h + R_i)/3`` (``BigRAdjust=OneThird``).
2. **Challenges.** Each actor i, with its own estimates, values a challenge to every j: the
   principals vote with weight c x total salience, each third party joins the side that
   serves it better (``ThirdPartyCommit``), i wins with the linear ratio of the coalitions'
   strengths, and j resists with probability equal to its total salience. i proposes to the
   target of largest expected gain, if that gain exceeds 1e-5 (ties: the lowest index).
3. **Bargains.** The proposal interpolates the two positions on each issue with weights
   salience^2 x probability^2 (``InterVecBrgn=S2P2``), rounded to 4 decimals, each side
   keeping a 1e-6 weight on its own coordinate (``BargnModel=InitOnlyInterp``).
4. **Choice.** Each actor holds a queue: its status quo, its proposal, proposals to it. Every
   actor values an option by its mean utility over all positions after the option; a PCE over
   the queue with capability weights picks the option (``StateTransitions``: the most probable,
   or a draw from the seeded generator in actor order). Actors take their side of the chosen
   bargain simultaneously; ideals follow ``y' = A x' + (1 - min(1, sum_j A_ij)) y`` with the
   accommodation matrix A (the identity unless the scenario gives one).
5. **Stop** (KTAB's rule): after at least ``min_turns`` turns, when the summed move of a turn
   is below ``stop_ratio`` of the first turn's (plus 1e-4), or after ``max_turns``.

The forecast of an issue is the outcome expected under the final PCE over the distinct
final positions (``forecast=expected``: sum_q p_q x_q), or the most probable position
(``most-probable``). The nine KTAB options are parameters with KTAB's names, values and
defaults; a scenario read from KTAB XML supplies its own in ``settings.smp``, and explicit
parameters override those.

Cost. KTAB evaluates every observer's view of every challenge, O(n^4) a turn, for its logs;
the decisions need only each initiator's own view: O(n^3) a turn (the third parties of every
contest), in chunks of initiators so that memory stays O(n^2 x chunk); valuing the proposals
is O(n^2 d), each queue's PCE O(n q^2) for q options, the PCE over all positions O(n^3). With
the optional extra "fast" (numba) the third-party sums and the coalitions run compiled from 48
actors, vectorised over targets with every sum in its order. Monte Carlo runs the samples in
lockstep (:meth:`SMP.solve_batch`, :mod:`._smp_batch`), the same to the bit. In deterministic
mode the model reproduces KTAB's reference runs position for position.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..errors import UsageError
from ..scenario import Inputs
from ._jit import Lazy
from ._smp_elections import (CHALLENGE_SEED, COALITION_SEED, MIN_GAIN, SAME_POSITION, pce, round4,  # noqa: F401
                             utility, victory, vote)
from .base import Model, Result, register

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is built: start-up need not pay for it

OPTIONS = ("VictoryProbModel", "PCEModel", "StateTransitions", "VotingRule", "BigRAdjust", "BigRRange",
           "ThirdPartyCommit", "InterVecBrgn", "BargnModel")


class SMPParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    VictoryProbModel: Literal["Linear", "Square", "Quartic", "Octic", "Binary"] | None = None
    PCEModel: Literal["Conditional", "MarkovIncentive", "MarkovUniform"] | None = None
    StateTransitions: Literal["Deterministic", "Stochastic"] | None = None
    VotingRule: Literal["Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"] | None = None
    BigRAdjust: Literal["None", "OneThird", "Half", "TwoThirds", "Full"] | None = None
    BigRRange: Literal["Min", "Mid", "Max"] | None = None
    ThirdPartyCommit: Literal["NoCommit", "SemiCommit", "FullCommit"] | None = None
    InterVecBrgn: Literal["S1P1", "S2P2", "S2PMax"] | None = None
    BargnModel: Literal["InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"] | None = None
    turns: int | None = Field(None, ge=0, description="run exactly this many turns")
    max_turns: int = Field(100, ge=1)
    min_turns: int = Field(2, ge=1)
    stop_ratio: float = Field(0.02, ge=0)
    forecast: Literal["expected", "most-probable"] = "expected"


DEFAULTS = dict(VictoryProbModel="Linear", PCEModel="Conditional", StateTransitions="Deterministic",
                VotingRule="Prop", BigRAdjust="OneThird", BigRRange="Mid", ThirdPartyCommit="SemiCommit",
                InterVecBrgn="S2P2", BargnModel="InitOnlyInterp")


@register
class SMP(Model):
    name = "smp"
    summary = "KTAB's Spatial Model of Politics: challenges, bargains, probabilistic Condorcet elections"
    Params = SMPParams
    has_rounds = True
    min_actors = 2
    needs_all_stances = True
    needs_salience_shares = True
    needs_one_capability = True
    needs_positive_weights = True
    because = {"needs_all_stances": "issues are the dimensions of one policy space"}

    def options(self, inputs: Inputs) -> dict[str, str]:
        """KTAB's nine options: the parameters, else the scenario's settings, else KTAB's defaults."""
        settings = inputs.settings.get("smp", {})
        for k in OPTIONS:
            if k in settings and settings[k] not in SMPParams.model_fields[k].annotation.__args__[0].__args__:
                raise UsageError(f"model smp: the scenario's setting {k}={settings[k]!r} is not one of KTAB's values")
        return {k: getattr(self.params, k) or settings.get(k) or DEFAULTS[k] for k in OPTIONS}

    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        opt = self.options(inputs)
        X, S, c = _space(inputs)
        A = _accommodation(inputs.settings.get("smp", {}).get("accommodation", []), inputs.actors)
        game = Game(X, S, c, A, opt, rng)
        p = self.params
        game.play(turns=p.turns, max_turns=p.max_turns, min_turns=p.min_turns, stop_ratio=p.stop_ratio)
        lo, span = inputs.scale_min, inputs.scale_max - inputs.scale_min
        history = np.stack(game.history)
        # Coordinates that never moved are reported as given, not as rescaled twice.
        positions = np.where(history == history[0], inputs.position[None], history * span + lo)
        probs = game.probabilities[-1]
        final = game.history[-1]
        if self.params.forecast == "expected":
            reps = np.array(game.representatives[-1])
            forecast = (probs[reps, None] * final[reps]).sum(0) / probs[reps].sum()
        else:
            forecast = final[int(np.argmax(probs))]
        notes = [game.stopped]
        return Result(inputs.actors, inputs.issues, forecast * span + lo, positions, inputs.weight,
                      tables=game.tables(inputs, lo, span), notes=notes)

    exact_batch = True  # its batch is its single runs, bit for bit (accord.testing checks it)

    def solve_batch(self, base: Inputs, draws: Any) -> np.ndarray | None:
        """Forecasts (samples, issues) of sampled scenarios in lockstep (:mod:`._smp_batch`), the same
        to the bit as solving each: deterministic transitions, InitOnlyInterp bargains (S1P1 or S2P2),
        no accommodation matrix, at most ``MAX_ACTORS`` actors, and every sample acceptable to
        :meth:`check`; otherwise None (Monte Carlo then solves sample by sample)."""
        from . import _smp_batch

        opt = self.options(base)
        A = _accommodation(base.settings.get("smp", {}).get("accommodation", []), base.actors)
        if not _smp_batch.supported(opt, A, len(base.actors)) or self.check(base):
            return None
        S, cap = draws.salience, draws.capability
        s_total = S.sum(-1)
        if ((s_total > 1 + 1e-9) | (s_total <= 0)).any() or (cap <= 0).any() or (np.ptp(cap, axis=-1) > 0).any():
            return None  # a sample the model refuses: solved one by one, it is refused as such
        X = (draws.position - base.scale_min) / (base.scale_max - base.scale_min)
        c = cap[:, :, 0].copy()
        p = self.params
        with np.errstate(all="ignore"):
            game = _smp_batch.Batch(X, S, c, opt)
            final, own = game.play(turns=p.turns, max_turns=p.max_turns, min_turns=p.min_turns,
                                   stop_ratio=p.stop_ratio)
            forecast = _smp_batch.forecasts(c, opt, p.forecast == "expected", final, own)
        return forecast * (base.scale_max - base.scale_min) + base.scale_min

    @classmethod
    def interactions(cls, result: Result) -> pd.DataFrame:
        """Each turn's challenges: the initiator's chosen target, worth its expected gain (on every issue at once)."""
        import pandas as pd

        ch = result.table_frame("challenges", ["round", "initiator", "target", "gain"])
        return pd.DataFrame({"round": ch["round"], "issue": None, "actor": ch["initiator"], "other": ch["target"],
                             "kind": "challenge", "value": ch["gain"]})


def _space(inputs: Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions on [0, 1] per issue, saliences and one capability per actor (inputs that
    :meth:`SMP.check` accepts: every stance present, one capability per actor)."""
    X = (inputs.position - inputs.scale_min) / (inputs.scale_max - inputs.scale_min)
    return X, inputs.salience, inputs.capability[:, 0].copy()


def _accommodation(pairs: list[dict[str, Any]], actors: tuple[str, ...]) -> np.ndarray | None:
    """KTAB's IdealAdjustment: the identity, with each listed (actor, reference) entry replaced."""
    if not pairs:
        return None
    A = np.eye(len(actors))
    index = {a: k for k, a in enumerate(actors)}
    for pair in pairs:
        A[index[pair["actor"]], index[pair["reference"]]] = float(pair["weight"])
    return A


# -- voting, coalitions, PCE ---------------------------------------------------------------------


def coalitions(rule: str, w: np.ndarray, U: np.ndarray) -> np.ndarray:
    """C[..., a, b]: the strength of the voters preferring option a to b (U[..., k, a]: voter k's utility).

    Batched over leading axes. Every rule but ASymProsp is odd (a vote for b over a is minus
    the vote for a over b), so the opposing coalition is the transpose. KTAB casts each vote
    as "higher-index option over lower", which only the asymmetric rule notices. Voters are
    summed in chunks: O(n m^2) time, memory bounded.
    """
    n, m = U.shape[-2:]
    if rule == "Prop" and U.ndim == 2 and m >= FUSED_FROM and compiled("coalitions"):
        C = np.empty((m, m))
        compiled("coalitions")(w, np.ascontiguousarray(U), C)
        return C
    batch = int(np.prod(U.shape[:-2], dtype=int))
    chunk = max(1, 2 ** 18 // max(1, batch * m * m))
    if rule == "Prop" and U.ndim == 3 and n >= FUSED_FROM and compiled("coalitions_batch"):
        C = np.empty(U.shape[:-2] + (m, m))
        compiled("coalitions_batch")(w, np.ascontiguousarray(U), chunk, C)
        return C
    pos = np.zeros(U.shape[:-2] + (m, m))
    neg = np.zeros_like(pos) if rule == "ASymProsp" else None
    for k in range(0, n, chunk):
        u = U[..., k:k + chunk, :]
        v = vote(rule, w[k:k + chunk, None, None], u[..., :, :, None] - u[..., :, None, :])
        pos += np.maximum(v, 0.0).sum(-3)
        if neg is not None:
            neg += np.maximum(-v, 0.0).sum(-3)
    C = pos if neg is None else np.where(np.tri(m, k=-1, dtype=bool), pos, np.swapaxes(neg, -1, -2))
    C[..., np.arange(m), np.arange(m)] = 0.0
    return C + COALITION_SEED


def scalar_pce(opt: dict, w: np.ndarray, U: np.ndarray) -> np.ndarray:
    """KTAB's scalarPCE, batched over leading axes of U (..., voters, options)."""
    C = coalitions(opt["VotingRule"], w, U)
    return pce(opt["PCEModel"], C, victory(opt["VictoryProbModel"], C))


def big_r(span: str, p: np.ndarray) -> np.ndarray:
    lo, hi = p.min(), p.max()
    if hi == lo:
        return np.zeros_like(p)
    if span == "Mid":
        return (3 * p - (hi + 2 * lo)) / (2 * (hi - lo))
    if span == "Min":
        return (p - lo) / (hi - lo)
    return (2 * p - hi - lo) / (hi - lo)


def estimated_r(adjust: str, R_h: np.ndarray, R: np.ndarray) -> np.ndarray:
    """r[h, i]: observer h's estimate of i's risk attitude."""
    a = {"None": 0.0, "OneThird": 1 / 3, "Half": 0.5, "TwoThirds": 2 / 3, "Full": 1.0}[adjust]
    return ((1 - a) * R_h[:, None] + a * R[None, :]) if a not in (0.0, 1.0) else (
        np.broadcast_to(R_h[:, None], (len(R_h), len(R))) if a == 0.0 else np.broadcast_to(R, (len(R_h), len(R))))


# -- the game ---------------------------------------------------------------------------------


class Game:
    """One SMP run: states of positions and ideals, and what happened in each turn."""

    def __init__(self, X: np.ndarray, S: np.ndarray, c: np.ndarray, A: np.ndarray | None, opt: dict,
                 rng: np.random.Generator) -> None:
        self.S, self.c, self.A, self.opt, self.rng = S, c, A, opt, rng
        self.s_total = S.sum(1)
        self.W = c * self.s_total  # challenge weight
        self.history, self.ideals = [X.copy()], X.copy()
        self.challenges: list[dict[str, Any]] = []
        self.bargains: list[dict[str, Any]] = []
        self.risk: list[np.ndarray] = []
        self.probabilities: list[np.ndarray] = []
        self.representatives: list[list[int]] = []
        self.stopped = ""

    # distances from each ideal to every position (or to given points)
    def distances(self, Y: np.ndarray, X: np.ndarray) -> np.ndarray:
        S = self.S
        diff = S[:, None, :] * (Y[:, None, :] - X[None, :, :])
        return np.sqrt((diff ** 2).sum(-1) / (S ** 2).sum(-1)[:, None])

    def setup(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        d = self.distances(self.ideals, X)
        R = big_r(self.opt["BigRRange"], scalar_pce(self.opt, self.c, 1.0 - d))
        own = utility(d, R[:, None])
        self.risk.append(R)
        self._winning(X, own)
        return d, R, own

    def _winning(self, X: np.ndarray, own: np.ndarray) -> None:
        """KTAB's winning probabilities: a PCE over distinct positions, each actor using its own utilities."""
        close = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1) < SAME_POSITION
        reps: list[int] = []
        for i in range(len(X)):  # each actor joins the first earlier representative near it
            if not close[i, reps].any():
                reps.append(i)
        p = scalar_pce(self.opt, self.c, own[:, reps])
        near = close[:, reps]
        last = near.shape[1] - 1 - np.argmax(near[:, ::-1], axis=1)
        self.probabilities.append(p[last])
        self.representatives.append(reps)

    def play(self, turns: int | None, max_turns: int, min_turns: int, stop_ratio: float) -> None:
        X = self.history[0]
        d, R, own = self.setup(X)
        limit = turns if turns is not None else max_turns
        first = None
        for t in range(1, limit + 1):
            if np.ptp(X, axis=0).max() == 0:
                self.stopped = f"all actors share one position after {t - 1} turns"
                break
            X_new = self.turn(t, X, d, R, own)
            moved = np.linalg.norm(X_new - X, axis=1).sum()
            first = moved if first is None else first
            X = X_new
            self.history.append(X.copy())
            self.ideals = X.copy() if self.A is None else \
                self.A @ X + (1 - np.minimum(1.0, self.A.sum(1)))[:, None] * self.ideals
            d, R, own = self.setup(X)
            ratio = moved / (first + 1e-4)
            if turns is None and t >= min_turns and ratio < stop_ratio:
                self.stopped = f"stopped after {t} turns: the last turn moved {ratio:.2%} as much as the first"
                break
        else:
            self.stopped = (f"ran the {turns} turns asked for" if turns is not None
                            else f"stopped at max_turns={max_turns} without settling")

    def turn(self, t: int, X: np.ndarray, d: np.ndarray, R: np.ndarray, own: np.ndarray) -> np.ndarray:
        """One turn: O(n^3 d) for the challenges (:meth:`challenge_all`), O(n^2 d) to value the
        proposals' options, and O(n q^2) per queue PCE (q options, q <= n + 1)."""
        n = len(X)
        targets, p_win, gains = self.challenge_all(d, R)
        initiators = np.flatnonzero(targets >= 0)
        proposals = self.proposals(initiators, targets[initiators], X, p_win, d, R)
        for i in initiators:
            self.challenges.append({"round": t, "initiator": i, "target": targets[i], "p_win": p_win[i],
                                    "gain": gains[i]})
        # Each actor values every option by its mean utility over all positions after the option.
        base = own.sum(1)
        V = np.empty((n, 1 + len(proposals)))
        V[:, 0] = base / n
        if proposals:
            I, J = np.array([pr[0] for pr in proposals]), np.array([pr[1] for pr in proposals])
            points = np.array([b for pr in proposals for b in pr[2:]])  # b_i, b_j of each proposal
            u = utility(self.distances(self.ideals, points), R[:, None])
            V[:, 1:] = (base[:, None] - own[:, I] - own[:, J] + u[:, 0::2] + u[:, 1::2]) / n
        X_new = X.copy()
        draws = self.rng.random(n) if self.opt["StateTransitions"] == "Stochastic" else None
        queues: list[list[int]] = [[0] for _ in range(n)]
        for m, (i, j, _, _) in enumerate(proposals):
            queues[i].append(m + 1)
            if j != i:
                queues[j].append(m + 1)
        chosen = {}
        for length in sorted({len(q) for q in queues} - {1}):  # one batched PCE per queue length
            who = [k for k in range(n) if len(queues[k]) == length]
            options = np.array([queues[k] for k in who])
            probs = scalar_pce(self.opt, self.c, np.moveaxis(V[:, options], 1, 0))  # (actors, options)
            for k, q, p in zip(who, options, probs):
                pick = int(np.argmax(p)) if draws is None else min(int(np.searchsorted(np.cumsum(p), draws[k])),
                                                                   length - 1)
                if q[pick]:
                    i, j, b_i, b_j = proposals[q[pick] - 1]
                    X_new[k] = b_i if k == i else b_j
                    chosen[q[pick] - 1, k == i] = True
        for m, (i, j, b_i, b_j) in enumerate(proposals):
            self.bargains.append({"round": t, "initiator": i, "receiver": j, "b_initiator": b_i, "b_receiver": b_j,
                                  "taken_by_initiator": chosen.get((m, True), False),
                                  "taken_by_receiver": chosen.get((m, False), False)})
        return X_new

    def proposals(self, I: np.ndarray, J: np.ndarray, X: np.ndarray, p_win: np.ndarray, d: np.ndarray,
                  R: np.ndarray) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        """(initiator, receiver, b_initiator, b_receiver) of each challenge i -> j, in initiator order."""
        if self.opt["BargnModel"] == "InitOnlyInterp" and self.opt["InterVecBrgn"] != "S2PMax" and I.size:
            b_i, b_j = self._interpolate_all(I, J, X, p_win[I])
            return [(int(i), int(j), bi, bj) for i, j, bi, bj in zip(I, J, b_i, b_j)]
        return [(int(i), int(j), b_i, b_j) for i, j in zip(I, J)
                for b_i, b_j in self.bargains_for(i, j, X, p_win[i], d, R)]

    def challenge_all(self, d: np.ndarray, R: np.ndarray, chunk: int | None = None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each initiator's best target (-1: none), its win probability and expected gain."""
        n = len(R)
        chunk = chunk or max(1, min(n, 2 ** 19 // max(1, n * n)))  # arrays of ~4 MB
        targets, p_best, g_best = np.full(n, -1), np.zeros(n), np.zeros(n)
        for start in range(0, n, chunk):
            I = np.arange(start, min(n, start + chunk))
            P, gain = self.challenges_of(I, d, R)
            gain = np.where(np.arange(n)[None, :] == I[:, None], -np.inf, gain)
            ok = gain > MIN_GAIN
            best = np.argmax(np.where(ok, gain, -np.inf), axis=1)
            has = ok.any(1)
            targets[I] = np.where(has, best, -1)
            p_best[I] = P[np.arange(len(I)), best]
            g_best[I] = gain[np.arange(len(I)), best]
        return targets, p_best, g_best

    def challenges_of(self, I: np.ndarray, d: np.ndarray, R: np.ndarray, H: np.ndarray | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
        """(P[i, j], gain[i, j]) for initiators I against every target j, as observers H see them
        (by default each initiator itself): KTAB's probEduChlg(h, i, i, j).

        Observer h's utility matrix is U[a, b] = (1 - d_ab)(1 + d_ab r_ha); only its rows and
        columns of i, its diagonal, and the third parties' utilities of j's position (an
        (initiators, targets, third parties) array) are needed.
        """
        opt, W, s = self.opt, self.W, self.s_total
        H = I if H is None else H
        n, m = len(R), len(I)
        r = estimated_r(opt["BigRAdjust"], R[H], R)  # (m, n): h's estimate of each actor's attitude
        rows, targets = np.arange(m), np.arange(n)
        u_ij = utility(d[I, :], r[rows, I][:, None])  # (m, n): i's utility of j's position
        u_ji = utility(d[:, I].T, r)  # (m, n): j's utility of i's position
        u_jj = utility(np.diagonal(d)[None, :], r)  # (m, n)
        u_ii = u_ij[rows, I][:, None]
        rule = opt["VotingRule"]
        ci = vote(rule, W[I][:, None], u_ii - u_ij)
        cj = vote(rule, W[None, :], u_ji - u_jj)
        Ci0 = CHALLENGE_SEED + np.maximum(ci, 0) + np.maximum(cj, 0)
        Cj0 = CHALLENGE_SEED + np.maximum(-ci, 0) + np.maximum(-cj, 0)
        fused = rule == "Prop" and n >= FUSED_FROM and compiled("third_parties")
        if opt["ThirdPartyCommit"] == "SemiCommit" and fused:
            ET, FT = self._third_party_terms(d, transposed=True)
            Ci, Cj = np.empty_like(Ci0), np.empty_like(Cj0)
            fused(I, ET, FT, np.ascontiguousarray(r), u_ji, u_jj, W, Ci0, Cj0, Ci, Cj)
        elif opt["ThirdPartyCommit"] == "SemiCommit":
            # Third parties t (last axis) in the contest of i against j (middle axis), each alone.
            E, F = self._third_party_terms(d)
            unj = F[None, :, :] * r[:, None, :]
            unj += E[None, :, :]  # (m, j, t): t's utility of j's position
            uni, unn = u_ji[:, None, :], u_jj[:, None, :]  # (m, 1, t)
            v0 = vote(rule, W[None, None, :], uni - unj)
            pin = np.maximum(v0, 0.0)
            pin += Ci0[:, :, None]
            pin /= pin + Cj0[:, :, None] + np.maximum(-v0, 0.0)
            # EU(t joins i) - EU(t joins j) = pin (unn - uni) - (1 - pin)(unn - unj)
            g = np.subtract(unn, unj, out=unj)
            vn = pin * (g + (unn - uni))
            vn -= g
            vn = vote(rule, W[None, None, :], vn)
            vn[rows, :, I] = 0.0  # the initiator is no third party
            vn[:, targets, targets] = 0.0  # nor is the target
            Ci = Ci0 + np.maximum(vn, 0.0).sum(-1)
            Cj = Cj0 + np.maximum(-vn, 0.0).sum(-1)
        else:  # under the other two rules joining either side is worth the same: third parties abstain
            Ci, Cj = Ci0, Cj0
        P = Ci / (Ci + Cj)  # always the linear ratio, whatever VictoryProbModel says
        sj = s[None, :]
        gain = (1 - sj) * 2 * u_ii + sj * (P * 2 * u_ii + (1 - P) * 2 * u_ij) - (u_ii + u_ij)
        return P, gain

    def _third_party_terms(self, d: np.ndarray, transposed: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """E, F with t's utility of j's position = E[j, t] + F[j, t] r_t (cached per turn);
        ``transposed``: the same numbers as (t, j) arrays."""
        if getattr(self, "_terms_for", None) is not d:
            dt = np.ascontiguousarray(d.T)
            self._terms = (1.0 - dt, (1.0 - dt) * dt)
            self._terms_t = None
            self._terms_for = d
        if not transposed:
            return self._terms
        if self._terms_t is None:
            self._terms_t = tuple(np.ascontiguousarray(a.T) for a in self._terms)
        return self._terms_t

    def bargains_for(self, i: int, j: int, X: np.ndarray, p: float, d: np.ndarray, R: np.ndarray
                     ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The bargains (point for i, point for j) that i's challenge of j puts in both queues."""
        model = self.opt["BargnModel"]
        mine = self._interpolate(i, j, X, p)
        if model == "InitOnlyInterp":
            return [mine]
        # The receiver's version: KTAB interpolates it with j's estimate of i's expected gain
        # where a probability belongs (its probEduChlg(j, i, i, j)); kept, to stay comparable.
        _, gain = self.challenges_of(np.array([i]), d, R, H=np.array([j]))
        theirs = self._interpolate(i, j, X, float(gain[0, j]))
        if model == "InitRcvrInterp":
            return [mine, theirs]
        # PWCompInterp: KTAB weights both versions with i's capability, so by salience alone.
        wi, wj = self.s_total[i], self.s_total[j]
        return [((wi * mine[0] + wj * theirs[0]) / (wi + wj), (wi * mine[1] + wj * theirs[1]) / (wi + wj))]

    def _interpolate_all(self, I: np.ndarray, J: np.ndarray, X: np.ndarray, p: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_interpolate` (S1P1, S2P2) for many challenges at once, the same arithmetic
        element by element (the powers of the scalar probabilities are taken one by one, as there)."""
        si, sj, xi, xj = self.S[I], self.S[J], X[I], X[J]
        e = 2 if self.opt["InterVecBrgn"] == "S2P2" else 1
        pe = np.array([q ** e for q in p])[:, None]
        qe = np.array([(1 - q) ** e for q in p])[:, None]
        wi, wj = si ** e * pe, sj ** e * qe
        total = wi + 1e-6 + wj
        return round4(((wi + 1e-6) * xi + wj * xj) / total), round4((wi * xi + (wj + 1e-6) * xj) / total)

    def _interpolate(self, i: int, j: int, X: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
        si, sj, xi, xj = self.S[i], self.S[j], X[i], X[j]
        kind = self.opt["InterVecBrgn"]
        if kind == "S2PMax":
            di, dj = max(0.0, (1 - p) - p), max(0.0, p - (1 - p))
            ti = di * sj ** 2 / (di * sj ** 2 + 1e-6 + (1 - di) * si ** 2)
            tj = dj * si ** 2 / (dj * si ** 2 + 1e-6 + (1 - dj) * sj ** 2)
            return xi + ti * (xj - xi), xj + tj * (xi - xj)
        e = 2 if kind == "S2P2" else 1
        wi, wj = si ** e * p ** e, sj ** e * (1 - p) ** e
        total = wi + 1e-6 + wj
        return round4(((wi + 1e-6) * xi + wj * xj) / total), round4((wi * xi + (wj + 1e-6) * xj) / total)

    def tables(self, inputs: Inputs, lo: np.ndarray, span: np.ndarray) -> dict[str, pd.DataFrame]:
        import pandas as pd

        actors = np.asarray(inputs.actors, dtype=object)
        ch = pd.DataFrame(self.challenges, columns=["round", "initiator", "target", "p_win", "gain"])
        ch["initiator"], ch["target"] = actors[ch["initiator"].to_numpy(int)], actors[ch["target"].to_numpy(int)]
        rows = []
        for b in self.bargains:
            for k, issue in enumerate(inputs.issues):
                rows.append({"round": b["round"], "initiator": actors[b["initiator"]],
                             "receiver": actors[b["receiver"]],
                             "issue": issue, "initiator_position": b["b_initiator"][k] * span[k] + lo[k],
                             "receiver_position": b["b_receiver"][k] * span[k] + lo[k],
                             "taken_by_initiator": b["taken_by_initiator"],
                             "taken_by_receiver": b["taken_by_receiver"]})
        n_states = len(self.probabilities)
        probs = pd.DataFrame({"round": np.repeat(np.arange(n_states), len(actors)), "actor": np.tile(actors, n_states),
                              "probability": np.concatenate(self.probabilities),
                              "risk_attitude": np.concatenate(self.risk)})
        cols = ["round", "initiator", "receiver", "issue", "initiator_position", "receiver_position",
                "taken_by_initiator", "taken_by_receiver"]
        return {"challenges": ch, "bargains": pd.DataFrame(rows, columns=cols), "probabilities": probs}


# -- an optional compiled kernel ------------------------------------------------------------------


def _third_parties(I, ET, FT, r, u_ji, u_jj, W, Ci0, Cj0, Ci, Cj):  # pragma: no cover - compiled
    """The SemiCommit third-party sums of challenges_of for the Prop rule, in one pass.

    The same arithmetic as the array code, fused: no (initiators, targets, third parties)
    temporaries. ``ET``, ``FT``: the terms E, F transposed (third party, target). For each
    initiator the targets j form the inner loop, each with its own sums, so that the compiler
    runs several targets in one vector instruction while each sum still adds its terms in the
    order of the third parties; the initiator and the target add nothing (zero, by a select:
    the sums start at +0 and keep their sign, so adding zero changes no bit), and each vote goes
    to its side by a select rather than a branch. O(m n^2) for m initiators.
    """
    m, n = Ci0.shape
    up, down = np.empty(n), np.empty(n)
    for a in range(m):
        i = I[a]
        up[:] = 0.0
        down[:] = 0.0
        for t in range(n):
            if t == i:
                continue
            uni, unn, rt, wt = u_ji[a, t], u_jj[a, t], r[a, t], W[t]
            for j in range(n):
                unj = FT[t, j] * rt + ET[t, j]
                v0 = wt * (uni - unj)
                pro = Ci0[a, j] + (0.0 if v0 <= 0.0 else v0)  # max(v0, 0), NaN passing as in numpy
                pin = pro / (pro + Cj0[a, j] + (0.0 if -v0 <= 0.0 else -v0))
                g = unn - unj
                vn = wt * (pin * (g + (unn - uni)) - g)
                vn = 0.0 if t == j else vn
                positive = vn > 0.0
                up[j] += vn if positive else 0.0
                down[j] -= 0.0 if positive else vn
        for j in range(n):
            Ci[a, j] = Ci0[a, j] + up[j]
            Cj[a, j] = Cj0[a, j] + down[j]


def _coalitions(w, U, C):  # pragma: no cover - compiled
    """coalitions() for the Prop rule in one pass: C[a, b] = seed + sum_k w_k max(0, U[k, a] - U[k, b]).

    Each sum adds the voters in order; the options b form the inner loop (one vector
    instruction for several), and a vote against adds zero by a select. O(n m^2)."""
    n, m = U.shape
    total = np.empty(m)
    for a in range(m):
        total[:] = 0.0
        for k in range(n):
            ua, wk = U[k, a], w[k]
            for b in range(m):
                du = ua - U[k, b]
                total[b] += wk * du if du > 0.0 else 0.0
        for b in range(m):
            C[a, b] = total[b] + COALITION_SEED


def _coalitions_batch(w, U, chunk, C):  # pragma: no cover - compiled
    """coalitions() for the Prop rule over a batch U (batch, voters, options), with the array
    code's sums exactly: voters summed in order within chunks of ``chunk``, the chunks' sums
    added to zero in order (as ``pos += part.sum(-3)`` does)."""
    B, n, m = U.shape
    for q in range(B):
        for a in range(m):
            for b in range(m):
                pos = 0.0
                if a != b:
                    for k0 in range(0, n, chunk):
                        part = 0.0
                        for k in range(k0, min(n, k0 + chunk)):
                            v = w[k] * (U[q, k, a] - U[q, k, b])
                            part += v if not v <= 0.0 else 0.0
                        pos += part
                C[q, a, b] = pos + COALITION_SEED


FUSED_FROM = 48  # below this many actors the arrays are fast enough and compiling is not worth it
KERNELS = {name: Lazy(fn, error_model="numpy") for name, fn in
           (("third_parties", _third_parties), ("coalitions", _coalitions), ("coalitions_batch", _coalitions_batch))}


def compiled(name: str):
    """The compiled kernel (numba, the optional extra "fast"), or None: the array code runs."""
    return KERNELS[name].get()
