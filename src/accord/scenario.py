"""The scenario: who negotiates over what, from where, with how much at stake.

A scenario has issues (each on its own scale), actors (each with a capability) and, for each
actor and issue it takes part in, a *stance*: a position on the issue's scale and a salience
in [0, 1] (the share of attention the actor gives the issue). Every number is an
:class:`Estimate` that carries its evidence: claims quoting a source, each with its own value,
or an explicit assumption. The value a model uses is :attr:`Estimate.point`: the explicit
value if one is set, else the consensus of the claims: the mean over sources of each source's
mean claim, so that each source counts once however many claims it makes (a claim given
only as a range counts with its midpoint).

The classes here describe the *shape* of a scenario and are the source of its JSON Schema
(``accord schema``). Rules that tie parts together (known ids, positions inside the scale,
salience in [0, 1], evidence for every value) are checked by :mod:`accord.checks`, which
reports all problems of a file at once. Models never see this layer: they take the numeric
arrays of :meth:`Scenario.inputs`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationInfo,
                      field_validator, model_validator)

FORMAT_VERSION = 1

#: Numbers written as text (a CSV cell, a text cell of a workbook, an XML element, a quoted
#: YAML value) are plain decimals: an optional sign, ASCII digits with an optional decimal
#: point, an optional exponent; spaces around are ignored. Python's float() would also take
#: ``1_0`` (ten), Arabic-Indic or fullwidth digits and ``infinity``, which spreadsheets read
#: as text: what one tool reads as a number every tool should.
PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
NUMBER_SYNTAX = "digits with an optional sign, decimal point and exponent, such as 12, -0.5 or 1.5e3"
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def parse_number(text: str) -> float | None:
    """The finite number a text writes in plain decimal syntax, or None (see :data:`PLAIN_DECIMAL`)."""
    s = text.strip(" \t\r\n")
    if not PLAIN_DECIMAL.fullmatch(s):
        return None
    value = float(s)
    return value if math.isfinite(value) else None


def number_problem(text: str) -> str:
    """Why a text is not a number :func:`parse_number` accepts, as the end of a sentence."""
    s = text.strip(" \t\r\n")
    if not s:
        return "is empty; a number is needed"
    if PLAIN_DECIMAL.fullmatch(s) or _NON_FINITE.fullmatch(s):
        return f"must be a finite number, got {s!r}"
    return f"must be a number, got {s!r} (write {NUMBER_SYNTAX})"


def _finite(value: Any) -> Any:
    # Numbers in text must be plain decimals: pydantic's own parsing would read "1_0" as 10.
    if isinstance(value, str):
        x = parse_number(value)
        if x is None:
            raise ValueError(number_problem(value))
        return x
    return value


Finite = Annotated[float, BeforeValidator(_finite), Field(allow_inf_nan=False, strict=False)]
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")  # ASCII digits: \d would take any script's
#: The schemes a source's address may have: a report or the dashboard links to nothing else
#: (a ``javascript:`` or ``data:`` address would run in the reader's browser).
WEB_SCHEMES = ("http", "https")
_WEB_ADDRESS = re.compile(r"https?://[^\s/?#\\\x00-\x1f\x7f][^\s\x00-\x1f\x7f]*", re.IGNORECASE)


def is_web_address(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) address, the only kind that is ever made a link."""
    return _WEB_ADDRESS.fullmatch(url) is not None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _iso_date(value: Any) -> Any:
    if isinstance(value, datetime):
        raise ValueError("dates are written YYYY, YYYY-MM or YYYY-MM-DD, without a time of day")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and not _DATE.match(value.strip()):
        raise ValueError("dates are written YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def _no_bool(value: Any) -> Any:
    # YAML reads `yes`/`no` as booleans; a boolean is never a valid number here.
    if isinstance(value, bool):
        raise ValueError("expected a number, got a true/false value")
    return value


class Claim(_Model):
    """A source's statement of a value, with the words that back it.

    ``value`` is the source's reading on the scale; a claim may give a range instead
    (``low``/``high``), or both a value and the range around it.
    """

    source: Id = Field(description="id of an entry in `sources`")
    quote: Text = Field(description="the source's own words, verbatim")
    value: Finite | None = None
    low: Finite | None = None
    high: Finite | None = None
    note: str | None = Field(None, description="how the quote was read as this value")

    _no_bool = field_validator("value", "low", "high", mode="before")(_no_bool)

    @model_validator(mode="after")
    def _value_or_range(self) -> Claim:
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError("a claim needs a `value`, or both `low` and `high`")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"`low` ({self.low:g}) is above `high` ({self.high:g})")
        if self.value is not None:
            if self.low is not None and self.value < self.low:
                raise ValueError(f"`value` ({self.value:g}) is below `low` ({self.low:g})")
            if self.high is not None and self.value > self.high:
                raise ValueError(f"`value` ({self.value:g}) is above `high` ({self.high:g})")
        return self

    @property
    def point(self) -> float:
        """The claim's value, or the midpoint of its range."""
        if self.value is not None:
            return self.value
        return (self.low + self.high) / 2  # type: ignore[operator]


