"""Institutional analysis of one issue: who must agree, what can replace the status quo.

On one dimension, with symmetric single-peaked preferences, an actor at position p prefers a
point x to the reference point q when it is nearer: \\|x - p\\| < \\|q - p\\|. The decision rule
of the issue (:class:`~accord.scenario.Rule`) says which coalitions win; from them:

* the **win set** W(q): the points some winning coalition prefers to q, all its members at
  once (Tsebelis 2002, *Veto Players*, ch. 1). On a line it is at most two open intervals, one
  on each side of q, cut to the issue's scale; its size is their total length;
* the **core**: the points no winning coalition can upset (whose own win set is empty);
  under unanimity of veto players it is their Pareto set, the span of their positions;
* **deadlock**: W(q) is empty, q is in the core: no change is possible;
* the **veto players**, whose agreement every change needs (named, a decider, or whose
  votes alone block the quota), and those that **lock** q: W(q) is empty, and would not be if
  that one backed every change: it alone stands between the others and a change;
* **power indices** of the weighted voting game: Shapley & Shubik (1954), the share of
  orderings in which an actor is pivotal, and Banzhaf (1965), its share of the swings,
  computed exactly by counting coalitions by size and weight (generating functions: Brams &
  Affuso 1976; Matsui & Matsui 2000) over integer votes, veto players being required members.

The procedural model (:mod:`accord.models.procedural`) forecasts from the win set; the game
and the win set are defined there (a model may not import an analysis), and used here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .models.procedural import _TOL, Game, Intervals, core, game, locks, veto_players, win_set
from .scenario import Inputs, Scenario

__all__ = ["Game", "Institutions", "Intervals", "analyse", "core", "game", "locks", "power", "veto_players", "win_set"]


def _counts(weights: Sequence[int], total: int) -> np.ndarray:
    """counts[k, w]: the number of coalitions of k of these players weighing w (the
    coefficients of the generating function prod_j (1 + y z^w_j))."""
    counts = np.zeros((len(weights) + 1, total + 1), dtype=np.int64)
    counts[0, 0] = 1
    for w in weights:
        shifted = np.zeros_like(counts)
        shifted[1:, w:] = counts[:-1, : total + 1 - w]
        counts += shifted
    return counts


def power(votes: Sequence[int], quota: int, vetoes: Sequence[int] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Shapley-Shubik and normalised Banzhaf indices of the game [quota; votes] in which the
    players ``vetoes`` (indices) must be members of every winning coalition.

    Player i swings coalition S (without it) when S loses and S + i wins. A veto player swings
    every S that holds the other veto players and, with it, the quota; any other player swings
    such an S whose votes fall short of the quota by at most its own. Shapley-Shubik weighs a
    swing of S by \\|S\\|! (n - \\|S\\| - 1)! / n! (Shapley & Shubik 1954); Banzhaf counts the
    swings and normalises them to sum to 1 (Banzhaf 1965).

    >>> ss, bz = power([2, 1, 1], 3)
    >>> [round(float(x), 4) for x in ss], [round(float(x), 4) for x in bz]
    ([0.6667, 0.1667, 0.1667], [0.6, 0.2, 0.2])
    """
    w = [int(v) for v in votes]
    if any(v != x or v < 0 for v, x in zip(w, votes)):
        raise ValueError(f"votes must be whole numbers >= 0 for exact power indices, got {list(votes)}")
    n, total, veto = len(w), sum(w), set(vetoes)
    ss, swings = np.zeros(n), np.zeros(n)
    for i in range(n):
        forced = [j for j in veto if j != i]
        free = [w[j] for j in range(n) if j != i and j not in veto]
        counts = _counts(free, total)
        base_w, base_k = sum(w[j] for j in forced), len(forced)
        weight = base_w + np.arange(total + 1)
        lowest = quota - w[i]
        swing = weight >= lowest if i in veto else (weight >= lowest) & (weight < quota)
        by_size = (counts * swing[None, :]).sum(axis=1)  # swings by the number of free members
        sizes = base_k + np.arange(len(free) + 1)
        ss[i] = math.fsum(float(c) / (n * math.comb(n - 1, int(s))) for c, s in zip(by_size, sizes))
        swings[i] = float(by_size.sum())
    return ss, swings / swings.sum() if swings.sum() else swings


