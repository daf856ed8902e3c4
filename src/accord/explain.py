"""Negotiations told as stories: what happened in each round, and why the forecast moved.

A model tells its own story through :meth:`accord.models.Model.story`, which returns one
:class:`Chapter` per issue; the default (:func:`generic_story`) needs only the positions and
the summary that every model produces, and models with richer tables (the EUM's offers,
SMP's challenges, the exchange model's trades) add their events round by round.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .models.base import Result
from .scenario import Scenario


@dataclass
class Chapter:
    issue: str
    title: str
    rounds: list[tuple[int, list[str]]] = field(default_factory=list)
    ending: str = ""


def fmt(x: float) -> str:
    return f"{x:.4g}" if abs(x) < 1000 else f"{x:.0f}"


def median_holders(result: Result, r: int, i: int, median: float) -> list[str]:
    pos = result.positions[r, :, i]
    return [a for a, p in zip(result.actors, pos) if p == median]


def name(scenario: Scenario, actor_id: str) -> str:
    return scenario.actor(actor_id).name or actor_id


def generic_story(result: Result, scenario: Scenario) -> list[Chapter]:
    """Round by round: who moved, and how the weighted median and mean followed."""
    mean, median = result.summary_arrays()
    chapters = []
    for i, issue_id in enumerate(result.issues):
        issue = scenario.issue(issue_id)
        ch = Chapter(issue_id, f"{issue.label or issue_id} ({issue_id})")
        holders = ", ".join(name(scenario, a) for a in median_holders(result, 0, i, median[0, i]))
        ch.rounds.append((0, [f"The median voter position is {fmt(median[0, i])}"
                              + (f", held by {holders}" if holders else "")
                              + f"; the capability x salience weighted mean is {fmt(mean[0, i])}."]))
        for r in range(1, result.n_rounds + 1):
            lines = []
            before, after = result.positions[r - 1, :, i], result.positions[r, :, i]
            moved = [(a, b0, b1) for a, b0, b1 in zip(result.actors, before, after)
                     if not np.isnan(b0) and b0 != b1]
            for a, b0, b1 in sorted(moved, key=lambda m: -abs(m[2] - m[1]))[:8]:
                lines.append(f"{name(scenario, a)} moves from {fmt(b0)} to {fmt(b1)}.")
            if len(moved) > 8:
                lines.append(f"... and {len(moved) - 8} more actors move.")
            lines.append(_forecast_line(result, scenario, r, i, median, mean))
            ch.rounds.append((r, lines))
        ch.ending = (f"Forecast: {fmt(result.forecast[i])} after {result.n_rounds} round"
                     f"{'s' if result.n_rounds != 1 else ''}.")
        ch.ending += "".join(f" {n.split(': ', 1)[1]}." for n in result.notes if n.startswith(f"{issue_id}: "))
        chapters.append(ch)
    return chapters


def _forecast_line(result: Result, scenario: Scenario, r: int, i: int, median: np.ndarray, mean: np.ndarray) -> str:
    m0, m1 = median[r - 1, i], median[r, i]
    if m0 == m1:
        return f"The median stays at {fmt(m1)} (mean {fmt(mean[r, i])})."
    holders = median_holders(result, r, i, m1)
    movers = [a for a in holders if result.positions[r - 1, result.actors.index(a), i] != m1]
    why = (f": {', '.join(name(scenario, a) for a in movers)} moved onto it and now "
           f"{'holds' if len(movers) == 1 else 'hold'} the median" if movers else
           f": weight shifted across it, and the median voter is now {', '.join(name(scenario, a) for a in holders)}")
    return f"The median moves from {fmt(m0)} to {fmt(m1)}{why} (mean {fmt(mean[r, i])})."
