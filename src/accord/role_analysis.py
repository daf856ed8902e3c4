"""Roles of a scenario: computed, given a confidence from the evidence, explained, and compared.

:func:`analyse` measures every role (:mod:`accord.roles`) on the scenario's consensus inputs,
repeats the measurement on Monte Carlo samples of the evidence for a confidence (the share of
samples in which a role holds), explains each role that holds from the quantities behind it
and the quotes behind the inputs that drive it, and, where the scenario records roles its
sources assert, sets those beside the computed ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .experiment import CONSENSUS, evaluate, readings, sample
from .models import Model, get_model
from .models.base import records
from .roles import CONDITIONS, DYNAMIC, HOLDS, ROLES, Measures, counterfactual_runs, measure
from .scenario import Estimate, Inputs, Scenario
from .stats import fmt
from .uncertainty import Draws, overrides, what_if

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is built: start-up need not pay for it

DEFAULT_MODEL = "influence"
#: Monte Carlo samples for the roles' confidence, the default of the command line, the report and
#: the dashboard alike.
SAMPLES = 100

#: What each condition says, in words, with its measured value v.
PHRASES = {
    ("pivot", "decisive"): "holds the weighted median decisively (degree {v:.2f}; 1 = at the balance point)",
    ("pivot", "followed"): "sees the outcome land near its position ({v:.2f} of the scale away)",
    ("pivot", "decisive", "rule"): "is the pivot of the issue's decision rule: with the actors ordered by position, "
                                   "its vote turns the coalition for a change from losing into winning",
    ("veto", "necessary"): "must agree to any change of the status quo under the issue's decision rule (a veto "
                           "player)",
    ("broker", "between"): "has weight on both sides (the lighter side holds {v:.0%} of the others' weight)",
    ("broker", "opposed"): "stands in the gap between opposed sides (the nearest actors on either side are {v:.2f} "
                           "of the scale apart)",
    ("broker", "acceptable"): "stands in the middle between them (centrality {v:.2f}; 1 = halfway)",
    ("broker", "bridges"): "brings the two sides together ({v:+.0%} more of the gap between them closes with it "
                           "than without it)",
    ("spoiler", "blocks"): "blocks a settlement: with it the others stay apart, or the outcome stays at the reference "
                           "point ({v:.2f} of the scale)",
    ("spoiler", "settles"): "leaves the others to settle without it (their disagreement without it is {v:.0%} of "
                            "what it is with it)",
    ("enabler", "supports"): "raises another actor's probability of prevailing in challenges (by {v:.2f})",
    ("enabler", "backs"): "backs an actor that cares more than it does (salience {v:+.2f} above its own)",
    ("follower", "moves"): "moves over the rounds ({v:.2f} of the scale)",
    ("follower", "toward"): "closes in on one patron ({v:.0%} of the distance)",
    ("follower", "led"): "follows a patron that moves less (the patron moves {v:.0%} as far)",
    ("follower", "distinct"): "follows a patron that stands apart from the outcome ({v:.2f} of the scale)",
    ("hardliner", "pressed"): "has room to move (the others' median position, each counted once, is {v:.2f} of "
                              "the scale away)",
    ("hardliner", "firm"): "keeps its position (it gives up {v:.0%} of that distance)",
    ("isolate", "intense"): "cares intensely about the issue ({v:.0%} of its highest salience)",
    ("isolate", "alone"): "is alone in caring (the most attentive other actor has {v:.0%} of its salience)",
}

#: The inputs behind each role: (whose, what); whose is "self" or "other" (patron, beneficiary).
DRIVERS = {
    "pivot": [("self", "position"), ("self", "capability"), ("self", "salience")],
    "broker": [("self", "position"), ("self", "capability"), ("self", "salience")],
    "spoiler": [("self", "position"), ("self", "salience"), ("self", "capability")],
    "enabler": [("self", "capability"), ("self", "position"), ("other", "position"), ("other", "salience")],
    "follower": [("self", "position"), ("self", "salience"), ("other", "position")],
    "hardliner": [("self", "position"), ("self", "salience")],
    "isolate": [("self", "salience")],
    "veto": [("self", "capability")],
}


@dataclass
class RoleAnalysis:
    """Every actor's score for every role and issue, with confidences, explanations and the comparison."""

    scenario: Scenario
    model: str
    params: dict[str, Any]
    seed: int | None
    samples: int
    measures: Measures
    confidence: dict[str, np.ndarray] | None
    roles: list[dict[str, Any]] = field(default_factory=list)
    comparison: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def scores_frame(self) -> pd.DataFrame:
        """Every (actor, role, issue): score, confidence, whether it holds; the tidy table for pandas."""
        import pandas as pd

        inp = self.scenario.inputs()
        rows = []
        for role in ROLES:
            s = self.measures.scores[role]
            for a, actor in enumerate(inp.actors):
                for i, issue in enumerate(inp.issues):
                    if np.isnan(s[a, i]):
                        continue
                    rows.append({"actor": actor, "role": role, "issue": issue, "score": float(s[a, i]),
                                 "confidence": None if self.confidence is None else float(self.confidence[role][a, i]),
                                 "holds": bool(s[a, i] >= HOLDS)})
        return pd.DataFrame(rows, columns=["actor", "role", "issue", "score", "confidence", "holds"])

    def __repr__(self) -> str:
        import pandas as pd

        held = pd.DataFrame(self.roles, columns=["actor", "role", "issue", "score", "confidence"])
        return f"<RoleAnalysis of {self.scenario.name} ({self.model}, {self.samples} samples): roles that hold>\n{held}"

    def _repr_html_(self) -> str:
        """Jupyter's view: the roles that hold, with their confidence, and the asserted roles' verdicts."""
        from html import escape

        import pandas as pd

        def table(frame: pd.DataFrame) -> str:
            return frame.to_html(index=False, float_format=lambda x: f"{x:.2f}", na_rep="", border=0)

        held = pd.DataFrame(self.roles, columns=["actor", "role", "issue", "score", "confidence", "other"])
        parts = [f"<p><b>Roles in {escape(self.scenario.name)}</b> ({escape(self.model)}, {self.samples} samples): "
                 f"{len(held)} hold</p>", table(held)]
        if self.comparison:
            said = pd.DataFrame(self.comparison)
            said["sources"] = said["sources"].map(", ".join)
            parts += ["<p><b>Roles the sources assert</b></p>",
                      table(said[["actor", "role", "asserted", "sources", "judged_on", "status", "verdict"]])]
        parts += [f"<ul>{''.join(f'<li>{escape(n)}</li>' for n in self.notes)}</ul>"] if self.notes else []
        return f"<div>{''.join(parts)}</div>"

    def to_json(self) -> dict[str, Any]:
        return {"scenario": {"name": self.scenario.name, "sha256": self.scenario.sha256},
                "model": self.model, "params": self.params, "seed": self.seed, "samples": self.samples,
                "roles": self.roles, "comparison": self.comparison, "notes": self.notes,
                "scores": records(self.scores_frame())}