class Estimate(_Model):
    """A number with its evidence: claims, or an explicit assumption.

    In YAML a bare number (``salience: 0.6``) is an estimate with no evidence of its own; it
    is accepted only when the scenario states a file-wide ``assumption`` covering it.
    """

    value: Finite | None = Field(None, description="explicit value; default: the consensus of the claims")
    claims: list[Claim] = Field(default_factory=list)
    assumption: Text | None = Field(None, description="why this value is assumed, when no source states it")

    _no_bool = field_validator("value", mode="before")(_no_bool)

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, data: Any) -> Any:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return {"value": data}
        return data

    @model_validator(mode="after")
    def _has_value(self) -> Estimate:
        if self.value is None and not self.claims:
            raise ValueError("give a `value` or at least one claim")
        return self

    @property
    def point(self) -> float:
        """The value models use: the explicit value, else the consensus of the claims."""
        return self.value if self.value is not None else self.consensus  # type: ignore[return-value]

    @property
    def consensus(self) -> float | None:
        """The consensus of the claims, in which each source counts once (the mean over sources
        of each source's mean claim); None without claims."""
        if not self.claims:
            return None
        by_source: dict[str, list[float]] = {}
        for claim in self.claims:
            by_source.setdefault(claim.source, []).append(claim.point)
        means = [math.fsum(v) / len(v) for v in by_source.values()]
        return math.fsum(means) / len(means)

    @property
    def overrides(self) -> bool:
        """True when an explicit value departs from the claims' consensus: the analyst's own
        assumption over the evidence (a what-if), which the Monte Carlo centres on."""
        return self.value is not None and bool(self.claims) and self.value != self.consensus

    @property
    def evidenced(self) -> bool:
        return bool(self.claims) or self.assumption is not None


class Anchor(_Model):
    """A labelled point of an issue's scale ("0: strict enforcement")."""

    value: Finite
    label: Text


class Scale(_Model):
    min: Finite
    max: Finite
    anchors: list[Anchor] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.min < self.max:
            raise ValueError(f"scale `min` ({self.min:g}) must be below `max` ({self.max:g})")
        if not math.isfinite(self.max - self.min):  # models measure distances on the scale
            raise ValueError(f"the scale from {self.min:g} to {self.max:g} is wider than floating-point numbers "
                             f"reach (about {sys.float_info.max:.3g}): rescale the issue, e.g. to 0-100")
        return self


