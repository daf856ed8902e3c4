"""The exchange model as decide-exchange-model computes it: 28-digit decimals, its order of operations.

``exchange`` with ``preset=decide``. decide (Draaijer's implementation of Stokman's equal-gain
model, the reference of :mod:`accord.models.exchange`) computes in Python's ``decimal``, 28
significant digits. The vectorised float model follows the same rules but cannot follow the
digits where they decide: when an exchange cuts its move so that an outcome lands exactly on
the demander's position, later candidates find that outcome on the position up to a residual
of the order of 1e-26, and the sign of the residual decides whether such a candidate is cut to
a zero move (and dropped) or keeps its full move. This module repeats decide's computation
step by step (one candidate at a time, in decide's list order, with decide's formulas and
their order of operations) so that its results are decide's, digit for digit.

What is read how (all as decide does):

* Numbers are the decimals they were written as (the shortest representation of each float:
  ``37.12`` is ``Decimal('37.12')``); positions are rescaled to 0..100 per issue by
  ``(x - lo) * (100 / (hi - lo))``.
* Sums run over the actors present on an issue in the scenario's order of actors (decide sums
  in its file's order of ``#D`` rows; the two agree when those rows follow the ``#A`` rows).
* The outcome is ``sum((x s) c) / sum(s c)``; every candidate judges an issue's outcome from
  the round-start positions, with the positions it has recorded for the partners of its
  demanders substituted, and its own actor's position last (when computing its outcome) or
  first (when computing how far to move so the outcome lands on the demander's position).
* Candidates are kept in a list, sorted by gain (stable, highest first) before each pick;
  gains within 1e-20 of the next are a tie, broken by a coin (``ties=random``: the seeded
  generator, one draw a tie; ``ties=order``: always the first). As in decide, the loser of a
  tie goes to the end of the list, and when the first wins, the second is also appended there
  (it is then in the list twice).
* A preference moves to ``(1 - s) w_s y + w_f y + (1 - (1 - s) w_s - w_f) x``, with the weights
  as the decimals of their binary floats (``Decimal(0.4)``), as decide writes them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

import numpy as np

from ..scenario import Inputs
from ._exchange_played import Played

CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)  # Python's default context, in which decide runs
ZERO, HUNDRED = Decimal(0), Decimal(100)
SMALLEST = Decimal(1e-10)  # decide compares moves and gains with the float 1e-10
TIE = Decimal(1e-20)


def written(v: float) -> Decimal:
    """The decimal a number was written as: the shortest text that reads back as the same float."""
    return Decimal(repr(float(v)))


class Side:
    """One actor's part in a candidate: it moves on its supply issue toward its partner."""

    __slots__ = ("actor", "supply", "demand", "start", "x", "target", "sigma", "delta", "power", "move", "y",
                 "history", "nbs0", "nbs1")

    def __init__(self, game: DecimalGame, actor: int, supply: int, demand: int, partner: int) -> None:
        self.actor, self.supply, self.demand = actor, supply, demand
        self.start = self.x = game.x[actor][supply]  # round start; x moves with executed exchanges
        self.target = game.x[partner][supply]  # the partner's round-start position here
        self.sigma, self.delta = game.s[actor][supply], game.s[actor][demand]
        self.power = game.c[actor][supply]
        self.move = self.y = self.nbs0 = self.nbs1 = ZERO
        self.history: list[Decimal] = []  # moves computed for this side in the round

    def toward(self, size: Decimal) -> Decimal:
        return -size if self.x > self.target else size

    def ok(self) -> bool:
        """decide's test of a move: 0 < |m| <= 100, inside 0..100, history summing to at most 100
        and of one sign."""
        m = self.move
        if abs(m) > HUNDRED or abs(m) <= SMALLEST:
            return False
        if self.x + m < 0 or self.x + m > HUNDRED:
            return False
        if sum(self.history) > HUNDRED:
            return False
        lo, hi = min(self.history), max(self.history)
        return (lo < 0 and hi < 0) or (lo > 0 and hi > 0)


