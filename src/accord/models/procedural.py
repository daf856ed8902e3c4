"""The procedural model: the point of the win set nearest to the compromise.

The decision rule in force (the issue's, else the scenario's) says which coalitions can
replace the reference point q; the win set W(q) holds the points some winning coalition
prefers to q (actors with symmetric single-peaked preferences on the issue's line; Tsebelis
2002, *Veto Players*). The forecast is the point of the closed win set nearest to the
capability x salience weighted mean of the positions (the compromise, :mod:`.compromise`):
bargaining pulls toward the compromise, the rule bounds where it can land. When W(q) is
empty the status quo stands (deadlock); under rule ``decider`` the decider's position is the
outcome. An issue without a reference point has no win set, but the rule still has a core,
the points no winning coalition can upset (Black 1948: the median under majority rule;
Tsebelis 2002: the veto players' span under unanimity): the forecast is the point of the core
nearest the compromise, and the result notes that the issue had no reference point (where the
core is empty, as under a quota of half or less, the compromise itself). An issue without a
decision rule is refused, not given one: the procedural forecast would then be another model's
under this one's name. Procedural models of EU legislation in this spirit: Tsebelis & Garrett (2000),
Steunenberg & Selck (2006, in Thomson et al., *The European Union Decides*). Table
``institutions`` gives, per issue, the rule, the win set, its size and whether it is empty.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..scenario import Inputs, Rule
from ..stats import fmt, weighted_mean
from .base import Model, Result, register

#: Relative tolerance of a quota test: 260/352 of 352 votes is 260, whatever the rounding.
_TOL = 1e-9


@dataclass(frozen=True)
class Intervals:
    """A finite union of disjoint intervals, in order: open (a win set) or ``closed`` (a core)."""

    parts: tuple[tuple[float, float], ...] = ()
    closed: bool = False

    @property
    def empty(self) -> bool:
        return not self.parts

    @property
    def size(self) -> float:
        """The total length."""
        return math.fsum(hi - lo for lo, hi in self.parts)

    def nearest(self, x: float) -> float | None:
        """The point of the closure nearest to x (the lower of two equally near); None if empty."""
        points = [min(max(x, lo), hi) for lo, hi in self.parts]
        return min(points, key=lambda p: (abs(p - x), p)) if points else None

    def __str__(self) -> str:
        left, right = "[]" if self.closed else "()"
        return " and ".join(f"{left}{lo:g}, {hi:g}{right}" for lo, hi in self.parts) or "empty"


@dataclass(frozen=True)
class Game:
    """A weighted voting game: a coalition wins when it has a member, holds every veto
    player and ``quota`` of the votes (``strict``: more than ``quota``)."""

    actors: tuple[str, ...]
    votes: np.ndarray
    quota: float
    vetoes: frozenset[int] = frozenset()
    strict: bool = False

    def wins(self, members: Sequence[int]) -> bool:
        chosen = set(members)
        if not chosen or not self.vetoes <= chosen:
            return False
        weight = math.fsum(self.votes[list(chosen)])
        slack = _TOL * max(math.fsum(self.votes), 1.0)
        return weight > self.quota + slack if self.strict else weight >= self.quota - slack


def game(rule: Rule, actors: Sequence[str], capability: np.ndarray) -> Game:
    """The voting game of a rule among ``actors`` (those taking part in the issue), with their
    ``capability`` on it as votes when the rule gives none. A named actor not among them (left
    out of a counterfactual, or without a stance) has no vote and no veto."""
    index = {a: k for k, a in enumerate(actors)}
    if rule.votes is None:
        votes = np.asarray(capability, dtype=float)
        top = float(votes.max(initial=0.0))
        if top > 1e100 or 0 < top < 1e-100:  # only ratios count: keep the sums finite and above 0
            votes = votes / top
    else:
        given = dict(rule.votes)
        votes = np.array([float(given.get(a, 0.0)) for a in actors])
    if rule.kind == "decider":
        if rule.decider not in index:  # no one to decide: nothing replaces the reference point
            return Game(tuple(actors), votes, math.inf)
        return Game(tuple(actors), votes, 0.0, frozenset({index[rule.decider]}))
    vetoes = frozenset(index[a] for a in rule.vetoes if a in index)
    total = math.fsum(votes)
    if rule.kind == "unanimity":
        return Game(tuple(actors), votes, 0.0, vetoes)
    if rule.kind == "majority":
        return Game(tuple(actors), votes, total / 2, vetoes, strict=True)
    return Game(tuple(actors), votes, (rule.threshold or 1.0) * total, vetoes)


def _side(positions: np.ndarray, g: Game, q: float, sign: int, backing: Sequence[int] = ()) -> float | None:
    """How far the win set reaches on one side of q (sign +1: above), or None if not at all.

    Actor i prefers x beyond q on its side while x is short of its reach 2 p_i - q; the
    actors preferring x are those whose reach passes x, so the win set ends at the reach of
    the actor whose joining first makes them winning (the game is monotone). ``backing``:
    actors counted as supporting every change, wherever they stand (see :func:`locks`)."""
    side = [k for k in range(len(positions)) if sign * (positions[k] - q) > 0 and k not in backing]
    order = sorted(side, key=lambda k: -sign * positions[k])
    for n in range(1, len(order) + 1):
        if g.wins([*backing, *order[:n]]):
            return float(2 * positions[order[n - 1]] - q)
    return None


def win_set(positions: np.ndarray, g: Game, q: float, lo: float, hi: float, backing: Sequence[int] = ()
            ) -> Intervals:
    """W(q): the points of the scale [lo, hi] some winning coalition prefers to q, as open
    intervals (Tsebelis 2002, ch. 1). ``backing``: actors counted as supporting every change."""
    parts = []
    if backing and g.wins(list(backing)):  # they win alone and back every change: every point
        return Intervals(tuple(p for p in ((lo, q), (q, hi)) if p[0] < p[1]))
    below, above = _side(positions, g, q, -1, backing), _side(positions, g, q, +1, backing)
    if below is not None and max(below, lo) < q:
        parts.append((max(below, lo), q))
    if above is not None and q < min(above, hi):
        parts.append((q, min(above, hi)))
    return Intervals(tuple(parts))


def _upset(positions: np.ndarray, g: Game, x: float) -> bool:
    """Whether some winning coalition prefers a point next to x to x: those on one side of x."""
    above = [k for k in range(len(positions)) if positions[k] > x]
    below = [k for k in range(len(positions)) if positions[k] < x]
    return g.wins(above) or g.wins(below)


def core(positions: np.ndarray, g: Game) -> Intervals:
    """The points no winning coalition can upset, as closed intervals (the core of the game
    on the line; Black 1948 for majority rule, where it is the median; Tsebelis 2002, ch. 1,
    for veto players, where it is the span of their positions). Between two neighbouring
    positions nothing changes, so the positions and one point between each pair tell it all.
    Empty when the rule lets two disjoint coalitions win (a quota of half or less, no veto
    player): every point can be upset."""
    points = np.unique(positions)
    parts: list[tuple[float, float]] = []
    for k, x in enumerate(points):
        if _upset(positions, g, x):
            continue
        gap_in = k > 0 and not _upset(positions, g, (points[k - 1] + x) / 2)
        if gap_in and parts and parts[-1][1] == points[k - 1]:
            parts[-1] = (parts[-1][0], float(x))
        else:
            parts.append((float(x), float(x)))
    return Intervals(tuple(parts), closed=True)


def veto_players(g: Game) -> list[int]:
    """The players whose agreement is necessary for any change: the members of every winning
    coalition, those without whom even all the others lose (Tsebelis 2002, *Veto Players*,
    ch. 1-2). Under unanimity or a qualified majority they are the named veto players and any
    player whose votes alone block the quota (the total minus its votes falls short of it); a
    decider is the one veto player. None when even the grand coalition loses (no one to decide).

    >>> g = Game(("A", "B", "C"), np.array([5.0, 3.0, 2.0]), 7.0)  # A's 5 of 10 block a quota of 7
    >>> veto_players(g)
    [0]
    """
    everyone = list(range(len(g.votes)))
    if not g.wins(everyone):
        return []
    return [k for k in everyone if not g.wins([j for j in everyone if j != k])]


def locks(positions: np.ndarray, g: Game, q: float, players: Sequence[int] | None = None) -> list[int]:
    """The veto players (of ``players``, default :func:`veto_players`) that lock q: W(q) is
    empty, and it would not be if that player backed every change (the others' winning
    coalitions want a change that it alone refuses). Empty when W(q) is not."""
    if not np.isfinite(q) or not win_set(positions, g, q, -math.inf, math.inf).empty:
        return []
    chosen = veto_players(g) if players is None else players
    return [v for v in chosen if not win_set(positions, g, q, -math.inf, math.inf, backing=(v,)).empty]


def _first_winning(positions: np.ndarray, g: Game, sign: int) -> list[int]:
    """Adding the actors one by one from the end of the line that sign points to (+1: the top),
    the one whose joining turns the coalition from losing into winning. Actors at the same
    position join together; of them, those without whom it would still lose (all if none)."""
    coalition: list[int] = []
    for _, group in itertools.groupby(sorted(range(len(positions)), key=lambda k: -sign * positions[k]),
                                      key=lambda k: positions[k]):
        members = list(group)
        if g.wins(coalition + members):
            critical = [k for k in members if not g.wins(coalition + [j for j in members if j != k])]
            return critical or members
        coalition += members
    return []


def pivots(positions: np.ndarray, g: Game, q: float, compromise: float) -> list[int]:
    """The pivotal actors of the game along the line (Krehbiel 1998, *Pivotal Politics*, ch. 2;
    the spatial reading of Shapley & Shubik's pivot: Owen & Shapley 1989).

    Ordered by position, the pivot of a move up is the actor whose joining turns a coalition
    gathered from the top from losing into winning, the pivot of a move down the same from the
    bottom; between them lies the core (the gridlock interval: under a 2/3 rule, from the third
    to the sixth of nine equal voters; under majority, the median; under unanimity, the veto
    players' span). With a status quo q below the pivot of moves up, that pivot decides how far
    q can move: the pivot is the one on the side of the status quo (Krehbiel's filibuster or veto
    pivot); above the pivot of moves down, that one; with q in the gridlock interval, the pivot
    that blocks the move toward the compromise (both if q is the compromise). Without a status
    quo, both ends of the core.
    """
    up, down = _first_winning(positions, g, +1), _first_winning(positions, g, -1)
    if not up or not down:
        return []
    if not np.isfinite(q):
        return sorted(set(up) | set(down))
    below, above = q < positions[up[0]], q > positions[down[0]]
    if below != above:
        return up if below else down
    if compromise == q:
        return sorted(set(up) | set(down))
    return up if compromise > q else down


def decided(rule: Rule, actors: Sequence[str], positions: np.ndarray, capability: np.ndarray, q: float,
            lo: float, hi: float, target: float) -> tuple[float, str]:
    """Where the decision rule lets the outcome land nearest ``target`` (a model's unconstrained
    forecast), and why, in a few words: a decider's position; else the point of the closed win
    set of q nearest ``target``, q itself when the win set is empty (deadlock); without a
    reference point, the point of the core nearest ``target`` (no winning coalition can upset
    it; Black 1948, Tsebelis 2002), ``target`` itself when the core is empty."""
    if rule.kind == "decider" and rule.decider in actors:
        return float(positions[list(actors).index(rule.decider)]), f"the decider {rule.decider}'s position"
    g = game(rule, actors, capability)
    if np.isfinite(q):
        w = win_set(positions, g, q, lo, hi)
        nearest = w.nearest(target)
        if nearest is None:
            return q, f"the win set of the reference point {q:g} is empty (deadlock): the status quo stands"
        return nearest, f"the point of the win set {w} of the reference point {q:g} nearest {fmt(target)}"
    c = core(positions, g)
    nearest = c.nearest(target)
    if nearest is None:
        return target, "no reference point, and the core is empty (every point can be upset)"
    return nearest, f"no reference point: the point of the core {c} nearest {fmt(target)}"


@register
class Procedural(Model):
    name = "procedural"
    summary = "procedural model: the win set's point nearest to the compromise (Tsebelis 2002)"

    def check(self, inputs: Inputs) -> list[str]:
        reasons = super().check(inputs)
        rules = inputs.rules or (None,) * len(inputs.issues)
        no_rule = [inputs.issues[i] for i, r in enumerate(rules) if r is None]
        if no_rule:
            reasons.append(f"needs a decision rule for every issue (none for {', '.join(no_rule)}): give the issue "
                           "or the scenario a `decision`")
        return reasons

    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        compromise = weighted_mean(inputs.position.T, inputs.weight.T)
        forecast, rows, notes = np.empty(len(inputs.issues)), [], []
        for i, rule in enumerate(inputs.rules):
            assert rule is not None  # check() refused the inputs otherwise
            present = np.flatnonzero(inputs.present[:, i])
            actors = tuple(inputs.actors[k] for k in present)
            positions = inputs.position[present, i]
            q = float(inputs.reference[i])
            forecast[i], why = decided(rule, actors, positions, inputs.capability[present, i], q,
                                       float(inputs.scale_min[i]), float(inputs.scale_max[i]), float(compromise[i]))
            row = {"issue": inputs.issues[i], "rule": rule.kind, "win_set": None, "size": None, "deadlock": False}
            if rule.kind == "decider" and rule.decider in actors:
                pass
            elif np.isfinite(q):
                w = win_set(positions, game(rule, actors, inputs.capability[present, i]), q,
                            float(inputs.scale_min[i]), float(inputs.scale_max[i]))
                row |= {"win_set": str(w), "size": w.size, "deadlock": w.empty}
            else:
                notes.append(f"{inputs.issues[i]}: {why}")
            rows.append(row)
        return Result.static(inputs, forecast, tables={"institutions": rows}, notes=notes)