def integer_votes(votes: np.ndarray, places: int = 6) -> tuple[np.ndarray, int]:
    """Votes as whole numbers, scaled by the least power of ten (up to 10^places) that makes
    them whole (population shares of two decimals: by 100), and the scale."""
    for p in range(places + 1):
        scaled = np.asarray(votes, dtype=float) * 10**p
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return np.round(scaled).astype(np.int64), 10**p
    raise ValueError(f"votes {list(votes)} are not whole numbers at {places} decimal places")


@dataclass(frozen=True)
class Institutions:
    """What the decision rule makes of one issue (see the module)."""

    issue: str
    rule: str
    reference: float
    win_set: Intervals
    core: Intervals
    vetoes: tuple[str, ...]
    locks: tuple[str, ...]
    #: Shapley-Shubik and Banzhaf indices by actor; empty when the votes are not whole at six places.
    shapley_shubik: dict[str, float]
    banzhaf: dict[str, float]

    @property
    def deadlock(self) -> bool:
        """No point beats the reference point: the status quo stands."""
        return self.win_set.empty

    @property
    def locked_by(self) -> tuple[str, ...]:
        """Who locks the status quo (:func:`locked_by`); empty when the win set is not."""
        return (self.locks or self.vetoes or ("the decision rule",)) if self.deadlock else ()


def analyse(inputs: Inputs, issue: str | int) -> Institutions:
    """The institutional analysis of one issue of a scenario's inputs; ValueError if the issue
    has no decision rule or no reference point."""
    i = inputs.issues.index(issue) if isinstance(issue, str) else issue
    rule = inputs.rules[i] if i < len(inputs.rules) else None
    q = float(inputs.reference[i])
    if rule is None or not math.isfinite(q):
        missing = "decision rule" if rule is None else "reference point"
        raise ValueError(f"issue `{inputs.issues[i]}` has no {missing}: there is no institutional analysis of it")
    present = np.flatnonzero(inputs.present[:, i])
    actors = tuple(inputs.actors[k] for k in present)
    g = game(rule, actors, inputs.capability[present, i])
    positions = inputs.position[present, i]
    names = list(actors)
    ss: dict[str, float] = {}
    bz: dict[str, float] = {}
    try:  # under unanimity or a decider votes do not count: only the veto players have power
        votes, scale = integer_votes(np.zeros(len(names)) if g.quota == 0 else g.votes)
    except ValueError:
        pass
    else:
        total = int(votes.sum())
        quota = (math.floor(g.quota * scale + _TOL * total) + 1 if g.strict
                 else math.ceil(g.quota * scale - _TOL * max(total, 1)))
        s, b = power(votes, max(quota, 0), sorted(g.vetoes))
        ss, bz = dict(zip(names, s.tolist())), dict(zip(names, b.tolist()))
    return Institutions(
        issue=inputs.issues[i], rule=rule.kind, reference=q,
        win_set=win_set(positions, g, q, float(inputs.scale_min[i]), float(inputs.scale_max[i])),
        core=core(positions, g), vetoes=tuple(names[k] for k in veto_players(g)),
        locks=tuple(names[k] for k in locks(positions, g, q)), shapley_shubik=ss, banzhaf=bz)


def locked_by(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """For each issue that has a decision rule and a reference point: who locks it at the status
    quo (empty when its win set is not empty). Where the win set is empty but no single veto
    player locks it alone, every veto player is named; with no veto players, none is (the rule
    itself locks it: an empty win set under a quota).

    >>> import accord
    >>> locked_by(accord.read_scenario("scenarios/korea-2018.yaml").scenario)["sanctions"]
    ('USA',)
    """
    inputs = scenario.inputs()
    out: dict[str, tuple[str, ...]] = {}
    for issue in inputs.issues:
        try:
            inst = analyse(inputs, issue)
        except ValueError:  # no rule or no reference point: not analysed
            continue
        out[issue] = inst.locked_by
    return out
