"""The dashboard's forms: what-if edits of a scenario's inputs, and the run options.

A form field ``position:RUS:sanctions`` holds a position, ``salience:RUS:sanctions`` a
salience, ``capability:RUS:`` an actor's capability (``capability:RUS:sanctions`` its
capability on one issue). Edits change the scenario of a run, never its file.
"""

from __future__ import annotations

import re

from ..scenario import Scenario
from ..whatif import Edit, apply, form_edits

MAX_SAMPLES = 2000  # Monte Carlo draws a request may ask for


def parse_edits(sc: Scenario, form) -> tuple[dict[tuple[str, str, str | None], float], dict[str, str]]:
    """The inputs a form changes, keyed (field, actor, issue) as the page names them, and the
    problems keyed by form field (:func:`accord.whatif.form_edits`)."""
    edits, problems = form_edits(sc, form)
    return {e.key: e.value for e in edits}, problems


def apply_edits(sc: Scenario, edits: dict[tuple[str, str, str | None], float]) -> Scenario:
    """The scenario with the edited values set over their claims (:func:`accord.whatif.apply`)."""
    return apply(sc, [Edit(what, value, actor=actor, issue=issue) for (what, actor, issue), value in edits.items()])


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
