"""Runs told in words: what happened in each round, and why the forecast moved.

Models emit numbers and tables; this module (the presentation layer) turns them into a story
of one :class:`Chapter` per issue. :func:`generic_story` needs only the positions and summary
every model produces; a *narrator* registered under a model's name (:func:`narrator`) adds
that model's events round by round (the EUM's threats and offers, SMP's challenges and
bargains, the exchange model's trades). A model without a narrator, a plug-in say, gets the
generic story. Stories read only a run's :class:`~accord.result.Result`, so a stored run read
back with :meth:`~accord.result.Result.from_json` is told without running the model again.

>>> from accord.io import from_arrays
>>> from accord.models import get_model
>>> scenario = from_arrays([[10], [60], [90]], [[0.5], [0.5], [0.5]], [1, 1, 1])
>>> (chapter,) = story(get_model("median")().run(scenario), scenario)
>>> chapter.rounds[0][1][0]
'The median voter position is 60, held by A1; the capability x salience weighted mean is 53.33.'
>>> chapter.ending
'Forecast: 60 after 0 rounds.'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .result import Result
from .scenario import Scenario
from .stats import fmt

__all__ = ["Chapter", "fmt", "generic_story", "median_holders", "name", "narrator", "narrators", "story"]

Narrator = Callable[[Result, Scenario], list["Chapter"]]


@dataclass
class Chapter:
    """One issue's story: per round, its lines; then how it ends."""

    issue: str
    title: str
    rounds: list[tuple[int, list[str]]] = field(default_factory=list)
    ending: str = ""


_NARRATORS: dict[str, Narrator] = {}


def narrator(model: str) -> Callable[[Narrator], Narrator]:
    """Decorator: tell the runs of the model named ``model`` with this function
    ``(result, scenario) -> chapters``; it usually starts from :func:`generic_story`."""
    def register(tell: Narrator) -> Narrator:
        _NARRATORS[model] = tell
        return tell
    return register


def narrators() -> dict[str, Narrator]:
    """The registered narrators by model name."""
    return dict(_NARRATORS)


def story(result: Result, scenario: Scenario) -> list[Chapter]:
    """The run told round by round, one chapter per issue, by its model's narrator or the generic one."""
    return _NARRATORS.get(result.model, generic_story)(result, scenario)


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


# -- the models' own events ------------------------------------------------------------------------

_EUM_VERBS = {"conflict": "expects to lose a confrontation with {o} and gives in",
              "compromise": "compromises with {o}",
              "capitulation": "capitulates to {o}"}


@narrator("eum")
def eum_story(result: Result, scenario: Scenario) -> list[Chapter]:
    """Who threatens whom, who gives way to whom and how far, and where the median goes."""
    chapters = generic_story(result, scenario)
    risk = result.table_frame("risk", ["round", "issue", "actor", "danger", "r"])
    offers = result.table_frame("offers", ["round", "issue", "actor", "other", "quadrant", "e_own", "e_other",
                                           "proposed_position", "accepted"])
    a_index = {a: j for j, a in enumerate(result.actors)}
    for ch in chapters:
        i = result.issues.index(ch.issue)
        for k, (rnd, lines) in enumerate(ch.rounds):
            if rnd == 0:
                continue
            events = []
            rk = risk[(risk["round"] == rnd) & (risk["issue"] == ch.issue)]
            if len(rk) > 1 and rk["danger"].max() > rk["danger"].min():
                hot, cool = rk.loc[rk["danger"].idxmax()], rk.loc[rk["danger"].idxmin()]
                events.append(f"Most threatened: {name(scenario, hot.actor)} (danger {fmt(hot.danger)}, "
                              f"risk exponent {hot.r:.2f}); least: {name(scenario, cool.actor)} "
                              f"(danger {fmt(cool.danger)}, exponent {cool.r:.2f}).")
            of = offers[(offers["round"] == rnd) & (offers["issue"] == ch.issue)]
            taken = of[of["accepted"].astype(bool)]
            if len(of):
                events.append(f"{len(of)} demands are made; {len(taken)} accepted.")
            for row in taken.itertuples(index=False):
                before = result.positions[rnd - 1, a_index[row.actor], i]
                verb = _EUM_VERBS[row.quadrant].format(o=name(scenario, row.other))
                events.append(f"{name(scenario, row.actor)} {verb}: {fmt(before)} -> {fmt(row.proposed_position)} "
                              f"(its challenge worth {row.e_own:+.3g} to it, {name(scenario, row.other)}'s "
                              f"challenge worth {row.e_other:+.3g}).")
            if not len(taken):
                events.append("Nobody accepts a demand: no one moves.")
            ch.rounds[k] = (rnd, events + lines[-1:])
    return chapters


