"""What to look for in a text: each actor's names and each issue's words.

A scenario may list an actor's ``aliases`` and an issue's ``lexicon``; what it leaves out is
filled in here with defaults, so that a scan works on any scenario:

* an actor is found by its id (if it is a word, not a code like ``RUS``), its name, its
  aliases, and, for a state or an EU institution, the names, demonyms and capital of
  ``gazetteer.yaml``;
* an issue is found by the content words of its label (``UN sanctions on the DPRK``:
  ``sanction*``), and its cues of direction are the content words of the anchors at the two
  ends of its scale.

Whatever their source, the words are widened in three ways: an issue is also named by its
cues of two content words or more, or of several words one of which is its own noun ("no deal":
``named_by``) and, after one of its terms of several words, by that term's last word after a
determiner (``heads``, read by the scan; its own noun, the head of two of its terms or more, after
any of its words: ``core_heads``); a cue of one word
is read in its adjective and its noun (``important``, ``importance``); and words of support
and praise (:data:`ENDORSING`: "support", "welcome", "vital") point to the end of the scale
whose cues already hold one of them ("uphold the deal"), when the other end's do not, or, when
neither end's do, away from the end whose anchor is the absence of what the issue is about ("no
agreement", "leave without a deal"); those count only next to one of the issue's words or cues
("*protecting* the integrity", not "*protecting* jobs").

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
    #: per issue, its cues that name it too (phrases of two content words or more): they mark the issue
    named_by: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: per issue, the heads of its terms of several words ("deal" of "nuclear deal"), each with the
    #: pattern of the head after a determiner ("this deal", "a horrible, one-sided deal")
    heads: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: per issue, the heads that end two of its terms or more ("deal" of "nuclear deal" and "Iran
    #: deal"): its own noun, which names it after any of its words ("the JCPOA ... this technical deal")
    core_heads: dict[str, set[str]] = field(default_factory=dict)
    #: per issue, its cues that count only next to one of its words ("*protecting* the integrity",
    #: not "*protecting* jobs"): the words of support it takes from the absence at one end
    near_terms: dict[str, frozenset[str]] = field(default_factory=dict)
    #: per group of states (``gazetteer.yaml``), the patterns of its names and its members among the actors
    groups: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)


@cache
def gazetteer() -> dict[str, list[str]]:
    """Aliases of states and EU institutions, keyed by every id or name they go by (lower case)."""
    from ..io.native import load

    data = load((files("accord.evidence") / "gazetteer.yaml").read_text(encoding="utf-8"), "gazetteer.yaml")
    out: dict[str, list[str]] = {}
    for entry in data.values():
        for key in entry.get("keys", ()):
            out[key.lower()] = entry["aliases"]
    return out


@cache
def _groups() -> dict[str, tuple[list[str], list[str]]]:
    """Groups of states of ``gazetteer.yaml``: per group, its aliases and its members' keys."""
    from ..io.native import load

    data = load((files("accord.evidence") / "gazetteer.yaml").read_text(encoding="utf-8"), "gazetteer.yaml")
    return {name: (entry["aliases"], entry["members"]) for name, entry in data.items() if "members" in entry}


def group_names(scenario: Scenario) -> dict[str, tuple[list[str], list[str]]]:
    """The groups of states two or more of whose members are actors of the scenario: per group,
    its aliases and those actors ("the P5+1" in a scenario of the United States, Iran, France
    and Germany: the United States, France and Germany)."""
    entries = gazetteer()
    out = {}
    for name, (aliases, members) in _groups().items():
        wanted = [entries[m.lower()] for m in members]
        actors = [a.id for a in scenario.actors
                  if any(entries.get(k.lower()) in wanted for k in (a.id, a.name) if k)]
        if len(actors) >= 2:
            out[name] = (aliases, actors)
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

    def compile_(lists: list[str], family: bool = False) -> dict[str, list[str]]:
        return {w: [phrase_pattern(v, case_sensitive=False) for v in (_family(w) if family else [w])] for w in lists}

    absent = {issue.id: _absent_end(issue) for issue in scenario.issues}
    by_absence = {i: set(_endorsing(lo, hi, t, absent[i] == "max") + _endorsing(hi, lo, t, absent[i] == "min"))
                  - set(_endorsing(lo, hi, t) + _endorsing(hi, lo, t)) for i, (t, lo, hi) in words.items()}
    words = {i: (t, lo + _endorsing(lo, hi, t, absent[i] == "max"), hi + _endorsing(hi, lo, t, absent[i] == "min"))
             for i, (t, lo, hi) in words.items()}
    heads = _heads(words, names)
    core = {i: {h for h in heads[i] if sum(head(t) == h for t in dict.fromkeys(w[0])) >= 2} for i, w in words.items()}
    return Vocabulary(
        actors=actors,
        terms={i: compile_(w[0]) for i, w in words.items()},
        toward_min={i: compile_(w[1], family=True) for i, w in words.items()},
        toward_max={i: compile_(w[2], family=True) for i, w in words.items()},
        names=names,
        named_by={i: compile_([c for c in w[1] + w[2] if c not in w[0] and " " in c.strip()
                               and (len(_content_words(c)) >= 2 or set(_content_words(c)) & core[i])])
                  for i, w in words.items()},
        heads=heads,
        core_heads=core,
        near_terms={i: frozenset(w) for i, w in by_absence.items()},
        groups={g: ([phrase_pattern(a, case_sensitive=True) for a in aliases], members)
                for g, (aliases, members) in group_names(scenario).items()},
    )


