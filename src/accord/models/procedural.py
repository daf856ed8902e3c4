"""The procedural model: the point of the win set nearest to the compromise.

The decision rule in force (the issue's, else the scenario's) says which coalitions can
replace the reference point q; the win set W(q) holds the points some winning coalition
prefers to q (actors with symmetric single-peaked preferences on the issue's line; Tsebelis
2002, *Veto Players*). The forecast is the point of the closed win set nearest to the
capability x salience weighted mean of the positions (the compromise, :mod:`.compromise`):
bargaining pulls toward the compromise, the rule bounds where it can land. When W(q) is
empty the status quo stands (deadlock); under rule ``decider`` the decider's position is the
outcome. Procedural models of EU legislation in this spirit: Tsebelis & Garrett (2000),
Steunenberg & Selck (2006, in Thomson et al., *The European Union Decides*). Table
``institutions`` gives, per issue, the rule, the win set, its size and whether it is empty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..scenario import Inputs, Rule
from ..stats import weighted_mean
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


def _side(positions: np.ndarray, g: Game, q: float, sign: int) -> float | None:
    """How far the win set reaches on one side of q (sign +1: above), or None if not at all.

    Actor i prefers x beyond q on its side while x is short of its reach 2 p_i - q; the
    actors preferring x are those whose reach passes x, so the win set ends at the reach of
    the actor whose joining first makes them winning (the game is monotone)."""
    side = [k for k in range(len(positions)) if sign * (positions[k] - q) > 0]
    order = sorted(side, key=lambda k: -sign * positions[k])
    for n in range(1, len(order) + 1):
        if g.wins(order[:n]):
            return float(2 * positions[order[n - 1]] - q)
    return None


def win_set(positions: np.ndarray, g: Game, q: float, lo: float, hi: float) -> Intervals:
    """W(q): the points of the scale [lo, hi] some winning coalition prefers to q, as open
    intervals (Tsebelis 2002, ch. 1)."""
    parts = []
    below, above = _side(positions, g, q, -1), _side(positions, g, q, +1)
    if below is not None and max(below, lo) < q:
        parts.append((max(below, lo), q))
    if above is not None and q < min(above, hi):
        parts.append((q, min(above, hi)))
    return Intervals(tuple(parts))


@register
class Procedural(Model):
    name = "procedural"
    summary = "procedural model: the win set's point nearest to the compromise (Tsebelis 2002)"

    def check(self, inputs: Inputs) -> list[str]:
        reasons = super().check(inputs)
        rules = inputs.rules or (None,) * len(inputs.issues)
        no_rule = [inputs.issues[i] for i, r in enumerate(rules) if r is None]
        no_reference = [inputs.issues[i] for i in range(len(inputs.issues))
                        if not np.isfinite(inputs.reference[i]) and not self._decided(inputs, i)]
        if no_rule:
            reasons.append(f"needs a decision rule for every issue (none for {', '.join(no_rule)}): give the issue "
                           "or the scenario a `decision`")
        if no_reference:
            reasons.append(f"needs a reference point for every issue (none for {', '.join(no_reference)}): the win "
                           "set is the set of points that beat it")
        return reasons

    @staticmethod
    def _decided(inputs: Inputs, i: int) -> bool:
        """Whether issue i has a decider taking part in it (then no reference point is needed)."""
        rule = inputs.rules[i] if i < len(inputs.rules) else None
        return (rule is not None and rule.kind == "decider" and rule.decider in inputs.actors
                and bool(inputs.present[inputs.actors.index(rule.decider), i]))

    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        compromise = weighted_mean(inputs.position.T, inputs.weight.T)
        forecast, rows = np.empty(len(inputs.issues)), []
        for i, rule in enumerate(inputs.rules):
            assert rule is not None  # check() refused the inputs otherwise
            present = np.flatnonzero(inputs.present[:, i])
            actors = tuple(inputs.actors[k] for k in present)
            positions = inputs.position[present, i]
            if self._decided(inputs, i):
                forecast[i] = positions[actors.index(rule.decider)]
                rows.append({"issue": inputs.issues[i], "rule": rule.kind, "win_set": None, "size": None,
                             "deadlock": False})
                continue
            q = float(inputs.reference[i])
            g = game(rule, actors, inputs.capability[present, i])
            w = win_set(positions, g, q, float(inputs.scale_min[i]), float(inputs.scale_max[i]))
            nearest = w.nearest(float(compromise[i]))
            forecast[i] = q if nearest is None else nearest
            rows.append({"issue": inputs.issues[i], "rule": rule.kind, "win_set": str(w), "size": w.size,
                         "deadlock": w.empty})
        return Result.static(inputs, forecast, tables={"institutions": rows})
