"""Roles: who pivots, brokers, spoils, enables, follows, holds out, or stands alone.

Each role is defined from the literature that names it and measured on a model's run:

* **pivot**: under majority rule, or where the issue has no decision rule, the median voter as
  kingmaker (Black 1948, *J. Political Economy* 56:23-34): the actor whose weight decides which side
  holds the weighted median, and near whose position the outcome lands. Under any other rule
  (unanimity, a qualified majority, a decider), the pivot of the weighted voting game along the line
  (Krehbiel 1998, *Pivotal Politics*, ch. 2; the spatial reading of the Shapley & Shubik 1954 pivot:
  Owen & Shapley 1989, *Int. J. Game Theory* 18:339-356): with the actors ordered by position, the
  one whose vote turns the coalition for a change from losing into winning, on the side of the status
  quo (:func:`accord.models.procedural.pivots`). It is defined by the rule, whatever the model does.
* **veto** (a veto player; Tsebelis 2002, *Veto Players*, ch. 1-2): an actor whose agreement is
  necessary for any change of the status quo under the issue's decision rule: a named veto player
  under unanimity or a qualified majority, a decider, or an actor whose votes alone block the quota
  (the total minus its votes falls short of it). Defined by the rule, not by a model's run; whether
  it *locks* the status quo (the win set of the reference point is empty, and would not be if it
  backed every change) is marked beside it.
* **broker**: the intermediary on the only path between two sides not tied to each other (Gould &
  Fernandez 1989, *Sociological Methodology* 19:89-126, "liaison" brokerage), which in a negotiation
  makes agreement possible: the sides move toward each other with it, not without it.
* **spoiler**: an actor whose presence blocks a settlement the others would reach (Stedman 1997,
  "Spoiler problems in peace processes", *International Security* 22(2):5-53): with it the others stay
  apart, or the outcome stays at the reference point; without it they settle. Being strong and far from
  the others is not enough.
* **enabler**: an actor whose votes carry another's challenges (Bueno de Mesquita 1994).
* **follower** and **hardliner**: judged against what the actor could have conceded, its own room to
  move (the distance to its patron; the distance to where most of the others' weight stands), not
  against the pull of a single strong outlier (Schelling 1960, *The Strategy of Conflict*, on firmness
  as commitment).
* **isolate**: an actor alone in caring about an issue.

A role is a measured property of an actor on an issue, computed from a model's run (its
positions round by round and its forecast) and from counterfactual runs of the same model:
the scenario *without* the actor. Nothing in the definitions refers to a particular scenario.
Cost per scenario: n + 1 runs of the model, plus O(R n^3) per issue for the enabler's votes.

Every role is a conjunction of *conditions*. A condition turns one measured quantity into a
degree in [0, 1], linearly between a point where it fails outright (0) and a point where it
holds fully (1); its threshold, the midpoint, is where the degree is 0.5. A role's **score**
is its weakest condition's degree, so the role *holds* (score >= 0.5) exactly when every
condition is past its threshold. Distances are shares of the issue's scale (0.1 = a tenth of
it); weights are capability x salience.

================  ==============================================================================
role              conditions (threshold)
================  ==============================================================================
``pivot``         *decisive*: it holds the weighted median of the positions as a kingmaker:
                  with L and R the others' weight to its left and right (others at its own
                  position counting on both sides) and W the total, the degree
                  min(W/2 - L, W/2 - R) / (w/2) is >= 0.5 (1 at the balance point; Black 1948);
                  *followed*: the outcome lands within 0.1 of its position. Under a rule other
                  than majority: *decisive* is 1 for the pivot of the voting game along the
                  line (Krehbiel 1998), 0 for every other actor, and *followed* is not
                  assessed: the pivot bounds where a change can go, the outcome need not
                  land on it.
``veto``          *necessary*: the issue's decision rule makes its agreement necessary for any
                  change: without it even all the others lose (Tsebelis 2002). Not assessed
                  (never holds) on an issue without a decision rule. Beside it, *locks*.
``broker``        *between*: the lighter side holds >= 20% of the others' weight;
                  *opposed*: the nearest actors on either side are >= 0.3 apart (the sides
                  are not tied to each other but through it; in a continuum they are);
                  *acceptable*: it stands in the middle half between them;
                  *bridges*: with it, the two sides close >= 5% more of the gap between their
                  weighted means over the rounds than in the run without it (it links sides
                  that do not move toward each other on their own, however weak it is).
``spoiler``       *blocks*: its presence keeps the others apart, their disagreement at the end
                  (weighted mean absolute deviation from their weighted median, last round)
                  >= 0.04 higher than in the run without it; or it keeps the outcome at the
                  reference point (within 0.05) that the outcome leaves by >= 0.04 without it;
                  *settles*: without it the others settle: their disagreement at the end is at
                  most half what it is with it (on the reference-point route, always).
``enabler``       *supports*: its votes raise another actor's probability of prevailing in
                  challenges by >= 0.15, averaged over that actor's opponents (weighted by
                  weight x distance, at least 0.25 apart) and the rounds. Votes and
                  probabilities are the expected utility model's, risk-neutral: v_k =
                  c_k s_k (|x_k - x_j| - |x_k - x_b|), P_bj = sum v+ / sum |v| (Bueno de
                  Mesquita 1994; Scholz, Calbert & Smith 2011, eqs. 1-2);
                  *backs*: that actor's salience is >= 0.2 above its own (it backs someone with
                  more at stake).
``follower``      *moves*: it moves >= 0.1 over the rounds; *toward*: it closes >= 60% of its
                  distance to one other actor, the patron; *led*: the patron moves at most
                  half as far; *distinct*: the patron ends >= 0.1 from the outcome (following
                  a patron, not converging on the outcome).
``hardliner``     *pressed*: its room to move, the distance to the others' median position
                  (each actor counted once, so one strong outlier does not move it), is >= 0.3;
                  *firm*: it gives up at most 20% of that distance over the rounds.
``isolate``       *intense*: the issue has >= 75% of the salience of its most salient issue;
                  *alone*: no other actor gives the issue more than 40% of its salience.
================  ==============================================================================

Textbook configurations each definition must and must not fire on are in ``tests/test_roles.py``
(e.g. five moderates and one capable extremist out of their reach: no spoiler, and not five
hardliners). ``broker``, ``follower`` and ``hardliner`` are about movement, so they need a
model whose positions move over rounds (influence, eum, smp, exchange); with a model that has
no rounds they are not assessed, and a spoiler is found only by the reference-point route.
Roles are only as good as the model's dynamics: the default,
``influence`` (Friedkin-Johnsen with bounded confidence), moves positions part of the way
each round, toward those near enough to be heard, which gives following, holding out and
bridging a clear meaning; the EUM's all-or-nothing capitulations make most movement roles
coarse (see ``benchmarks/roles_recovery.py --model eum``). Confidence is the share of Monte
Carlo samples of the evidence (:func:`accord.uncertainty.sample_inputs`) in which the role
holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .experiment import without, without_each  # noqa: F401  (roles.without: the counterfactual, kept here)
from .models import Model, Result
from .models.procedural import game, locks, pivots, veto_players
from .scenario import Inputs
from .stats import weighted_mean, weighted_median

#: ``veto`` and the pivot under a decision rule come from the issue's rule alone (:func:`by_rule`).
ROLES = ("pivot", "broker", "spoiler", "enabler", "follower", "hardliner", "isolate", "veto")
#: The roles measured on a model's run, which planted scenarios (no decision rules) test: ``veto`` is
#: computed exactly from the rule, and checked on textbook games instead.
MEASURED = ROLES[:-1]
DYNAMIC = ("broker", "follower", "hardliner")
HOLDS = 0.5
SAME = 0.02  # positions closer than this share of the scale count as the same place
CONTEST = 0.25  # challenges count between actors at least this share of the scale apart
AT_REFERENCE = 0.05  # an outcome this share of the scale from the reference point stays there


@dataclass(frozen=True)
class Condition:
    """One condition of a role: degree 0 at ``zero``, 1 at ``full``, linear between."""

    name: str
    zero: float
    full: float

    @property
    def threshold(self) -> float:
        return (self.zero + self.full) / 2

    def degree(self, value: np.ndarray) -> np.ndarray:
        return np.clip((value - self.zero) / (self.full - self.zero), 0.0, 1.0)


CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "pivot": (Condition("decisive", 0.0, 1.0), Condition("followed", 0.2, 0.0)),
    "broker": (Condition("between", 0.0, 0.4), Condition("opposed", 0.0, 0.6),
               Condition("acceptable", 0.0, 1.0), Condition("bridges", 0.0, 0.1)),
    "spoiler": (Condition("blocks", 0.0, 0.08), Condition("settles", 1.0, 0.0)),
    "enabler": (Condition("supports", 0.0, 0.3), Condition("backs", 0.0, 0.4)),
    "follower": (Condition("moves", 0.0, 0.2), Condition("toward", 0.2, 1.0), Condition("led", 1.0, 0.0),
                 Condition("distinct", 0.0, 0.2)),
    "hardliner": (Condition("pressed", 0.0, 0.6), Condition("firm", 0.4, 0.0)),
    "isolate": (Condition("intense", 0.5, 1.0), Condition("alone", 0.8, 0.0)),
    "veto": (Condition("necessary", 0.0, 1.0),),
}


@dataclass
class Measures:
    """One set of inputs' measured quantities and role scores, arrays [actor, issue].

    ``values[role][condition]`` holds the raw quantity of each condition, ``scores[role]`` the
    role's score (NaN where absent or not assessed), ``other[role]`` the index of the actor the
    role refers to (the follower's patron, the enabler's beneficiary; -1 where none).
    ``run`` is the model's run; ``forecast_without`` the forecasts without each actor [actor, issue];
    ``detail`` further quantities the explanations quote.
    """

    scores: dict[str, np.ndarray]
    values: dict[str, dict[str, np.ndarray]]
    other: dict[str, np.ndarray]
    run: Result
    forecast_without: np.ndarray
    detail: dict[str, np.ndarray] = field(default_factory=dict)

    def holds(self) -> dict[str, np.ndarray]:
        """Per role, [actor, issue] booleans: score >= 0.5."""
        return {role: np.nan_to_num(s, nan=0.0) >= HOLDS for role, s in self.scores.items()}


def score(role: str, values: dict[str, np.ndarray]) -> np.ndarray:
    degrees = [c.degree(values[c.name]) for c in CONDITIONS[role]]
    return np.minimum.reduce(degrees)


# -- counterfactual runs ------------------------------------------------------------------------


def _solve(model: Model, inputs: Inputs, seed) -> Result:
    return model.evaluate(inputs, np.random.default_rng(seed))


def measure(model: Model, inputs: Inputs, seed=0, runs: tuple[Result, list[Result]] | None = None) -> Measures:
    """Run the model and its counterfactuals on one set of inputs, and score every role.

    ``runs``: the run and the counterfactual runs (:func:`counterfactual_runs`), if already made
    (many samples' runs are made together, in lockstep where the model can)."""
    n_a, n_i = inputs.position.shape
    span = inputs.scale_max - inputs.scale_min
    base, outs = runs if runs is not None else counterfactual_runs(model, [inputs], seed)[0]
    F = base.forecast
    F_out = np.array([o.forecast for o in outs])  # [actor, issue]
    x0, xT = base.positions[0], base.positions[-1]
    w = inputs.weight
    dynamic = base.n_rounds > 0
    present = inputs.present

    values: dict[str, dict[str, np.ndarray]] = {}
    other: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        decisive = decisive_by_rule(inputs)
        ruled = np.zeros(n_i, dtype=bool) if decisive is None else ~np.isnan(decisive).all(axis=0)
        values["pivot"] = {"decisive": np.where(ruled, decisive if decisive is not None else 0.0,
                                                _kingmaker(x0, w, span)),
                           "followed": np.where(ruled, np.nan, np.abs(F - x0) / span)}
        necessary, locking = veto_by_rule(inputs)
        values["veto"] = {"necessary": necessary}

        # The others' disagreement [actor a, issue], with a in the negotiation and without it.
        disagreement = _spread(_each_absent(base.positions), w)
        disagreement_out = _spread_runs([o.positions for o in outs], w)
        between, opposed, acceptable = _sides(x0, w, span)
        closes = (_closure(base.positions[0], base.positions[-1], x0, w, span)
                  - _closure(np.stack([o.positions[0] for o in outs]), np.stack([o.positions[-1] for o in outs]),
                             x0, w, span))
        values["broker"] = {"between": between, "opposed": opposed, "acceptable": acceptable, "bridges": closes}

        others_median, others_mean = _others(weighted_median, x0, w), _others(weighted_mean, x0, w)
        values["spoiler"], spoiler_detail = _blocking(base, outs, inputs.reference, w, span)

        lift, beneficiary = _support(base.positions, w, span)
        sal = inputs.salience
        values["enabler"] = {"supports": lift,
                             "backs": np.take_along_axis(sal, np.maximum(beneficiary, 0), axis=0) - sal}
        other["enabler"] = beneficiary

        values["follower"], other["follower"] = _following(x0, xT, F, span)

        typical = _typical_other(x0)
        room = np.abs(x0 - typical) / span  # what it could concede: the way to where the others stand
        keep = np.abs(xT - x0) / (room * span)
        values["hardliner"] = {"pressed": room, "firm": np.where(room > 0, keep, 1.0)}

        values["isolate"] = _isolation(inputs.salience, present)

    scores = {}
    for role in ROLES:
        s = score(role, values[role])
        if role == "pivot":  # under a rule the pivot is the voting game's: followed is not assessed
            s = np.where(ruled, CONDITIONS["pivot"][0].degree(values["pivot"]["decisive"]), s)
        s = np.where(present, s, np.nan)
        if role in DYNAMIC and not dynamic:
            s = np.full((n_a, n_i), np.nan)
        scores[role] = s
    detail = {"others_mean": others_mean, "others_median": others_median, "typical_other": typical,
              "disagreement": disagreement, "disagreement_without": disagreement_out,
              "locks": locking, "pivot_by_rule": np.broadcast_to(ruled, (n_a, n_i)).astype(float)} | spoiler_detail
    return Measures(scores, values, other, base, F_out, detail)


def _ruled_issues(inputs: Inputs):
    """Per issue with a decision rule: its index, the rule, the actors taking part (indices and
    ids), their positions and the voting game among them (:func:`accord.models.procedural.game`)."""
    for i, rule in enumerate(inputs.rules):
        if rule is None:
            continue
        present = np.flatnonzero(inputs.present[:, i])
        actors = tuple(inputs.actors[k] for k in present)
        yield i, rule, present, inputs.position[present, i], game(rule, actors, inputs.capability[present, i])


def decisive_by_rule(inputs: Inputs) -> np.ndarray | None:
    """[actor, issue]: 1 for the pivot of the issue's weighted voting game along the line (Krehbiel
    1998; :func:`accord.models.procedural.pivots`), 0 for the others, NaN on the issues where
    Black's (1948) weighted-median kingmaker stands instead: those without a decision rule and
    those under majority rule (its special case); None when that is every issue.

    The status quo is the issue's reference point, the compromise the capability x salience
    weighted mean of the positions (which way a change would go when q is in the gridlock
    interval)."""
    out = np.full(inputs.position.shape, np.nan)
    compromise = weighted_mean(inputs.position.T, inputs.weight.T)
    for i, rule, present, x, g in _ruled_issues(inputs):
        if rule.kind == "majority":
            continue
        out[present, i] = 0.0
        out[present[pivots(x, g, float(inputs.reference[i]), float(compromise[i]))], i] = 1.0
    return None if np.isnan(out).all() else out


def veto_by_rule(inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """[actor, issue] pair: 1 where the actor is a veto player of the issue's decision rule, its
    agreement necessary for any change (Tsebelis 2002; :func:`accord.models.procedural.veto_players`),
    else 0; and 1 where that veto player locks the reference point (the win set is empty and would
    not be if it backed every change; :func:`accord.models.procedural.locks`), else 0. NaN on
    issues without a rule and for actors not taking part."""
    necessary, locking = np.full(inputs.position.shape, np.nan), np.full(inputs.position.shape, np.nan)
    for i, _, present, x, g in _ruled_issues(inputs):
        vetoes = veto_players(g)
        necessary[present, i] = locking[present, i] = 0.0
        necessary[present[vetoes], i] = 1.0
        locking[present[locks(x, g, float(inputs.reference[i]), vetoes)], i] = 1.0
    return necessary, locking


def _blocking(base: Result, outs: list[Result], reference: np.ndarray, w: np.ndarray, span: np.ndarray
              ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The spoiler's measures [actor, issue] (Stedman 1997: its presence blocks a settlement the
    others would reach), by two routes. Deadlock: the others' disagreement in the last round, with
    it and in the run without it; *blocks* is the rise its presence brings, *settles* the ratio
    without/with. Status quo: the outcome stays within AT_REFERENCE of the reference point with it
    and moves away without it; *blocks* is how far it moves, *settles* 0. The stronger route counts."""
    end_with = _spread(_each_absent(base.positions[-1:]), w)
    end_without = _spread(np.stack([o.positions[-1:] for o in outs]), w)
    deadlock = (end_with - end_without) / span
    settles = np.where(end_with > 0, end_without / np.where(end_with > 0, end_with, 1.0), 1.0)
    F, F_out = base.forecast, np.array([o.forecast for o in outs])
    held = np.abs(F - reference) <= AT_REFERENCE * span
    locks = np.where(np.isfinite(reference) & held, (np.abs(F_out - reference) - np.abs(F - reference)) / span, 0.0)
    by_lock = locks > deadlock
    values = {"blocks": np.where(by_lock, locks, deadlock), "settles": np.where(by_lock, 0.0, settles)}
    return values, {"others_end": end_with, "others_end_without": end_without,
                    "at_reference": np.broadcast_to(by_lock, end_with.shape).astype(float)}


def _closure(x_start: np.ndarray, x_end: np.ndarray, x0: np.ndarray, w: np.ndarray, span: np.ndarray) -> np.ndarray:
    """[actor a, issue]: the share of the gap between the weighted means of the actors left and
    right of a (at the start) that closes from ``x_start`` to ``x_end`` (positions [actor, issue],
    or [a, actor, issue]: a run of its own for each a, as the run without a); a's own row is
    ignored; absent actors, NaN, count on neither side."""
    n_a, n_i = x0.shape
    x_start, x_end = (np.broadcast_to(x, (n_a, n_a, n_i)) for x in (x_start, x_end))
    mine = np.eye(n_a, dtype=bool)[:, :, None]  # [a, k, issue]
    cut = SAME * span
    left = x0[None, :, :] < (x0 - cut)[:, None, :]
    right = x0[None, :, :] > (x0 + cut)[:, None, :]
    wk = np.broadcast_to(w[None], (n_a, n_a, n_i))
    gaps, complete = [], np.isfinite(x0)
    for x in (x_start, x_end):
        ok = ~np.isnan(x) & ~mine
        sides = []
        for side in (left & ok, right & ok):
            weight = _subset_sums(_last(wk), _last(side))
            complete = complete & (weight > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                sides.append(_subset_sums(_last(x * wk), _last(side)) / weight)  # np.average, side by side
        gaps.append(sides[1] - sides[0])
    complete &= gaps[0] > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(complete, 1 - gaps[1] / np.where(complete, gaps[0], 1.0), 0.0)


def _last(a: np.ndarray) -> np.ndarray:
    """[a, k, issue] -> [a, issue, k]: the actors summed over on the last axis."""
    return np.swapaxes(a, 1, 2)


def _subset_sums(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sums over the last axis of the entries where ``mask`` holds, each equal to the last bit to
    ``values[mask].sum()`` on that row alone: numpy adds 8 or more numbers in pairwise blocks, so
    a sum over the selected entries differs from one over all entries with zeros elsewhere. Rows
    with the same number of selected entries are summed together, compacted to that length."""
    values, mask = np.broadcast_arrays(values, mask)
    count = mask.sum(axis=-1)
    compact = np.take_along_axis(values, np.argsort(~mask, axis=-1, kind="stable"), axis=-1)
    out = np.zeros(count.shape)
    for k in np.unique(count):
        if k:
            rows = count == k
            out[rows] = compact[rows][:, :k].sum(axis=-1)
    return out


def counterfactual_runs(model: Model, inputs: Sequence[Inputs], seed) -> list[tuple[Result, list[Result]]]:
    """For each set of inputs, the model's run on it and the runs without each actor in turn
    (:func:`accord.experiment.without_each`), the missing actor's row put back as absent (NaN) so
    that the arrays line up with the full run's. All runs go to the model together
    (:meth:`~accord.models.Model.evaluate_many`: in lockstep where it can), each as it would run alone."""
    designs = [[x, *without_each(x)] for x in inputs]
    solved = iter(model.evaluate_many([run for design in designs for run in design], seed))
    out = []
    for design in designs:
        base = next(solved)
        outs = [next(solved) for _ in design[1:]]
        for a, run in enumerate(outs):
            run.positions = np.insert(run.positions, a, np.nan, axis=1)
        out.append((base, outs))
    return out


def _without_each(model: Model, inputs: Inputs, seed) -> list[Result]:
    """The run without each actor in turn (:func:`counterfactual_runs`)."""
    return counterfactual_runs(model, [inputs], seed)[0][1]


def _kingmaker(x: np.ndarray, w: np.ndarray, span: np.ndarray) -> np.ndarray:
    """[actor, issue]: how decisively the actor holds the weighted median of the positions.

    With L and R the weight strictly to its left and right (others at its very position count
    on both sides, as they could hold the median without it) and W the total, the actor decides
    which side prevails when neither side has half without it; the degree is
    min(W/2 - L, W/2 - R) / (w_a / 2): 1 when it stands exactly at the balance point, 0 when a
    side has half without it (Black 1948's median voter, as a kingmaker)."""
    n_a, n_i = x.shape
    wi = np.where(np.isnan(x), 0.0, w)  # [actor, issue]
    total = np.ascontiguousarray(wi.T).sum(axis=-1)  # [issue], summed as a row (pairwise, as numpy does)
    others = ~np.eye(n_a, dtype=bool)[:, :, None]  # [a, k, issue]
    same = others & (np.abs(x[None, :, :] - x[:, None, :]) <= SAME * span)
    left = (others & (x[None, :, :] < x[:, None, :]) & ~same) | same
    right = (others & (x[None, :, :] > x[:, None, :]) & ~same) | same
    wk = _last(np.broadcast_to(wi[None], (n_a, n_a, n_i)))
    margin = np.minimum(total / 2 - _subset_sums(wk, _last(left)), total / 2 - _subset_sums(wk, _last(right)))
    held = ~np.isnan(x) & (wi > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(held, np.maximum(margin, 0.0) / (wi / 2), 0.0)


def _others(stat, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """[actor a, issue]: a weighted statistic (stats.weighted_mean or _median) of the others' positions."""
    n_a = x.shape[0]
    wk = np.where(np.eye(n_a, dtype=bool)[:, None, :], 0.0, w.T[None])  # [a, issue, k]: a's own weight 0
    return stat(np.broadcast_to(x.T, wk.shape), wk)


def _typical_other(x: np.ndarray) -> np.ndarray:
    """[actor a, issue]: the median of the others' positions, each actor counted once, so that a
    single strong outlier does not move it (the place a hardliner refuses to go toward)."""
    n_a = x.shape[0]
    if n_a < 2:
        return np.full_like(x, np.nan)
    others = np.array([np.delete(np.arange(n_a), a) for a in range(n_a)])
    return np.nanmedian(x[others], axis=1)


def _spread(positions: np.ndarray, w: np.ndarray) -> np.ndarray:
    """[..., issue]: the disagreement of the actors present in ``positions`` [..., round, actor,
    issue]: their weighted mean absolute deviation from their weighted median, averaged over the
    rounds."""
    return _round_spread(positions, w).mean(axis=-2)


def _round_spread(positions: np.ndarray, w: np.ndarray) -> np.ndarray:
    """[..., round, issue]: the disagreement of :func:`_spread` in each round."""
    x = np.swapaxes(positions, -2, -1)  # ..., round, issue, actor
    ww = np.where(np.isnan(x), 0.0, np.broadcast_to(w.T, x.shape))
    med = weighted_median(x, ww)
    dev = np.where(np.isnan(x), 0.0, np.abs(x - med[..., None]))
    total = ww.sum(axis=-1)
    return np.where(total > 0, (ww * dev).sum(axis=-1) / np.where(total > 0, total, 1.0), 0.0)


def _spread_runs(runs: list[np.ndarray], w: np.ndarray) -> np.ndarray:
    """[run, issue]: :func:`_spread` of each run's positions [round, actor, issue], the rounds of
    all runs computed together and averaged run by run."""
    mad = _round_spread(np.concatenate(runs), w)
    ends = np.cumsum([len(r) for r in runs])
    return np.array([mad[end - len(r):end].mean(axis=0) for r, end in zip(runs, ends)])


def _absent(positions: np.ndarray, a: int) -> np.ndarray:
    out = positions.copy()
    out[:, a] = np.nan
    return out


def _each_absent(positions: np.ndarray) -> np.ndarray:
    """[a, round, actor, issue]: the positions with actor a absent, for each a."""
    n_a = positions.shape[1]
    out = np.repeat(positions[None], n_a, axis=0)
    out[np.arange(n_a), :, np.arange(n_a)] = np.nan
    return out


def _sides(x: np.ndarray, w: np.ndarray, span: np.ndarray):
    """Per actor and issue: the lighter side's share of the others' weight, the gap between the
    nearest actors on either side (the gap it stands in), and how central the actor stands
    between the two sides' weighted means."""
    n_a, n_i = x.shape
    others = (~np.eye(n_a, dtype=bool)[:, :, None] & ~np.isnan(x)[None])  # [a, k, issue]
    left = others & (x[None] < (x - SAME * span)[:, None])
    right = others & (x[None] > (x + SAME * span)[:, None])
    wk, wx = (_last(np.broadcast_to(v[None], (n_a, n_a, n_i))) for v in (w, w * x))
    wl, wr, wt = (_subset_sums(wk, _last(m)) for m in (left, right, others))
    found = ~np.isnan(x) & (wl > 0) & (wr > 0) & (wt > 0)
    xk = np.broadcast_to(x[None], left.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        ml, mr = _subset_sums(wx, _last(left)) / wl, _subset_sums(wx, _last(right)) / wr
        t = (x - ml) / (mr - ml)
        between = np.minimum(wl, wr) / wt
        nearest_right = np.min(xk, axis=1, where=right, initial=np.inf)
        nearest_left = np.max(xk, axis=1, where=left, initial=-np.inf)
        opposed = (nearest_right - nearest_left) / span  # the gap it stands in: no one else between
        acceptable = 1 - np.abs(2 * t - 1)
    return tuple(np.where(found, v, 0.0) for v in (between, opposed, acceptable))


def _support(positions: np.ndarray, w: np.ndarray, span: np.ndarray):
    """[supporter e, issue]: the largest rise, over beneficiaries b, of b's probability of
    prevailing in challenges that e's votes bring, and that beneficiary's index. Contests are
    weighted by the opponent's weight x distance, pooled over the run's rounds, so rounds in
    which positions have converged (no contests left) do not dilute the measure."""
    n_r, n_a, n_i = positions.shape
    lift = np.zeros((n_a, n_i))
    who = np.full((n_a, n_i), -1)
    for i in range(n_i):
        num, den = np.zeros((n_a, n_a)), np.zeros((n_a, n_a))  # [e, b]
        rounds = _distinct_rounds(positions[:, :, i])
        step = max(1, 2 ** 20 // max(1, n_a ** 3))  # rounds at a time: [round, e, b, j] stays small
        for start in range(0, len(rounds), step):
            n, d = _lifts(rounds[start:start + step], w[:, i], span[i])
            for n_round, d_round in zip(n, d):  # pooled in round order
                num += n_round
                den += d_round
        with np.errstate(invalid="ignore", divide="ignore"):
            gain = np.where(den > 0, num / den, 0.0)
        np.fill_diagonal(gain, -np.inf)
        best = np.argmax(gain, axis=1)
        lift[:, i] = gain[np.arange(n_a), best]
        who[:, i] = best
    lift[~np.isfinite(lift)] = 0.0
    return lift, who


def _distinct_rounds(x: np.ndarray) -> np.ndarray:
    """The rounds of one issue [round, actor], without the repeats that pad a run that stopped early."""
    repeat = ((x[1:] == x[:-1]) | (np.isnan(x[1:]) & np.isnan(x[:-1]))).all(axis=1)
    return x[np.concatenate([[True], ~repeat])]


def _lifts(x: np.ndarray, w: np.ndarray, d: float) -> tuple[np.ndarray, np.ndarray]:
    """At positions x [round, actor]: per round, [e, b] sums over b's opponents j (weighted by
    w_j |x_b - x_j|) of the rise in b's probability of prevailing that e's vote brings, and the
    sums of the weights (for positions [actor]: of that one round). O(n^3) per round."""
    if x.ndim == 1:
        num, den = _lifts(x[None], w, d)
        return num[0], den[0]
    ok = ~np.isnan(x)
    n = x.shape[1]
    xs = np.where(ok, x, 0.0)
    ws = np.where(ok, w, 0.0)
    gap = np.abs(xs[:, :, None] - xs[:, None, :]) / d  # [round, m, m']
    # v[r, k, b, j] = w_k (|x_k - x_j| - |x_k - x_b|) / d
    v = ws[:, :, None, None] * (gap[:, :, None, :] - gap[:, :, :, None])
    pro = np.clip(v, 0, None).sum(axis=1)  # [round, b, j]
    tot = np.abs(v).sum(axis=1)
    contest = (gap >= CONTEST) & ok[:, :, None] & ok[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(tot > 0, pro / tot, 0.5)
        # without e's vote: [round, e, b, j]
        pro_e, tot_e = pro[:, None] - np.clip(v, 0, None), tot[:, None] - np.abs(v)
        p_e = np.where(tot_e > 0, pro_e / tot_e, 0.5)
    own = np.eye(n, dtype=bool)
    rel = contest[:, None] & ~own[None, :, :, None] & ~own[None, :, None, :]  # e's own contests do not count
    weight = np.where(rel, (ws[:, None, :] * gap)[:, None], 0.0)  # opponents j of b
    voter = (ok & (ws > 0))[:, :, None]
    num = np.where(voter, (weight * (p[:, None] - p_e)).sum(axis=-1), 0.0)
    den = np.where(voter, weight.sum(axis=-1), 0.0)
    return num, den


def _following(x0: np.ndarray, xT: np.ndarray, F: np.ndarray, span: np.ndarray):
    """Per actor and issue: the follower's measures toward its best patron, and the patron."""
    n_a, n_i = x0.shape
    move = np.abs(xT - x0) / span  # [actor, issue]
    with np.errstate(invalid="ignore", divide="ignore"):
        gap0 = np.abs(x0[:, None] - x0[None, :]) / span  # [a, p, issue]
        cand = {"moves": np.broadcast_to(move[:, None], gap0.shape),
                "toward": (gap0 - np.abs(xT[:, None] - xT[None, :]) / span) / gap0,
                "led": np.where(move[:, None] > 0, move[None, :] / move[:, None], 1.0),
                "distinct": np.broadcast_to((np.abs(xT - F) / span)[None, :], gap0.shape)}
    valid = ~np.eye(n_a, dtype=bool)[:, :, None] & ~np.isnan(x0)[:, None] & ~np.isnan(x0)[None, :] & (gap0 > SAME)
    s = np.where(valid, score("follower", cand), -np.inf)
    best = np.argmax(s, axis=1)[:, None]  # the first patron of the highest score
    found = valid.any(axis=1)
    out = {k: np.where(found, np.take_along_axis(v, best, axis=1)[:, 0], 0.0) for k, v in cand.items()}
    out["led"] = np.where(found, out["led"], 1.0)
    patron = np.where(found, best[:, 0], -1)
    return out, patron


def _isolation(salience: np.ndarray, present: np.ndarray) -> dict[str, np.ndarray]:
    s = np.where(present, salience, 0.0)
    top = s.max(axis=1, keepdims=True)
    n_a = s.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        intense = np.where(top > 0, s / top, 0.0)
        others = (np.max(np.where(np.eye(n_a, dtype=bool)[:, :, None], -np.inf, s[None]), axis=1) if n_a > 1
                  else np.zeros_like(s))
        alone = np.where(s > 0, others / s, np.inf)
    return {"intense": intense, "alone": alone}


def recovery(model: Model, seeds) -> dict[str, dict[str, float]]:
    """Per role measured on a run (:data:`MEASURED`), over the planted-role scenarios of the given
    seeds (:func:`accord.synthetic.planted`): how many (actor, role) pairs were planted, found and
    right, with precision and recall."""
    from .synthetic import planted

    count = {role: {"planted": 0, "found": 0, "right": 0} for role in MEASURED}
    for seed in seeds:
        scenario, truth = planted(seed)
        inputs = scenario.inputs()
        held = measure(model, inputs).holds()
        for role in MEASURED:
            found = {inputs.actors[a] for a in np.flatnonzero(held[role].any(axis=1))}
            planted_here = truth.get(role, set())
            count[role]["planted"] += len(planted_here)
            count[role]["found"] += len(found)
            count[role]["right"] += len(found & planted_here)
    return {role: c | {"precision": c["right"] / c["found"] if c["found"] else 1.0,
                       "recall": c["right"] / c["planted"] if c["planted"] else 1.0}
            for role, c in count.items()}
