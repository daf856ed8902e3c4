"""The dashboard's forms: what-if edits of a scenario's inputs, and the run options.

A form field ``position:RUS:sanctions`` holds a position, ``salience:RUS:sanctions`` a
salience, ``capability:RUS:`` an actor's capability (``capability:RUS:sanctions`` its
capability on one issue). Edits change the scenario of a run, never its file.
"""

from __future__ import annotations

import math
import re

from ..scenario import NUMBER_SYNTAX, Scenario, parse_number

MAX_SAMPLES = 2000  # Monte Carlo draws a request may ask for
FIELDS = ("position", "salience", "capability")


def parse_edits(sc: Scenario, form) -> tuple[dict[tuple[str, str, str | None], float], dict[str, str]]:
    """The inputs a form changes, keyed (field, actor, issue), and the problems, keyed by form field.

    A form field ``position:RUS:sanctions`` holds a position; ``capability:RUS:`` an actor's
    capability. A value equal to the scenario's is not an edit.
    """
    edits, problems = {}, {}
    current = {(f, a, i): v for f, a, i, v in inputs_of(sc)}
    bounds = {i.id: (i.scale.min, i.scale.max) for i in sc.issues}
    for key, raw in form.multi_items():
        parts = key.split(":")
        if len(parts) != 3 or parts[0] not in FIELDS:
            continue
        field, actor, issue = parts[0], parts[1], parts[2] or None
        if (field, actor, issue) not in current:
            problems[key] = "no such input in the scenario"
            continue
        value = parse_number(str(raw))  # plain decimals only, as in files: not 1_0 or fullwidth digits
        if value is None:
            problems[key] = f"{raw!r} is not a number: write {NUMBER_SYNTAX}"
            continue
        lo, hi = {"position": bounds.get(issue or "", (0, 0)), "salience": (0.0, 1.0),
                  "capability": (0.0, math.inf)}[field]
        if not (math.isfinite(value) and lo <= value <= hi):
            problems[key] = (f"{value:g} is not allowed: a capability is a number >= 0" if hi == math.inf
                             else f"{value:g} is outside the allowed range: between {lo:g} and {hi:g}")
            continue
        # the page shows six significant digits: a value left as shown is not an edit
        if not math.isclose(value, current[field, actor, issue], rel_tol=1e-5, abs_tol=1e-9):
            edits[field, actor, issue] = value
    return edits, problems


def inputs_of(sc: Scenario):
    """(field, actor, issue or None, value) of every editable input."""
    for actor in sc.actors:
        if actor.capability is not None:
            yield "capability", actor.id, None, actor.capability.point
        for issue_id, stance in actor.issues.items():
            yield "position", actor.id, issue_id, stance.position.point
            yield "salience", actor.id, issue_id, stance.salience.point
            if stance.capability is not None:
                yield "capability", actor.id, issue_id, stance.capability.point


def apply_edits(sc: Scenario, edits: dict[tuple[str, str, str | None], float]) -> Scenario:
    """The scenario with the edited values set explicitly (the claims stay, for the record)."""
    if not edits:
        return sc
    data = sc.model_dump(mode="json", exclude_none=True)
    for (field, actor, issue), value in edits.items():
        a = next(x for x in data["actors"] if x["id"] == actor)
        target = a if issue is None else a["issues"][issue]
        target[field] = {**target[field], "value": value}
    return Scenario.model_validate(data)


def run_options(form) -> tuple[int, int, dict[str, str]]:
    """The Monte Carlo samples and the seed a form asks for, and the problems, keyed by form field.

    >>> run_options({"samples": "200", "seed": "x"})
    (200, 0, {'seed': "'x' is not a whole number"})
    """
    problems = {}
    values = {}
    for key, default, lo, hi in (("samples", 0, 0, MAX_SAMPLES), ("seed", 0, 0, 2**32 - 1)):
        raw = str(form.get(key, default)).strip() or str(default)
        if not re.fullmatch(r"[+-]?[0-9]+", raw):  # int() would also take "1_0" and fullwidth digits
            problems[key] = f"{raw!r} is not a whole number"
            continue
        values[key] = int(raw)
        if not lo <= values[key] <= hi:
            problems[key] = f"{values[key]} is outside {lo}..{hi}"
    return values.get("samples", 0), values.get("seed", 0), problems