class Candidate:
    """A possible exchange: I supplies the pair's second issue q, J the first issue p."""

    __slots__ = ("I", "J", "inner", "seen", "gain", "valid")

    def __init__(self, game: DecimalGame, i: int, j: int, p: int, q: int, inner: int) -> None:
        s = game.s
        if s[i][p] / s[i][q] < s[j][p] / s[j][q]:
            i, j = j, i
        self.I, self.J = Side(game, i, q, p, j), Side(game, j, p, q, i)
        self.inner = inner
        self.seen: dict[int, dict[int, Decimal]] = {}  # issue -> actor -> position recorded after a partner's move
        self.gain, self.valid = ZERO, False


class DecimalGame:
    """The scenario's state in decimals, played round by round."""

    def __init__(self, inputs: Inputs, fixed_weight: float, salience_weight: float, ties: str,
                 rng: np.random.Generator) -> None:
        self.inputs, self.ties, self.rng = inputs, ties, rng
        n, K = inputs.position.shape
        self.n, self.K = n, K
        with localcontext(CONTEXT):
            lo, hi = [written(v) for v in inputs.scale_min], [written(v) for v in inputs.scale_max]
            self.step = [HUNDRED / (hi[k] - lo[k]) for k in range(K)]
            self.lo = lo
            present = inputs.present
            self.on = [[a for a in range(n) if present[a, k]] for k in range(K)]
            self.x = [[(written(inputs.position[a, k]) - lo[k]) * self.step[k] if present[a, k] else None
                       for k in range(K)] for a in range(n)]
            self.s = [[written(inputs.salience[a, k]) if present[a, k] else None for k in range(K)] for a in range(n)]
            self.c = [[written(inputs.capability[a, k]) if present[a, k] else None for k in range(K)]
                      for a in range(n)]
            self.D = [sum(self.s[a][k] * self.c[a][k] for a in self.on[k]) for k in range(K)]
            # decide divides by an actor's salience and capability: where either is 0 it does not trade
            self.trades = [[present[a, k] and self.s[a][k] > 0 and self.c[a][k] > 0 for k in range(K)]
                           for a in range(n)]
            self.fixed, self.salience_weight = Decimal(fixed_weight), Decimal(salience_weight)

    # -- sums over an issue's actors ----------------------------------------------------------

    def outcome(self, k: int) -> Decimal:
        """The weighted mean of the current positions on issue k: sum((x s) c) / sum(s c)."""
        if self.D[k] == 0:
            return ZERO  # as decide: no weight, outcome 0
        return sum(self.x[a][k] * self.s[a][k] * self.c[a][k] for a in self.on[k]) / self.D[k]

    def _seen_sum(self, cand: Candidate, side: Side, own: Decimal, own_first: bool) -> Decimal:
        """sum((x s) c) over the supply issue, with the candidate's recorded positions and the side's
        own position ``own`` substituted; ``own_first``: a recorded position of the side's own actor wins."""
        k, seen = side.supply, cand.seen.get(side.supply, {})
        out = ZERO
        for a, term in self.terms[k]:
            if a == side.actor and not (own_first and a in seen):
                out += own * self.s[a][k] * self.c[a][k]
            elif a in seen:
                out += seen[a] * self.s[a][k] * self.c[a][k]
            else:
                out += term  # the round-start term, computed as above
        return out

    def view(self, cand: Candidate, side: Side, z: Decimal) -> Decimal:
        """The outcome of the side's supply issue as the candidate sees it, with the side at z."""
        return self._seen_sum(cand, side, z, own_first=False) / self.D[side.supply]

    def cut(self, cand: Candidate, side: Side) -> Decimal:
        """How far the side must move so that the outcome lands on its partner's (demander's) position."""
        k = side.supply
        left = side.target * self.D[k] - self._seen_sum(cand, side, side.x, own_first=True)
        return abs(left / (self.s[side.actor][k] * self.c[side.actor][k]))

    # -- one candidate ------------------------------------------------------------------------

    def ratio(self, side: Side, move: Decimal) -> Decimal:
        """The outcome shift of a move: (m s) c / D."""
        return move * side.sigma * side.power / self.D[side.supply]

    def move_for(self, side: Side, ratio: Decimal) -> Decimal:
        """The move that shifts the outcome by ``ratio``: r D / (c s)."""
        return ratio * self.D[side.supply] / (side.power * side.sigma)

    @staticmethod
    def partner_ratio(A: Side, B: Side, r: Decimal) -> Decimal:
        """B's outcome shift that gives both sides equal gain when A's is r."""
        return (A.sigma + B.delta) / (A.delta + B.sigma) * r

    def equal_gain(self, cand: Candidate) -> None:
        """J moves all the way to I's position, I's move follows for equal gain; if I would pass
        J's position, I moves all the way and J's follows. Then both moves are capped."""
        I, J = cand.I, cand.J
        rp = self.ratio(J, abs(J.target - J.x))
        rq = self.partner_ratio(J, I, rp)
        I.move, J.move = self.move_for(I, rq), abs(J.target - J.x)
        if abs(I.move) > abs(I.target - I.x):
            rq = self.ratio(I, abs(I.target - I.x))
            rp = self.partner_ratio(I, J, rq)
            I.move, J.move = abs(I.target - I.x), self.move_for(J, rp)
        I.move, J.move = I.toward(I.move), J.toward(J.move)
        I.history.append(I.move)
        J.history.append(J.move)
        I.y, J.y = I.x + I.move, J.x + J.move
        cand.gain = abs(rq * I.sigma - rp * I.delta)
        cand.valid = I.ok() and J.ok() and not cand.gain < SMALLEST
        if cand.valid:
            self.cap(cand, I, J)
            self.cap(cand, J, I)
            cand.valid = I.ok() and J.ok()

    def cap(self, cand: Candidate, A: Side, B: Side) -> None:
        """Cut A's move where the outcome would pass its partner's position; B's follows."""
        A.nbs0, A.nbs1 = self.view(cand, A, A.x), self.view(cand, A, A.y)
        t = A.target
        if (t - A.nbs0 >= 0 and t - A.nbs1 >= 0) or (t - A.nbs0 <= 0 and t - A.nbs1 <= 0):
            return
        size = self.cut(cand, A)
        rA = self.ratio(A, size)
        rB = self.partner_ratio(A, B, rA)
        B.move, A.move = B.toward(abs(self.move_for(B, rB))), A.toward(size)
        B.history[-1], A.history[-1] = B.move, A.move
        B.y, A.y = B.x + B.move, A.x + A.move
        cand.gain = abs(rB * B.sigma - rA * B.delta)
        A.nbs1 = self.view(cand, A, A.y)

    def follow(self, cand: Candidate, done: Candidate) -> None:
        """Recompute a candidate after ``done`` was carried out, if it shares an actor-issue with it.

        A side whose actor moved on its supply issue starts from the new position and keeps its
        last move in its history; a side whose actor demands the issue on which ``done``'s other
        actor moved records that move (the farthest along the mover's way)."""
        hit = False
        for side in (cand.I, cand.J):
            for mover in (done.I, done.J):
                if side.actor == mover.actor and side.supply == mover.supply:
                    side.x, hit = mover.y, True
                    side.history.append(mover.history[-1])
                    break
        if hit:
            cand.I.history.pop()
            cand.J.history.pop()
        for demander, mover in ((done.J, done.I), (done.I, done.J)):
            if any(side.actor == demander.actor and side.demand == demander.demand for side in (cand.J, cand.I)):
                record = cand.seen.setdefault(demander.demand, {})
                old = record.get(mover.actor)
                if old is None:
                    record[mover.actor] = mover.y
                elif mover.start <= old:
                    record[mover.actor] = old if old < mover.y else mover.y
                else:
                    record[mover.actor] = old if old > mover.y else mover.y
                if not hit:
                    cand.I.history.pop()
                    cand.J.history.pop()
                    hit = True
        if hit:
            self.equal_gain(cand)

    # -- a round ------------------------------------------------------------------------------

    def candidates(self) -> list[Candidate]:
        """Per pair of issues, actors in opposite corners (right-right with left-left, left-right
        with right-left of the outcomes), in the order of actors."""
        O = [self.outcome(k) for k in range(self.K)]
        out = []
        for p in range(self.K):
            for q in range(p + 1, self.K):
                groups: list[list[int]] = [[], [], [], []]
                for a in range(self.n):
                    if self.trades[a][p] and self.trades[a][q]:
                        groups[int(self.x[a][p] <= O[p]) + 2 * int(self.x[a][q] <= O[q])].append(a)
                for g1, g2, inner in ((0, 3, 0), (1, 2, 1)):
                    for i in groups[g1]:
                        for j in groups[g2]:
                            cand = Candidate(self, i, j, p, q, inner)
                            self.equal_gain(cand)
                            out.append(cand)
        return out

    def pick(self, cands: list[Candidate]) -> Candidate:
        cands.sort(key=lambda c: c.gain, reverse=True)
        top = cands.pop(0)
        if cands and abs(top.gain - cands[0].gain) < TIE:
            second = cands[0]
            if self.ties == "random" and self.rng.random() >= 0.5:
                cands.append(top)
                top = cands.pop(0)
            else:
                cands.append(second)
        return top

    def play_round(self) -> tuple[Played, np.ndarray]:
        """Carry out the round's exchanges, move the preferences; return the round as played and
        the voting positions (0..100)."""
        with localcontext(CONTEXT):
            start = [row[:] for row in self.x]
            self.terms = [[(a, self.x[a][k] * self.s[a][k] * self.c[a][k]) for a in self.on[k]] for k in range(self.K)]
            O = [self.outcome(k) for k in range(self.K)]
            cands, done = self.candidates(), []
            while cands:
                top = self.pick(cands)
                if not top.valid:
                    continue
                kept = []
                for cand in cands:
                    if cand.valid:
                        self.follow(cand, top)
                        if cand.valid:
                            kept.append(cand)
                cands = kept
                done.append(top)
            vote = [row[:] for row in start]
            for e in done:
                for side in (e.I, e.J):
                    vote[side.actor][side.supply] = side.y
            for e in done:
                for side in (e.I, e.J):
                    self.x[side.actor][side.supply] = self.preference(side)
            played = self._played(start, O, done)
        return played, as_float(vote)

    def preference(self, side: Side) -> Decimal:
        """The new preference: part of the way from the round's start to this exchange's voting position."""
        ws, wf = self.salience_weight, self.fixed
        s, x, y = side.sigma, side.start, side.y
        return (1 - s) * ws * y + wf * y + (1 - (1 - s) * ws - wf) * x

    def _played(self, start, O, done: list[Candidate]) -> Played:
        inputs = self.inputs
        pair = lambda f: np.array([[f(e.I), f(e.J)] for e in done], dtype=float).reshape(-1, 2)  # noqa: E731
        return Played(as_float(start), inputs.salience, inputs.weight,
                      np.array([float(o) for o in O]),
                      pair(lambda s: s.actor).astype(int), pair(lambda s: s.supply).astype(int),
                      pair(lambda s: s.start), pair(lambda s: s.y), pair(lambda s: s.nbs0), pair(lambda s: s.nbs1),
                      np.array([float(e.gain) for e in done]), np.array([e.inner for e in done], dtype=int))

    # -- results on the issues' scales ------------------------------------------------------------

    def back(self, v: Decimal, k: int) -> Decimal:
        """A 0..100 value on issue k's own scale."""
        return self.lo[k] if v == 0 else v / self.step[k] + self.lo[k]

    def positions(self) -> np.ndarray:
        with localcontext(CONTEXT):
            return np.array([[np.nan if v is None else float(self.back(v, k)) for k, v in enumerate(row)]
                             for row in self.x])

    def outcomes(self) -> np.ndarray:
        with localcontext(CONTEXT):
            return np.array([float(self.back(self.outcome(k), k)) if self.on[k] else np.nan for k in range(self.K)])


def as_float(x: list[list[Decimal | None]]) -> np.ndarray:
    return np.array([[np.nan if v is None else float(v) for v in row] for row in x])