#: words that are no content of a phrase: particles of phrasal verbs ("pull out") and light words
_LIGHT = frozenset("""
up out off away down back over take make give go get put keep set come said says also would could should will
may might must can new first last one two well
""".split())
_DETERMINER = r"(?:the|this|that|these|those|a|an|such)"
#: a word between a determiner and its noun: in lower case, no function word but "and"
_MODIFIER = r"(?:and|(?!(?:" + "|".join(sorted(STOPWORDS)) + r")\b)[a-z][\w\-]*)"
#: nouns of groups of parties ("the three parties"): references to actors, not to an issue
_GROUP_NOUNS = frozenset("parties party governments countries states capitals sides leaders nations powers".split())


#: words of support and praise for what the issue is about: they point to the end of the scale whose
#: cues already include one of them ("keep the deal", "uphold*": support for the deal points there)
ENDORSING = tuple("""
support* back backs backed backing commit* uphold* upheld welcom* endors* defend* preserv* protect* champion*
prais* safeguard* vital important importance success* historic landmark achievement* breakthrough
""".split())


def _endorsing(these: list[str], others: list[str], terms: list[str], opposite_absent: bool = False) -> list[str]:
    """The words of :data:`ENDORSING` as cues of one end (``these``) when its cues hold one of them
    and the other end's cues hold none, or, when neither end's cues hold one, when the other end
    is the absence of what the issue is about (``opposite_absent``: "no agreement", "leave
    without a deal": to support it is to move away from there); nothing otherwise."""
    def holds(cues: list[str]) -> bool:  # a cue of one word: in a phrase ("protect the peace") it is not the same
        return any(_endorses(c.lower()) for c in cues if " " not in c.strip())
    if holds(others) or not (holds(these) or opposite_absent):
        return []
    have = {c.lower() for c in these + others + terms}
    return [e for e in ENDORSING if e not in have]


def _endorses(word: str) -> bool:
    word = word.rstrip("*")
    return any(word.startswith(e[:-1]) if e.endswith("*") else word == e for e in ENDORSING)


#: suffixes of one family of words: the adjective and its noun ("important", "importance")
_SUFFIX_PAIRS = (("ant", "ance"), ("ent", "ence"), ("ance", "ant"), ("ence", "ent"))


def _family(cue: str) -> list[str]:
    """A cue of one word written in full and the other member of its adjective-noun pair ("important":
    also "importance"; "reluctance": also "reluctant"): a direction is read from both."""
    if " " in cue or cue.endswith("*"):
        return [cue]
    return [cue] + [cue[:-len(a)] + b for a, b in _SUFFIX_PAIRS if cue.endswith(a) and len(cue) - len(a) >= 4]


def _content_words(phrase: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z0-9][\w\-]*", phrase.lower()) if w not in STOPWORDS and w not in _LIGHT]


def _heads(words: dict[str, tuple[list[str], list[str], list[str]]],
           names: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """Per issue, the last word of each of its terms of several words, as a pattern that needs a
    determiner and at most three words in lower case before it: after "the nuclear deal", "a
    horrible, one-sided deal" names the same thing. A head that ends terms of two issues, or is
    a word of an actor's name, names nothing for sure and is left out."""
    name_words = {w for ns in names.values() for n in ns for w in re.findall(r"[a-z]+", n.lower())}
    by_head: dict[str, set[str]] = {}
    for issue, (terms, _, _) in words.items():
        for t in terms:
            h = head(t)
            if h and h not in STOPWORDS | _LIGHT | name_words | _GROUP_NOUNS and len(h) >= 4:
                by_head.setdefault(h, set()).add(issue)
    out: dict[str, dict[str, list[str]]] = {i: {} for i in words}
    for h, issues in sorted(by_head.items()):
        if len(issues) == 1:
            word = re.escape(h) + "(?:s|es)?"  # the noun, singular or plural
            pattern = rf"(?<![\w\-])(?i:{_DETERMINER})\s+(?:{_MODIFIER},?\s+){{0,3}}?(?i:{word})(?![\w\-])"
            out[next(iter(issues))][h] = [pattern]
    return out


def head(term: str) -> str | None:
    """The last word of a term of several words, in lower case and without its ``*``; None
    for a term of one word."""
    parts = re.split(r"[\s\-]+", term.strip())
    return parts[-1].lower().rstrip("*") if len(parts) >= 2 else None


def _proper(name: str) -> bool:
    # "US" must not match "us": a name written with a capital matches only as written
    return any(c.isupper() for c in name)


_ABSENCE = re.compile(r"^(?:no|none|without)\b|\b(?:without\s+(?:a|an|the|any)|no)\s+[a-z]", re.I)


def _absent_end(issue) -> str | None:
    """"min" or "max" if the anchor at that end of the scale, and only that one, is the absence of
    what the issue is about ("no agreement, or voluntary pledges", "leave without a deal")."""
    lo, hi = _end_labels(issue)
    ends = [e for e, label in (("min", lo), ("max", hi)) if _ABSENCE.search(label)]
    return ends[0] if len(ends) == 1 else None


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