@narrator("smp")
def smp_story(result: Result, scenario: Scenario) -> list[Chapter]:
    """Per turn: who challenges whom, which bargains are struck, and who is likeliest to win."""
    chapters = generic_story(result, scenario)
    challenges = result.table_frame("challenges", ["round", "initiator", "target", "p_win", "gain"])
    bargains = result.table_frame("bargains", ["round", "initiator", "receiver", "issue", "initiator_position",
                                               "receiver_position", "taken_by_initiator", "taken_by_receiver"])
    probs = result.table_frame("probabilities", ["round", "actor", "probability", "risk_attitude"])
    first = scenario.issue_ids[0]
    for ch in chapters:
        for k, (rnd, lines) in enumerate(ch.rounds):
            events = []
            if rnd == 0:
                top = probs[probs["round"] == 0].nlargest(1, "probability")
                if len(top):
                    events.append(f"Likeliest to prevail: {name(scenario, top.actor.iloc[0])} "
                                  f"(probability {top.probability.iloc[0]:.2f}).")
                ch.rounds[k] = (rnd, lines + events)
                continue
            made = challenges[challenges["round"] == rnd]
            here = bargains[(bargains["round"] == rnd) & (bargains["issue"] == ch.issue)]
            if ch.issue == first and len(made):
                events.append(f"{len(made)} challenges: " + "; ".join(
                    f"{name(scenario, r.initiator)} -> {name(scenario, r.target)} (wins with p={r.p_win:.2f}, "
                    f"gain {r.gain:.3g})" for r in made.itertuples(index=False)) + ".")
            for b in here.itertuples(index=False):
                sides = ((b.initiator, b.taken_by_initiator), (b.receiver, b.taken_by_receiver))
                takers = [who for who, took in sides if took]
                if takers:
                    events.append(f"{name(scenario, b.initiator)} and {name(scenario, b.receiver)} bargain at "
                                  f"{fmt(b.initiator_position)} / {fmt(b.receiver_position)}; taken by "
                                  f"{' and '.join(name(scenario, t) for t in takers)}.")
            if not events:
                events.append("No bargain on this issue is taken.")
            ch.rounds[k] = (rnd, events + lines[-1:])
    return chapters


@narrator("exchange")
def exchange_story(result: Result, scenario: Scenario) -> list[Chapter]:
    """Per round: the trades that moved this issue, and who gained most from trading."""
    chapters = generic_story(result, scenario)
    ex = result.table_frame("exchanges", ["round", "actor_i", "supply_issue_i", "demand_issue_i", "move_i",
                                          "voting_position_i", "actor_j", "supply_issue_j", "demand_issue_j",
                                          "move_j", "voting_position_j", "gain"])
    ext = result.table_frame("externalities", ["round", "actor", "own"])
    for ch in chapters:
        for k, (rnd, lines) in enumerate(ch.rounds):
            if rnd == 0:
                continue
            on_issue = (ex["supply_issue_i"] == ch.issue) | (ex["supply_issue_j"] == ch.issue)
            here = ex[(ex["round"] == rnd) & on_issue]
            events = [f"{len(ex[ex['round'] == rnd])} exchanges this round, {len(here)} involving this issue."]
            for row in here.nlargest(5, "gain").itertuples(index=False):
                mover, other, m, y, other_issue = (
                    (row.actor_i, row.actor_j, row.move_i, row.voting_position_i, row.supply_issue_j)
                    if row.supply_issue_i == ch.issue else
                    (row.actor_j, row.actor_i, row.move_j, row.voting_position_j, row.supply_issue_i))
                events.append(f"{name(scenario, mover)} moves {fmt(m):>6} to vote {fmt(y)} here, in return for "
                              f"{name(scenario, other)}'s move on {other_issue} (gain {row.gain:.3g} each).")
            ch.rounds[k] = (rnd, events + lines[-1:])
        if len(ext):
            total = ext.groupby("actor")["own"].sum().sort_values(ascending=False)
            top = ", ".join(f"{name(scenario, a)} {g:.3g}" for a, g in total.head(3).items() if g > 0)
            if top:
                ch.ending += f" Most gained from trading (all issues): {top}."
    return chapters