class Lexicon(_Model):
    """The words that mark an issue in a text, for ``accord evidence scan``.

    Each entry is a word or phrase matched case-insensitively on word boundaries; ``*`` ends
    a prefix (``sanction*`` matches sanction, sanctions, sanctioning). ``terms`` mark that a
    sentence is about the issue; ``toward_min`` and ``toward_max`` are cues of direction
    (``eas*``, ``tighten*``), read only in a sentence about the issue. A phrase may be in
    ``terms`` and in a cue list at once ("peace treaty" is the sequencing issue *and* its
    upper end).
    """

    terms: list[Text] = Field(default_factory=list, description="words that mark a sentence as about the issue")
    toward_min: list[Text] = Field(default_factory=list, description="cues toward the scale's minimum")
    toward_max: list[Text] = Field(default_factory=list, description="cues toward the scale's maximum")


class Quote(_Model):
    source: Id = Field(description="id of an entry in `sources`")
    quote: Text = Field(description="the source's own words, verbatim")
    note: str | None = Field(None, description="how the quote is read")


#: The decision rules (:class:`DecisionRule`).
RULE_KINDS = ("unanimity", "qualified", "majority", "decider")


class DecisionRule(_Model):
    """Who must agree for the reference point to be replaced, as evidence like any number.

    ``unanimity``: every named veto player (``vetoes``) must consent. ``qualified``: a share
    ``threshold`` in (0, 1] of the ``votes`` (``capability``: each actor's capability on the
    issue, or explicit votes per actor id), with the named ``vetoes`` among them. ``majority``:
    more than half of the votes. ``decider``: one named actor decides. Tsebelis (2002), *Veto
    Players*; the outcome "depends upon the decision rule in force" (Bueno de Mesquita 1994).
    """

    rule: Literal[RULE_KINDS] = Field(description="unanimity, qualified, majority or decider")  # type: ignore[valid-type]
    vetoes: list[Id] = Field(default_factory=list, description="actors whose consent is needed (unanimity, qualified)")
    threshold: Finite | None = Field(None, description="qualified: the share of the votes needed, in (0, 1]")
    votes: Literal["capability"] | dict[Id, Finite] = Field(
        "capability", description="`capability` (each actor's capability on the issue) or votes by actor id")
    decider: Id | None = Field(None, description="decider: the actor who decides")
    claims: list[Quote] = Field(default_factory=list, description="sources' words stating the rule")
    assumption: Text | None = Field(None, description="why this rule is assumed, when no source states it")

    _no_bool = field_validator("threshold", mode="before")(_no_bool)

    @model_validator(mode="after")
    def _complete(self) -> DecisionRule:
        problems = []
        if self.rule == "qualified" and self.threshold is None:
            problems.append("a qualified majority needs a `threshold`, the share of the votes in (0, 1]")
        if self.threshold is not None:
            if self.rule != "qualified":
                problems.append(f"`threshold` belongs to a qualified majority, not to rule `{self.rule}`")
            elif not 0 < self.threshold <= 1:
                problems.append(f"`threshold` must be in (0, 1], got {self.threshold:g}")
        if self.rule == "unanimity" and not self.vetoes:
            problems.append("unanimity needs `vetoes`: the actors whose consent is needed")
        if self.vetoes and self.rule in ("majority", "decider"):
            problems.append(f"`vetoes` belong to unanimity or a qualified majority, not to rule `{self.rule}`")
        if (self.rule == "decider") != (self.decider is not None):
            problems.append("rule `decider` needs `decider`, the actor who decides" if self.rule == "decider"
                            else f"`decider` belongs to rule `decider`, not to rule `{self.rule}`")
        if isinstance(self.votes, dict) and any(v < 0 for v in self.votes.values()):
            problems.append("`votes` must be >= 0")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def evidenced(self) -> bool:
        return bool(self.claims) or self.assumption is not None

    def numbers(self) -> Rule:
        """The rule as models take it (no evidence)."""
        return Rule(self.rule, tuple(self.vetoes), self.threshold,
                    tuple(self.votes.items()) if isinstance(self.votes, dict) else None, self.decider)


