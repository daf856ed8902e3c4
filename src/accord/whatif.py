"""What-if edits: one input of a scenario set to a value of the analyst's choosing.

An :class:`Edit` names one input by a path and gives its new value:

=============================  ==========================================================
``RUS.sanctions.position=100``  an actor's position on an issue (on the issue's scale)
``RUS.sanctions.salience=0.8``  its salience on the issue, in [0, 1]
``RUS.sanctions.capability=3``  its capability on that issue (where the stance has its own)
``RUS.capability=3``            the actor's capability (>= 0)
``sanctions.reference=40``      the issue's reference point (where it has one)
=============================  ==========================================================

:func:`apply` writes each value as the estimate's explicit ``value:`` over its claims, which
stay for the record: the point forecast uses the value, and the Monte Carlo draws the input
from its claims shifted to centre on it (the what-if rule of :mod:`accord.uncertainty`;
:func:`accord.uncertainty.overrides` lists such inputs). This is how a ``value:`` written in a
file, an edit in the dashboard (:func:`apply_form`), ``accord forecast --set``
(:func:`set_values`) and a source's reading in :mod:`accord.perspectives` (:func:`reading`)
all change a scenario. Edits are checked against the scenario first, and every problem is
reported at once (:class:`~accord.errors.InputError`), naming the unknown actor, issue or
field and what is allowed.

Two analyses move inputs without a what-if: the tornado and the Sobol design of
:mod:`accord.sensitivity`, and the counterfactuals of :mod:`accord.roles`, change the
:class:`~accord.scenario.Inputs` arrays of thousands of runs directly. They hold everything
else at its point value and sample nothing around the change, so no scenario is needed, and
building one per run would cost more than the run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .errors import InputError, Problem
from .scenario import NUMBER_SYNTAX, Estimate, Scenario, parse_number

What = Literal["position", "salience", "capability", "reference"]
#: The fields a path may end in: those of a stance, of an actor, of an issue.
STANCE_FIELDS = ("position", "salience", "capability")
ACTOR_FIELDS = ("capability",)
ISSUE_FIELDS = ("reference",)
FORMS = "ACTOR.ISSUE.FIELD=VALUE (FIELD: position, salience or capability), ACTOR.capability=VALUE or " \
        "ISSUE.reference=VALUE"


@dataclass(frozen=True)
class Edit:
    """One input set to a value: ``what`` of ``actor`` (on ``issue``), or an issue's reference point.

    >>> Edit("position", 100.0, actor="RUS", issue="sanctions")
    Edit('RUS.sanctions.position=100')
    >>> Edit("reference", 40.0, issue="sanctions").label
    'reference point of sanctions'
    """

    what: What
    value: float
    actor: str | None = None
    issue: str | None = None

    @property
    def path(self) -> str:
        """The input's path: ``RUS.sanctions.position``, ``RUS.capability``, ``sanctions.reference``."""
        return ".".join(p for p in (self.actor, self.issue, self.what) if p is not None)

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        """(what, actor, issue): the input, whatever its value."""
        return self.what, self.actor, self.issue

    @property
    def label(self) -> str:
        """The input in words, as the tornado and the what-if notes name it."""
        if self.what == "reference":
            return f"reference point of {self.issue}"
        return f"{self.actor} {self.what}" + (f" on {self.issue}" if self.issue else "")

    def __str__(self) -> str:
        return f"{self.path}={self.value:g}"

    def __repr__(self) -> str:
        return f"Edit({str(self)!r})"


# -- reading edits ------------------------------------------------------------------------------


def parse_edit(text: str, scenario: Scenario) -> Edit:
    """The edit a text such as ``RUS.sanctions.position=100`` writes, checked against the scenario.

    Raises :class:`~accord.errors.InputError` naming what is unknown or out of range and what
    is allowed.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 2], actors=["RUS", "USA"],
    ...                         issues=["sanctions"])
    >>> parse_edit("RUS.sanctions.position=100", sc)
    Edit('RUS.sanctions.position=100')
    >>> parse_edit("RUX.sanctions.position=100", sc)
    Traceback (most recent call last):
    ...
    accord.errors.InputError: 1 problem found:
      RUX.sanctions.position=100: unknown actor `RUX`; the scenario's actors: RUS, USA
    """
    return parse_edits([text], scenario)[0]


