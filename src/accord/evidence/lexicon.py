"""What to look for in a text: each actor's names and each issue's words.

A scenario may list an actor's ``aliases`` and an issue's ``lexicon``; what it leaves out is
filled in here with defaults, so that a scan works on any scenario:

* an actor is found by its id (if it is a word, not a code like ``RUS``), its name, its
  aliases, and, for a state or an EU institution, the names, demonyms and capital of
  ``gazetteer.yaml``;
* an issue is found by the content words of its label (``UN sanctions on the DPRK``:
  ``sanction*``), and its cues of direction are the content words of the anchors at the two
  ends of its scale.

Defaults are a start: a scenario that lists its own words is scanned far better.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from ..scenario import Scenario
from .text import phrase_pattern

STOPWORDS = frozenset("""
a an the and or but of on in at to for by with from into onto upon over under about against between
as is are be been being was were it its this that these those their there here not no nor any all
each every some more most less least only own same so than too very can will just should now further
who what which when where why how whether while if then than also both either neither per via
""".split())


@dataclass(frozen=True)
class Vocabulary:
    """Compiled patterns: per actor its names; per issue its terms and its cues of direction."""

    actors: dict[str, list[str]]
    terms: dict[str, dict[str, list[str]]]
    toward_min: dict[str, dict[str, list[str]]]
    toward_max: dict[str, dict[str, list[str]]]
    names: dict[str, list[str]] = field(default_factory=dict)  # per actor, its names as written


@cache
def gazetteer() -> dict[str, list[str]]:
    """Aliases of states and EU institutions, keyed by every id or name they go by (lower case)."""
    from ..io.native import load

    data = load((files("accord.evidence") / "gazetteer.yaml").read_text(encoding="utf-8"), "gazetteer.yaml")
    out: dict[str, list[str]] = {}
    for entry in data.values():
        for key in entry["keys"]:
            out[key.lower()] = entry["aliases"]
    return out


def actor_names(scenario: Scenario) -> dict[str, list[str]]:
    """Every name each actor goes by: its own aliases, its name, its id and the gazetteer's."""
    out: dict[str, list[str]] = {}
    for actor in scenario.actors:
        names = [*actor.aliases]
        if actor.name:
            names.append(actor.name)
        if not re.fullmatch(r"[A-Z]{2,4}\d*", actor.id):  # a code such as RUS is not written in texts
            names.append(actor.id)
        for key in (actor.id, actor.name):
            if key:
                names += gazetteer().get(key.lower(), [])
        out[actor.id] = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    return out


def issue_words(scenario: Scenario) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Per issue: (terms, cues toward the minimum, cues toward the maximum)."""
    names = {n.lower() for ns in actor_names(scenario).values() for n in ns}
    out = {}
    for issue in scenario.issues:
        lex = issue.lexicon
        terms = list(lex.terms) if lex and lex.terms else _content(issue.label or issue.id, names)
        lo, hi = _end_labels(issue)
        toward_min = list(lex.toward_min) if lex and lex.toward_min else _content(lo, names)
        toward_max = list(lex.toward_max) if lex and lex.toward_max else _content(hi, names)
        out[issue.id] = (terms, toward_min, toward_max)
    return out


def vocabulary(scenario: Scenario) -> Vocabulary:
    """The scenario's names and words as regular expressions, ready to scan."""
    names = actor_names(scenario)
    actors = {a: [phrase_pattern(n, case_sensitive=_proper(n)) for n in ns] for a, ns in names.items()}
    words = issue_words(scenario)

    def compile_(lists: list[str]) -> dict[str, list[str]]:
        return {w: [phrase_pattern(w, case_sensitive=False)] for w in lists}

    return Vocabulary(
        actors=actors,
        terms={i: compile_(w[0]) for i, w in words.items()},
        toward_min={i: compile_(w[1]) for i, w in words.items()},
        toward_max={i: compile_(w[2]) for i, w in words.items()},
        names=names,
    )


def _proper(name: str) -> bool:
    # "US" must not match "us": a name written with a capital matches only as written
    return any(c.isupper() for c in name)


def _end_labels(issue) -> tuple[str, str]:
    anchors = issue.scale.anchors
    lo = next((a.label for a in anchors if a.value == issue.scale.min), "")
    hi = next((a.label for a in anchors if a.value == issue.scale.max), "")
    return lo, hi


def _content(text: str, names: set[str]) -> list[str]:
    """Content words of a label as prefixes (``sanctions`` -> ``sanction*``), names left out."""
    out = []
    for word in re.findall(r"[A-Za-z][\w\-]+", text.replace("_", " ")):
        w = word.lower()
        if w in STOPWORDS or w in names or len(w) < 4:
            continue
        stem = re.sub(r"(ies|es|s|ing|ed)$", "", w) if len(w) > 5 else w
        out.append(stem + "*")
    return list(dict.fromkeys(out))