@dataclass(frozen=True)
class Rule:
    """A decision rule as models take it: :class:`DecisionRule` without its evidence. ``votes``
    None: each actor's capability on the issue. Actors are named by id, so that a rule stays
    right on inputs with an actor left out (a counterfactual): its veto goes with it."""

    kind: str
    vetoes: tuple[str, ...] = ()
    threshold: float | None = None
    votes: tuple[tuple[str, float], ...] | None = None
    decider: str | None = None


class Issue(_Model):
    id: Id
    label: str | None = None
    description: str | None = None
    scale: Scale
    lexicon: Lexicon | None = Field(
        None, description="words that mark the issue in texts (default: from the label and the anchors)"
    )
    reference: Estimate | None = Field(
        None, description="the reference point (status quo): the outcome if nothing is agreed"
    )
    outcome: Estimate | None = Field(
        None, description="the recorded outcome, once known: for backtests and grading; models never read it"
    )
    decision: DecisionRule | None = Field(None, description="who decides the issue (default: the scenario's)")


class Stance(_Model):
    """An actor's stance on one issue."""

    position: Estimate = Field(description="on the issue's own scale")
    salience: Estimate = Field(description="in [0, 1]: the share of attention the actor gives the issue")
    capability: Estimate | None = Field(None, description="overrides the actor's capability on this issue")
    note: str | None = None


class Actor(_Model):
    id: Id
    name: str | None = None
    aliases: list[Text] = Field(
        default_factory=list, description="other names in texts: capital, leaders, officials (`accord evidence`)"
    )
    description: str | None = None
    capability: Estimate | None = Field(None, description=">= 0; needed unless every stance gives its own")
    issues: dict[Id, Stance] = Field(default_factory=dict, description="stances keyed by issue id")


class Source(_Model):
    id: Id
    title: Text
    author: str | None = None
    publisher: str | None = None
    date: str | None = None
    url: str | None = Field(None, description="web address (http or https)")
    text: str | None = Field(
        None, description="file holding the full text, for checking quotes (looked up next to the scenario)"
    )

    _iso = field_validator("date", mode="before")(_iso_date)

    @field_validator("url")
    @classmethod
    def _web_address(cls, url: str | None, info: ValidationInfo) -> str | None:
        # a scenario recorded before this rule is read as it was recorded (its links are still refused)
        if url is not None and not is_web_address(url) and not (info.context or {}).get("as_recorded"):
            raise ValueError(f"must be a web address (scheme {' or '.join(WEB_SCHEMES)}), got {url!r}")
        return url


#: The vocabulary of roles (defined and measured in :mod:`accord.roles`).
ROLE_NAMES = ("pivot", "broker", "spoiler", "enabler", "follower", "hardliner", "isolate", "veto")


class RoleAssertion(_Model):
    """A source's statement that an actor plays (or does not play) a role: set beside the
    computed roles by ``accord roles``, never used to compute them."""

    actor: Id
    role: Literal[ROLE_NAMES]  # type: ignore[valid-type]
    holds: bool = Field(True, description="false: the source denies that the actor plays the role")
    issue: Id | None = Field(None, description="the issue it is asserted on; none: the negotiation as a whole")
    of: Id | None = Field(None, description="the other actor the role refers to (patron, beneficiary)")
    evidence: list[Quote] = Field(min_length=1)
    note: str | None = None