def parse_edits(texts: Iterable[str], scenario: Scenario) -> list[Edit]:
    """The edits of several texts (see :func:`parse_edit`); every problem of every text reported at once.

    An input set twice to different values is an error (which one is meant?).

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 2], actors=["RUS", "USA"],
    ...                         issues=["sanctions"])
    >>> parse_edits(["RUS.capability=3", "USA.sanctions.salience=0.9"], sc)
    [Edit('RUS.capability=3'), Edit('USA.sanctions.salience=0.9')]
    >>> parse_edits(["RUS.sanctions.salience=2", "RUS.sanctions.pos=1"], sc)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    accord.errors.InputError: 2 problems found:
      RUS.sanctions.salience=2: 2 is outside the allowed range: between 0 and 1
      RUS.sanctions.pos=1: unknown field `pos`; write ACTOR.ISSUE.FIELD=VALUE (FIELD: position, ...
    """
    edits, problems = [], []
    seen: dict[tuple, tuple[str, float]] = {}
    for text in texts:
        edit, problem = _parse(str(text), scenario)
        if problem is None and edit is not None:
            problem = check(edit, scenario)
        if problem is not None:
            problems.append(Problem(problem, field=str(text).strip()))
            continue
        assert edit is not None
        if edit.key in seen and seen[edit.key][1] != edit.value:
            problems.append(Problem(f"{edit.path} is already set to {seen[edit.key][1]:g} by "
                                    f"{seen[edit.key][0]!r}: set each input once", field=str(text).strip()))
            continue
        seen[edit.key] = (str(text).strip(), edit.value)
        edits.append(edit)
    if problems:
        raise InputError(problems)
    return edits