def analyse(scenario: Scenario, model: str | Model = DEFAULT_MODEL, samples: int = SAMPLES, seed: int | None = 0,
            progress: Callable[[int, int], None] | None = None, *, workers: int = 1, scheduler: str | None = None
            ) -> RoleAnalysis:
    """Compute, explain and (where the scenario records assertions) compare every role.

    The confidence is an experiment (:mod:`accord.experiment`): ``samples`` draws of the
    evidence (sample), the model and its n counterfactuals run on each (evaluate: in this
    process, on ``workers`` local processes or on the Dask cluster at ``scheduler``, with the
    same result whatever runs them), and the share of samples in which each role holds
    (analyse). ``progress(done, total)`` counts samples.

    >>> from accord.synthetic import planted
    >>> scenario, truth = planted(0, "broker")
    >>> roles = analyse(scenario, samples=4, seed=0)
    >>> sorted(truth["broker"]) == sorted({r["actor"] for r in roles.roles if r["role"] == "broker"})
    True
    """
    model = get_model(model)() if isinstance(model, str) else model
    base = scenario.inputs()
    found = measure(model, base, seed)
    found.run.model, found.run.params, found.run.seed = model.name, model.get_params(), seed
    confidence = None
    if samples:
        # A stream of its own under the seed, apart from the forecast's Monte Carlo batches.
        draws = sample(scenario, samples, seed, key=(7,))
        per_job = max(1, min(SAMPLES_PER_JOB, samples // 10))  # at least ten steps for the progress bar
        starts = range(0, samples, per_job)
        counts = evaluate(_count_holds, [(model, base, draws.part(k, k + per_job), seed) for k in starts],
                          workers=workers, scheduler=scheduler, progress=progress,
                          sizes=[min(per_job, samples - k) for k in starts])
        confidence = {role: sum(c[role] for c in counts) / samples for role in ROLES}
    out = RoleAnalysis(scenario, model.name, model.get_params(), seed, samples, found, confidence)
    if found.run.n_rounds == 0:
        out.notes.append(f"model {model.name} has no rounds: {', '.join(DYNAMIC)} are about movement over rounds "
                         "and are not assessed (choose a model with rounds: influence, eum, smp, exchange)")
    if samples:
        out.notes += [f"what-if: {what_if(row)}" for row in overrides(scenario)]
    out.roles = _holding(out)
    by_reading = _reading_measures(out, model) if scenario.roles else {}
    out.comparison = [_compare(out, claim, by_reading) for claim in scenario.roles]
    return out


#: Samples per job (at most; fewer where there are fewer than ten jobs): their runs and
#: counterfactual runs go to the model together (in lockstep where it can), and the progress bar
#: moves job by job. The counts do not depend on it.
SAMPLES_PER_JOB = 10


def _count_holds(model: Model, base: Inputs, draws: Draws, seed: int | None) -> dict[str, np.ndarray]:
    """Per role, [actor, issue]: in how many of the draws the role holds (the model and its
    counterfactuals run on each)."""
    counts = {role: np.zeros(base.position.shape) for role in ROLES}
    samples = [draws.inputs(base, k) for k in range(len(draws))]
    for inputs, runs in zip(samples, counterfactual_runs(model, samples, seed)):
        held = measure(model, inputs, seed, runs).holds()
        for role in ROLES:
            counts[role] += held[role]
    return counts


# -- roles that hold, explained ---------------------------------------------------------------


def _holding(res: RoleAnalysis) -> list[dict[str, Any]]:
    inp = res.scenario.inputs()
    rows = []
    for a, actor in enumerate(inp.actors):
        for role in ROLES:
            s = res.measures.scores[role]
            for i, issue in enumerate(inp.issues):
                if not s[a, i] >= HOLDS:
                    continue
                other = _other(res.measures, role, a, i)
                rows.append({
                    "actor": actor, "role": role, "issue": issue, "score": round(float(s[a, i]), 4),
                    "confidence": None if res.confidence is None else round(float(res.confidence[role][a, i]), 4),
                    "other": None if other is None else inp.actors[other],
                    "explanation": explain(res, role, a, i),
                    "evidence": evidence(res.scenario, role, a, i, other),
                } | ({"locks": bool(res.measures.detail["locks"][a, i] == 1)} if role == "veto" else {}))
    return rows


def _other(m: Measures, role: str, a: int, i: int) -> int | None:
    if role not in m.other:
        return None
    k = int(m.other[role][a, i])
    return k if k >= 0 else None


#: How a role reads in a sentence, where its name alone would not.
WORDS = {"veto": "veto player"}


def article(word: str) -> str:
    """The role with its article, in words: "a pivot", "an enabler", "a veto player"."""
    word = WORDS.get(word, word)
    return ("an " if word[0] in "aeiou" else "a ") + word


def _name(scenario: Scenario, actor_id: str) -> str:
    return scenario.actor(actor_id).name or actor_id


def conditions_text(res: RoleAnalysis, role: str, a: int, i: int, failing_only: bool = False) -> list[str]:
    parts = []
    by_rule = role == "pivot" and bool(res.measures.detail["pivot_by_rule"][a, i])
    for cond in CONDITIONS[role]:
        v = float(res.measures.values[role][cond.name][a, i])
        if by_rule and np.isnan(v):  # not assessed under the rule (the pivot's *followed*)
            continue
        holds = cond.degree(np.array(v)) >= HOLDS
        if failing_only and holds:
            continue
        key = (role, cond.name, "rule") if by_rule else (role, cond.name)
        phrase = PHRASES[key].format(v=v if np.isfinite(v) else float("nan"))
        threshold = f"{'at least' if cond.full > cond.zero else 'at most'} {cond.threshold:g}"
        parts.append(phrase + ("" if holds else f", short of the threshold ({threshold})"))
    return parts


def explain(res: RoleAnalysis, role: str, a: int, i: int) -> str:
    """The role in plain words: what was measured, the run's key numbers, and the inputs behind it."""
    sc, inp, m = res.scenario, res.scenario.inputs(), res.measures
    actor, issue = inp.actors[a], sc.issues[i]
    who = _name(sc, actor)
    other = _other(m, role, a, i)
    x0, xT = m.run.positions[0, a, i], m.run.positions[-1, a, i]
    F, F_out = m.run.forecast[i], m.forecast_without[a, i]
    text = (f"{who} is {article(role)} on {issue.label or issue.id}: it "
            + "; it ".join(conditions_text(res, role, a, i)) + ".")
    if role == "pivot":
        text += f" It stands at {fmt(x0)}; the outcome is {fmt(F)}."
        if m.detail["pivot_by_rule"][a, i]:
            ref = inp.reference[i]
            text += (f" The reference point is {fmt(ref)}: it is the pivot on the status quo's side."
                     if np.isfinite(ref) else " The issue has no reference point: the pivots are the core's two ends.")
            text += _rule_text(sc, i)
    elif role == "veto":
        ref = inp.reference[i]
        text += f" It stands at {fmt(x0)}" + (f"; the reference point is {fmt(ref)}" if np.isfinite(ref) else "")
        text += ("; the issue has no reference point: there is no status quo to lock." if not np.isfinite(ref)
                 else "; it locks the status quo: no change can pass, and one could if it backed it."
                 if m.detail["locks"][a, i] == 1 else "; it does not lock the status quo alone.")
        text += _rule_text(sc, i)
    elif role == "broker":
        text += (f" It stands at {fmt(x0)}; with it the others' disagreement averages "
                 f"{fmt(m.detail['disagreement'][a, i])} points over the rounds, without it "
                 f"{fmt(m.detail['disagreement_without'][a, i])}.")
    elif role == "spoiler":
        if m.detail["at_reference"][a, i]:
            ref = res.scenario.inputs().reference[i]
            text += f" The outcome stays at {fmt(F)}, by the reference point {fmt(ref)}; without it, {fmt(F_out)}."
        else:
            text += (f" With it the others end {fmt(m.detail['others_end'][a, i])} points apart on average, without it "
                     f"{fmt(m.detail['others_end_without'][a, i])}; the outcome is {fmt(F)} with it and {fmt(F_out)}"
                     " without it.")
    elif role == "enabler" and other is not None:
        text += f" The actor it backs is {_name(sc, inp.actors[other])} (at {fmt(inp.position[other, i])})."
    elif role == "follower" and other is not None:
        p0, pT = m.run.positions[0, other, i], m.run.positions[-1, other, i]
        text += (f" It moves from {fmt(x0)} to {fmt(xT)}; its patron {_name(sc, inp.actors[other])} from "
                 f"{fmt(p0)} to {fmt(pT)}; the outcome is {fmt(F)}.")
    elif role == "hardliner":
        text += (f" It moves from {fmt(x0)} to {fmt(xT)} while the others' median position is "
                 f"{fmt(m.detail['typical_other'][a, i])}; the outcome is {fmt(F)}.")
    elif role == "isolate":
        text += f" Its salience is {fmt(inp.salience[a, i])}."
    quotes = evidence(sc, role, a, i, other)
    if quotes:
        text += " Behind it: " + "; ".join(_cite(q) for q in quotes) + "."
    return text


def _rule_text(scenario: Scenario, i: int) -> str:
    """The issue's decision rule in words, with its evidence."""
    rule = scenario.decision_rule(scenario.issues[i])
    if rule is None:
        return ""
    if rule.rule == "qualified":
        what = f"a qualified majority of {fmt(rule.threshold or 1.0)} of the votes" + (
            f" with the vetoes of {', '.join(rule.vetoes)}" if rule.vetoes else "")
    else:
        what = {"unanimity": f"unanimity of {', '.join(rule.vetoes)}", "majority": "a majority of the votes",
                "decider": f"{rule.decider} decides"}[rule.rule]
    if rule.claims:
        why = "; ".join(f"{c.source}: \u201c{c.quote}\u201d" for c in rule.claims)
    else:
        why = f"assumed: {rule.assumption or scenario.assumption}"
    return f" The rule: {what} ({why})."


def _cite(item: dict[str, Any]) -> str:
    head = f"{item['actor']} {item['what']}{' on ' + item['issue'] if item['issue'] else ''} = {fmt(item['value'])}"
    if item["claims"]:
        return head + " (" + "; ".join(f"{c['source']}: \u201c{c['quote']}\u201d" for c in item["claims"]) + ")"
    return head + f" (assumed: {item['assumption']})"


def evidence(scenario: Scenario, role: str, a: int, i: int, other: int | None) -> list[dict[str, Any]]:
    """The inputs that drive the role, each with its value and the claims (or assumption) behind it."""
    out = []
    issue_id = scenario.issue_ids[i]
    for whose, what in DRIVERS[role]:
        k = a if whose == "self" else other
        if k is None:
            continue
        actor = scenario.actors[k]
        stance = actor.issues.get(issue_id)
        if stance is None:
            continue
        est: Estimate | None
        if what == "capability":
            est = scenario.capability(actor, issue_id)
            on = issue_id if stance.capability is not None else None
        else:
            est, on = getattr(stance, what), issue_id
        if est is None:
            continue
        out.append({"actor": actor.id, "what": what, "issue": on, "value": est.point,
                    "claims": [{"source": c.source, "quote": c.quote} for c in est.claims],
                    "assumption": est.assumption or (scenario.assumption if not est.claims else None)})
    return out


# -- computed roles beside asserted ones -------------------------------------------------------

#: A role holds (robustly) when it holds in at least ROBUST of the samples, does not hold when it
#: holds in at most 1 - ROBUST of them, and is fragile in the band between.
ROBUST = 0.8


def status(confidence: float | None, samples: int, holds: bool) -> str:
    """The words for a role's standing: from its Monte Carlo confidence where there is one
    ("holds: it holds in 97 of 100 samples"), else from the point inputs ("holds on these numbers").

    >>> status(0.01, 100, True)
    'does not hold: it holds in 1 of 100 samples'
    >>> status(0.45, 100, True)
    'fragile: it holds in 45 of 100 samples'
    """
    if confidence is None or not samples:
        return "holds on these numbers" if holds else "does not hold on these numbers"
    k = int(round(confidence * samples))
    word = "holds" if confidence >= ROBUST else "does not hold" if confidence <= 1 - ROBUST else "fragile"
    return f"{word}: it holds in {k} of {samples} samples"


def verdict(asserted: bool, holds: bool, confidence: float | None = None) -> str:
    """An assertion against the computation: "agrees" or "disagrees", with ", but fragile" when the
    confidence lies in the middle band (1 - ROBUST, ROBUST); then whether it holds in most samples decides."""
    if confidence is not None and 1 - ROBUST < confidence < ROBUST:
        return ("agrees" if asserted == (confidence >= 0.5) else "disagrees") + ", but fragile"
    found = holds if confidence is None else confidence >= ROBUST
    return "agrees" if asserted == found else "disagrees"


def _reading_measures(res: RoleAnalysis, model: Model) -> dict[str, Measures]:
    """Per source's reading (:func:`accord.experiment.readings`): every role measured on its numbers."""
    return {name: measure(model, scenario.inputs(), res.seed)
            for name, scenario in readings(res.scenario).items() if name != CONSENSUS}


def _judge(claim, a: int, i: int, m: Measures, actors: list[str]) -> tuple[float, bool, str | None]:
    """A role's score, whether it holds, and the other actor it refers to (patron, beneficiary)."""
    s = float(m.scores[claim.role][a, i])
    k = _other(m, claim.role, a, i)
    return s, bool(s >= HOLDS), None if k is None else actors[k]


def _partly(claim, holds: bool, partner: str | None, said: str) -> str:
    """A claim naming a partner (``of``) that the computation finds with another partner only partly agrees."""
    if claim.holds and claim.of and holds and partner != claim.of and not said.startswith("disagrees"):
        return "partly agrees" + (", but fragile" if said.endswith("fragile") else "")
    return said


def _judged(res: RoleAnalysis, claim) -> tuple[int, str | None]:
    """The issue a claim is judged on: its own; where it names none, the issue on which the role
    holds most surely on the consensus (confidence, then score), said in a note."""
    sc, m = res.scenario, res.measures
    if claim.issue:
        return sc.issue_ids.index(claim.issue), None
    a = sc.actor_ids.index(claim.actor)
    s = np.nan_to_num(m.scores[claim.role][a], nan=-1.0)
    c = np.zeros_like(s) if res.confidence is None else res.confidence[claim.role][a]
    i = int(np.lexsort((s, c))[-1])
    return i, (f"the claim names no issue: judged on {sc.issue_ids[i]}, where the role holds most surely on the "
               "consensus")


def _compare(res: RoleAnalysis, claim, by_reading: dict[str, Measures]) -> dict[str, Any]:
    sc, m = res.scenario, res.measures
    a = sc.actor_ids.index(claim.actor)
    own = sorted({q.source for q in claim.evidence})
    row = {"actor": claim.actor, "role": claim.role, "asserted": claim.holds, "issue": claim.issue, "of": claim.of,
           "sources": own, "quotes": [{"source": q.source, "quote": q.quote} for q in claim.evidence]}
    unassessed = np.isnan(m.scores[claim.role][a]).all() or (
        claim.issue is not None and np.isnan(m.scores[claim.role][a, sc.issue_ids.index(claim.issue)]))
    if unassessed:
        reason = ("it has no rounds" if claim.role in DYNAMIC
                  else "the issue has no decision rule" if claim.role == "veto" and claim.issue
                  else "no issue it takes part in has a decision rule" if claim.role == "veto"
                  else "the actor takes no part")
        return row | {"computed": None, "holds_on": [], "judged_on": claim.issue, "issue_note": None,
                      "confidence": None, "status": "not assessed", "verdict": "not assessed", "readings": [],
                      "why": f"computed: {res.model} cannot assess {claim.role}: {reason}"}
    i, note = _judged(res, claim)
    issue_id = sc.issue_ids[i]
    score = float(m.scores[claim.role][a, i])
    holds = score >= HOLDS
    conf = None if res.confidence is None else float(res.confidence[claim.role][a, i])
    word = status(conf, res.samples, holds)
    said = verdict(claim.holds, holds, conf)
    who = _name(sc, claim.actor)
    on = [sc.issue_ids[k] for k in range(len(sc.issue_ids)) if m.scores[claim.role][a, k] >= HOLDS]
    why = (f"computed: on {issue_id}, {who} {'is' if holds else 'is not'} {article(claim.role)} on the consensus; "
           f"{word}.")
    if note:
        why += f" ({note}; it holds on {', '.join(on) or 'no issue'}.)"
    why += " " + (explain(res, claim.role, a, i) if holds else _nearest(res, claim.role, a, i))
    _, _, partner = _judge(claim, a, i, m, sc.actor_ids)
    if _partly(claim, holds, partner, said) != said:
        said = _partly(claim, holds, partner, said)
        why += (f" The computed {'patron' if claim.role == 'follower' else 'partner'} is {partner or 'none'}, "
                f"not {claim.of}.")
    rows = [{"reading": CONSENSUS, "own": False, "score": round(score, 4), "holds": holds,
             "confidence": None if conf is None else round(conf, 4), "status": word, "verdict": said}]
    for name, measured in by_reading.items():
        s_r, h_r, p_r = _judge(claim, a, i, measured, sc.actor_ids)
        said_r = "not assessed" if np.isnan(s_r) else _partly(claim, h_r, p_r, verdict(claim.holds, h_r))
        rows.append({"reading": name, "own": name in own, "score": None if np.isnan(s_r) else round(s_r, 4),
                     "holds": h_r, "confidence": None, "status": status(None, 0, h_r), "verdict": said_r})
    rows.sort(key=lambda r: (r["reading"] != CONSENSUS, not r["own"]))
    return row | {"computed": holds, "holds_on": [issue_id] if holds else [], "judged_on": issue_id,
                  "issue_note": note, "confidence": rows[0]["confidence"], "status": word, "verdict": said,
                  "why": why, "readings": rows}


def _nearest(res: RoleAnalysis, role: str, a: int, i: int) -> str:
    issue = res.scenario.issues[i]
    return (f"On {issue.label or issue.id} (score {res.measures.scores[role][a, i]:.2f}) it "
            + "; it ".join(conditions_text(res, role, a, i, failing_only=True)) + ".")