class Scenario(_Model):
    """A negotiation: issues, actors and their stances, and the sources behind the numbers."""

    name: Text
    date: str | None = None
    description: str | None = None
    assumption: Text | None = Field(
        None, description="covers every bare number in the file (e.g. 'imported from KTAB CSV x.csv')"
    )
    sources: list[Source] = Field(default_factory=list)
    issues: list[Issue] = Field(min_length=1)
    actors: list[Actor] = Field(min_length=1)
    settings: dict[Id, dict[str, Any]] = Field(
        default_factory=dict, description="per-model settings carried by the file (e.g. KTAB's seed and options)"
    )
    roles: list[RoleAssertion] = Field(default_factory=list, description="roles the sources assert")
    decision: DecisionRule | None = Field(None, description="the decision rule of every issue without its own")

    _iso = field_validator("date", mode="before")(_iso_date)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Scenario:
        """A copy with fields replaced (pydantic's ``model_copy``). What is computed from the
        fields and cached (ids, inputs, sha256) is computed afresh for the copy, not copied."""
        copy = super().model_copy(update=update, deep=deep)
        for name in _CACHED:
            copy.__dict__.pop(name, None)
        return copy

    # -- lookups ---------------------------------------------------------------------------

    @cached_property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    @cached_property
    def issue_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.issues)

    def actor(self, actor_id: str) -> Actor:
        return self.actors[self.actor_ids.index(actor_id)]

    def issue(self, issue_id: str) -> Issue:
        return self.issues[self.issue_ids.index(issue_id)]

    def decision_rule(self, issue: Issue) -> DecisionRule | None:
        """The rule deciding an issue: its own, else the scenario's default; None if neither."""
        return issue.decision if issue.decision is not None else self.decision

    def capability(self, actor: Actor, issue_id: str) -> Estimate | None:
        stance = actor.issues.get(issue_id)
        if stance is not None and stance.capability is not None:
            return stance.capability
        return actor.capability

    def estimates(self):
        """Every number of the scenario with its evidence: references, capabilities, stances."""
        for issue in self.issues:
            if issue.reference:
                yield issue.reference
        for actor in self.actors:
            if actor.capability:
                yield actor.capability
            for stance in actor.issues.values():
                yield stance.position
                yield stance.salience
                if stance.capability:
                    yield stance.capability

    def _repr_html_(self) -> str:
        """Jupyter's view: per actor and issue, position (salience); capabilities; the reference points.

        >>> from accord.io import from_arrays
        >>> html = from_arrays([[10.0], [90.0]], [[0.5], [0.25]], [1, 2], actors=["A", "B"])._repr_html_()
        >>> "<td>90 (0.25)</td>" in html, "2 actors, 1 issues" in html
        (True, True)
        """
        from html import escape

        def cell(x: Estimate | None, fmt: str = "{:.4g}") -> str:
            return "" if x is None else fmt.format(x.point) + ("*" if x.claims else "")

        head = "".join(f"<th>{escape(i.id)}</th>" for i in self.issues)
        rows = ["<tr><th>reference</th><td></td>" + "".join(f"<td>{cell(i.reference)}</td>" for i in self.issues)
                + "</tr>"] if any(i.reference for i in self.issues) else []
        for actor in self.actors:
            stances = "".join(
                f"<td>{cell(st.position)} ({cell(st.salience, '{:.3g}')})</td>" if (st := actor.issues.get(i.id))
                else "<td></td>" for i in self.issues)
            rows.append(f"<tr><th>{escape(actor.id)}</th><td>{cell(actor.capability)}</td>{stances}</tr>")
        claims = sum(len(e.claims) for e in self.estimates())
        title = (f"{escape(self.name)}: {len(self.actors)} actors, {len(self.issues)} issues, "
                 f"{len(self.sources)} sources, {claims} claims")
        return (f"<div><p><b>{title}</b></p><table><thead><tr><th>actor</th><th>capability</th>{head}</tr>"
                f"</thead><tbody>{''.join(rows)}</tbody></table><p>position (salience); * rests on claims "
                "with quotes</p></div>")

    # -- identity --------------------------------------------------------------------------

    def canonical(self) -> dict[str, Any]:
        """The scenario as plain JSON data, without empty fields: the form that is hashed."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)

    @cached_property
    def canonical_json(self) -> str:
        """:meth:`canonical` as compact JSON, keys sorted: the text that is hashed, and that a run
        store keeps (made once: a dashboard stores every edited scenario it runs)."""
        return json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @cached_property
    def sha256(self) -> str:
        """Hash of the canonical JSON form: equal for equal scenarios, whatever file they came from."""
        return hashlib.sha256(self.canonical_json.encode("utf-8")).hexdigest()

    # -- numbers for models ----------------------------------------------------------------

    def inputs(self) -> Inputs:
        """The scenario's numbers as arrays (actors x issues); see :class:`Inputs`."""
        return self._inputs

    @cached_property
    def _inputs(self) -> Inputs:
        n_a, n_i = len(self.actors), len(self.issues)
        position = np.full((n_a, n_i), np.nan)
        salience = np.zeros((n_a, n_i))
        capability = np.zeros((n_a, n_i))
        for a, actor in enumerate(self.actors):
            for i, issue_id in enumerate(self.issue_ids):
                stance = actor.issues.get(issue_id)
                if stance is None:
                    continue
                cap = self.capability(actor, issue_id)
                position[a, i] = stance.position.point
                salience[a, i] = stance.salience.point
                capability[a, i] = cap.point if cap is not None else np.nan
        reference = np.array([i.reference.point if i.reference else np.nan for i in self.issues])
        arrays = Inputs(
            actors=self.actor_ids,
            issues=self.issue_ids,
            position=position,
            salience=salience,
            capability=capability,
            scale_min=np.array([i.scale.min for i in self.issues]),
            scale_max=np.array([i.scale.max for i in self.issues]),
            reference=reference,
            settings={model: dict(values) for model, values in self.settings.items()},
            rules=tuple(r.numbers() if (r := self.decision_rule(i)) else None for i in self.issues),
        )
        for arr in (position, salience, capability, reference):
            arr.flags.writeable = False
        return arrays