def _parse(text: str, scenario: Scenario) -> tuple[Edit | None, str | None]:
    """(edit, None), or (None, why the text is not an edit of this scenario)."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        return None, f"write PATH=VALUE, e.g. {_example(scenario)}; PATH is {FORMS}"
    value = parse_number(raw)
    if value is None:
        return None, f"{raw.strip()!r} is not a number: write {NUMBER_SYNTAX}"
    head, _, what = path.rpartition(".")
    if not head:
        return None, f"`{path}` names no input; write {FORMS}"
    if what == "reference":
        if head not in scenario.issue_ids:
            return None, _unknown("issue", head, scenario.issue_ids)
        return Edit("reference", value, issue=head), None
    if what == "capability" and head in scenario.actor_ids:
        return Edit("capability", value, actor=head), None
    if what not in STANCE_FIELDS:
        return None, f"unknown field `{what}`; write {FORMS}"
    pairs = [(head[:k], head[k + 1:]) for k in range(len(head)) if head[k] == "."]
    found = [(a, i) for a, i in pairs if a in scenario.actor_ids and i in scenario.issue_ids]
    if len(found) > 1:
        return None, f"`{head}` reads as several actor.issue pairs ({', '.join(f'{a} on {i}' for a, i in found)})"
    if found:
        return Edit(what, value, actor=found[0][0], issue=found[0][1]), None  # type: ignore[arg-type]
    actors = [(a, i) for a, i in pairs if a in scenario.actor_ids]
    if not actors:
        return None, _unknown("actor", head.partition(".")[0], scenario.actor_ids)
    return None, _unknown("issue", actors[0][1], scenario.issue_ids)


def _unknown(kind: str, name: str, known: Sequence[str]) -> str:
    return f"unknown {kind} `{name}`; the scenario's {kind}s: {', '.join(known)}"


def _example(scenario: Scenario) -> str:
    actor = scenario.actors[0]
    issue = next(iter(actor.issues), scenario.issue_ids[0])
    return f"{actor.id}.{issue}.position=50"


# -- checking and applying -------------------------------------------------------------------


def target(scenario: Scenario, edit: Edit) -> Estimate | None:
    """The estimate an edit sets, or None if the scenario has no such input.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0]], [[0.5]], [2], actors=["RUS"], issues=["sanctions"])
    >>> target(sc, Edit("capability", 1.0, actor="RUS")).point
    2.0
    """
    if edit.what == "reference":
        return scenario.issue(edit.issue).reference if edit.issue in scenario.issue_ids else None
    if edit.actor not in scenario.actor_ids:
        return None
    actor = scenario.actor(edit.actor)
    if edit.issue is None:
        return actor.capability if edit.what == "capability" else None
    stance = actor.issues.get(edit.issue)
    return None if stance is None else getattr(stance, edit.what)


def bounds(scenario: Scenario, edit: Edit) -> tuple[float, float]:
    """The values an edit may set: the issue's scale for a position or reference point, [0, 1]
    for a salience, [0, inf) for a capability.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0]], [[0.5]], [2], actors=["RUS"], issues=["sanctions"])
    >>> bounds(sc, Edit("position", 5.0, actor="RUS", issue="sanctions"))
    (0.0, 100.0)
    """
    if edit.what in ("position", "reference"):
        scale = scenario.issue(edit.issue).scale  # type: ignore[arg-type]
        return scale.min, scale.max
    return (0.0, 1.0) if edit.what == "salience" else (0.0, math.inf)


def check(edit: Edit, scenario: Scenario) -> str | None:
    """Why the edit cannot be applied to the scenario, or None.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [np.nan]], [[0.5], [0.0]], [1, 2], actors=["RUS", "USA"],
    ...                         issues=["sanctions"])
    >>> check(Edit("position", 50.0, actor="USA", issue="sanctions"), sc)
    'USA takes no part in sanctions: a what-if changes an input the scenario has'
    """
    if edit.what == "reference" and edit.issue not in scenario.issue_ids:
        return _unknown("issue", str(edit.issue), scenario.issue_ids)
    if edit.what != "reference":
        if edit.actor not in scenario.actor_ids:
            return _unknown("actor", str(edit.actor), scenario.actor_ids)
        if edit.issue is not None and edit.issue not in scenario.issue_ids:
            return _unknown("issue", edit.issue, scenario.issue_ids)
    if target(scenario, edit) is None:
        return _missing(scenario, edit)
    lo, hi = bounds(scenario, edit)
    if not (math.isfinite(edit.value) and lo <= edit.value <= hi):
        if hi == math.inf:
            return f"{edit.value:g} is not allowed: a capability is a number >= 0"
        return f"{edit.value:g} is outside the allowed range: between {lo:g} and {hi:g}"
    return None


def _missing(scenario: Scenario, edit: Edit) -> str:
    """Why an edit of a known actor or issue finds no input to set."""
    if edit.what == "reference":
        return f"issue {edit.issue} has no reference point: a what-if changes an input the scenario has"
    actor = scenario.actor(edit.actor)  # type: ignore[arg-type]
    if edit.issue is None:
        return (f"{edit.actor} has no capability of its own (each of its stances gives one): set "
                f"{edit.actor}.ISSUE.capability")
    if edit.issue not in actor.issues:
        return f"{edit.actor} takes no part in {edit.issue}: a what-if changes an input the scenario has"
    return (f"{edit.actor} has no capability of its own on {edit.issue}: set {edit.actor}.capability, the "
            f"capability it uses there")


def apply(scenario: Scenario, edits: Iterable[Edit]) -> Scenario:
    """The scenario with each edit's value set as the ``value:`` over the input's claims (which stay).

    Every edit is checked first; all problems are raised at once as an
    :class:`~accord.errors.InputError`. Of two edits of one input, the later counts. The
    scenario without edits is returned as it is.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 2], actors=["RUS", "USA"],
    ...                         issues=["sanctions"])
    >>> edited = apply(sc, [Edit("position", 30.0, actor="RUS", issue="sanctions")])
    >>> edited.actor("RUS").issues["sanctions"].position.value, sc.actor("RUS").issues["sanctions"].position.value
    (30.0, 10.0)
    """
    edits = list(edits)
    problems = [Problem(why, field=str(e)) for e in edits for why in [check(e, scenario)] if why]
    if problems:
        raise InputError(problems)
    if not edits:
        return scenario
    values = {e.key: float(e.value) for e in edits}
    issues = [issue.model_copy(update={"reference": _set(issue.reference, values, ("reference", None, issue.id))})
              for issue in scenario.issues]
    actors = []
    for actor in scenario.actors:
        stances = {k: st.model_copy(update={f: _set(getattr(st, f), values, (f, actor.id, k)) for f in STANCE_FIELDS})
                   for k, st in actor.issues.items()}
        actors.append(actor.model_copy(update={"capability": _set(actor.capability, values,
                                                                  ("capability", actor.id, None)),
                                               "issues": stances}))
    return scenario.model_copy(update={"issues": issues, "actors": actors})


def _set(est: Estimate | None, values: Mapping[tuple, float], key: tuple) -> Estimate | None:
    if est is None or key not in values:
        return est
    return est.model_copy(update={"value": values[key]})


def set_values(scenario: Scenario, assignments: Sequence[str]) -> Scenario:
    """The scenario with every ``PATH=VALUE`` of ``assignments`` applied (``accord forecast --set``).

    Raises :class:`~accord.errors.InputError` with the problems of all assignments at once.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 2], actors=["RUS", "USA"],
    ...                         issues=["sanctions"])
    >>> accord.get_model("mean")().run(set_values(sc, ["RUS.sanctions.position=90"])).forecast.tolist()
    [90.0]
    """
    return apply(scenario, parse_edits(assignments, scenario))


# -- every input, a source's reading, the dashboard's form -------------------------------------


def editable(scenario: Scenario) -> Iterator[Edit]:
    """Every input an edit may set, at its current value: reference points, then each actor's
    capability and its stances (position, salience, capability where the stance has one).

    >>> import accord
    >>> sc = accord.from_arrays([[10.0]], [[0.5]], [2], actors=["RUS"], issues=["sanctions"])
    >>> [str(e) for e in editable(sc)]
    ['RUS.capability=2', 'RUS.sanctions.position=10', 'RUS.sanctions.salience=0.5']
    """
    for issue in scenario.issues:
        if issue.reference is not None:
            yield Edit("reference", issue.reference.point, issue=issue.id)
    for actor in scenario.actors:
        if actor.capability is not None:
            yield Edit("capability", actor.capability.point, actor=actor.id)
        for issue_id, stance in actor.issues.items():
            for what in STANCE_FIELDS:
                est = getattr(stance, what)
                if est is not None:
                    yield Edit(what, est.point, actor=actor.id, issue=issue_id)  # type: ignore[arg-type]


def reading(scenario: Scenario, source: str) -> list[Edit]:
    """The edits that make the scenario ``source``'s reading: every number on which the source
    has claims set to the mean of its claims (:func:`accord.perspectives.reading` applies them).

    >>> from importlib.resources import files
    >>> import accord
    >>> sc = accord.read_scenario(files("accord") / "scenarios" / "korea-2018.yaml").scenario
    >>> reading(sc, "lukyanov2018")[:2]
    [Edit('format.reference=20'), Edit('USA.capability=100')]
    """
    edits = []
    for edit in editable(scenario):
        est = target(scenario, edit)
        mine = [c.point for c in est.claims if c.source == source] if est is not None else []
        if mine:
            edits.append(Edit(edit.what, float(np.mean(mine)), edit.actor, edit.issue))
    return edits


#: The dashboard's form fields: ``position:RUS:sanctions``, ``capability:RUS:`` (an actor's capability).
FORM_FIELDS = STANCE_FIELDS


def form_edits(scenario: Scenario, form: Any) -> tuple[list[Edit], dict[str, str]]:
    """The edits a dashboard form makes, and the problems keyed by form field.

    ``form`` has ``multi_items()`` (a Starlette form) or is a mapping. A field
    ``position:RUS:sanctions`` holds a position; ``capability:RUS:`` an actor's capability;
    other fields are not edits. A value equal to the scenario's (to the six significant digits
    the page shows) is not an edit.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0]], [[0.5]], [2], actors=["RUS"], issues=["sanctions"])
    >>> form_edits(sc, {"position:RUS:sanctions": "40", "salience:RUS:sanctions": "0.5", "seed": "1"})
    ([Edit('RUS.sanctions.position=40')], {})
    >>> form_edits(sc, {"salience:RUS:sanctions": "x"})[1]  # doctest: +ELLIPSIS
    {'salience:RUS:sanctions': "'x' is not a number: write digits with an optional sign, ..."}
    """
    edits, problems = [], {}
    current = {e.key: e.value for e in editable(scenario) if e.what != "reference"}
    items = form.multi_items() if hasattr(form, "multi_items") else form.items()
    for key, raw in items:
        parts = key.split(":")
        if len(parts) != 3 or parts[0] not in FORM_FIELDS:
            continue
        what, actor, issue = parts[0], parts[1], parts[2] or None
        if (what, actor, issue) not in current:
            problems[key] = "no such input in the scenario"
            continue
        value = parse_number(str(raw))  # plain decimals only, as in files: not 1_0 or fullwidth digits
        if value is None:
            problems[key] = f"{raw!r} is not a number: write {NUMBER_SYNTAX}"
            continue
        edit = Edit(what, value, actor=actor, issue=issue)  # type: ignore[arg-type]
        why = check(edit, scenario)
        if why:
            problems[key] = why
            continue
        # the page shows six significant digits: a value left as shown is not an edit
        if not math.isclose(value, current[edit.key], rel_tol=1e-5, abs_tol=1e-9):
            edits.append(edit)
    return edits, problems


def apply_form(scenario: Scenario, form: Any) -> tuple[Scenario, list[Edit], dict[str, str]]:
    """The scenario a dashboard form asks for, its edits, and the problems keyed by form field
    (with problems, the scenario is returned unedited).

    >>> import accord
    >>> sc = accord.from_arrays([[10.0]], [[0.5]], [2], actors=["RUS"], issues=["sanctions"])
    >>> edited, edits, problems = apply_form(sc, {"capability:RUS:": "4"})
    >>> edited.actor("RUS").capability.value, edits, problems
    (4.0, [Edit('RUS.capability=4')], {})
    """
    edits, problems = form_edits(scenario, form)
    return (scenario if problems else apply(scenario, edits)), edits, problems