_CACHED = [name for name, value in vars(Scenario).items() if isinstance(value, cached_property)]


@dataclass(frozen=True)
class Inputs:
    """A scenario's numbers, labelled: what every model computes from.

    Arrays are indexed ``[actor, issue]``. An actor absent from an issue has ``position`` NaN
    and ``salience`` and ``capability`` 0, so it carries no weight; :attr:`present` marks the
    cells with a stance.
    """

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    scale_min: np.ndarray
    scale_max: np.ndarray
    reference: np.ndarray
    #: Per-model settings the scenario file carries (e.g. ``settings["smp"]`` from KTAB XML):
    #: part of the inputs, so every path that solves them (Monte Carlo, roles, sensitivity)
    #: sees the same settings as a plain run.
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The decision rule of each issue (:class:`Rule`), None where the scenario gives none.
    rules: tuple[Rule | None, ...] = ()

    @property
    def present(self) -> np.ndarray:
        return ~np.isnan(self.position)

    def digest(self, issue: int | None = None) -> str:
        """A content hash: the sha256 of the labels, rules, settings and the bytes of the numbers,
        of every issue or of one (``issue``: the digest of the inputs of that issue alone). Equal
        digests, equal inputs, so equal results of a model that draws nothing or draws from the
        same seed; equal inputs written differently (-0.0 and 0.0) may differ, which costs a
        cache a miss, never a wrong value."""
        cols: slice | list[int] = slice(None) if issue is None else [issue]
        issues = self.issues if issue is None else (self.issues[issue],)
        rules = self.rules if issue is None else self.rules[issue:issue + 1]
        h = hashlib.sha256(repr((self.actors, issues, rules)).encode())
        h.update(json.dumps(self.settings, sort_keys=True, default=repr).encode())
        for numbers in (self.position[:, cols], self.salience[:, cols], self.capability[:, cols],
                        self.scale_min[cols], self.scale_max[cols], self.reference[cols]):
            numbers = np.ascontiguousarray(numbers, dtype=float)
            h.update(repr(numbers.shape).encode())
            h.update(numbers.tobytes())
        return h.hexdigest()

    @property
    def weight(self) -> np.ndarray:
        """Capability x salience: an actor's effective weight on each issue (0 where absent),
        relative: the capabilities are divided by a power of two near the largest first, which
        changes no ratio (see :func:`accord.stats.relative_weight`)."""
        from .stats import relative_weight

        return relative_weight(self.capability, self.salience, self.present)
