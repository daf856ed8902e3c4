"""Candidate claims: the sentences of an article that tie an actor to an issue.

For every sentence, the scan finds the actors named in it (by id, name or alias, with
possessives) and the issues it is about (by their lexicon's terms). Each (actor, issue) pair
found together is a candidate claim, with

* a **stance hint**: toward which end of the issue's scale the sentence puts the actor. The
  issue's cues of direction (``toward_min``, ``toward_max``) are read in the actor's part of
  the sentence (from its name to the next actor's); a cue right after another takes that
  cue's direction ("*easing* sanctions" is toward lifting even though "sanctions" alone
  points to enforcement), and a negation or a word of reversal before a cue turns it ("does
  *not* want to support sanctions", "*watered down* UN sanctions", "*reject* deployment");
* a **score** in [0, 1] that ranks candidates: higher when the actor's name stands close to
  the issue's words, when the actor is named before them (its usual place as the subject),
  when a direction is found; lower when the sentence hedges ("may", "likely", "reportedly").

An actor named only as the object of an issue's word ("sanctions *on North Korea*",
"sanctioning *North Korea*") is what the issue is about, not a party taking a stance on it,
and is not linked to that issue.

The rules are lexical and deterministic; an optional sentence embedding (:mod:`.semantic`)
adds links that no word of the lexicon marks and reranks the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from ..scenario import Scenario
from .lexicon import Vocabulary, vocabulary
from .text import Match, Sentence, find_all, sentences, tokens

#: Words that turn the direction of the cue after them: negations, and verbs and nouns of
#: reversal (to water down sanctions is to move toward lifting them). Matched on whole words,
#: a trailing ``*`` as a prefix.
REVERSERS = tuple("""
not no never nor neither without cannot n't hardly against reject* oppos* resist* refus* aversion
unenthusiastic reluctan* avoid* undermin* weaken* water* violat* evad* breach* scrap* abandon*
renounc* withdraw* end ending ended lift* eas* loosen* relax* remov* reduc* cut* suspend* halt* stop*
downgrad* brush* dismiss* criticiz* criticis* blame*
""".split())

#: Words that mark a sentence as hedged: the claim is reported as possible, not as fact.
HEDGES = tuple("""
may might could perhaps possibly probably likely unlikely appear* seem* reported* alleged*
suspect* rumou?r* speculat*
""".split())

WINDOW = 4  # tokens before a cue in which a reverser counts; a cue joins a cue this close before it
_OBJECT = re.compile(r"^[\s\-]*(?:(?:on|upon|against|of|over|to|toward|towards)\s+)?(?:the\s+)?$", re.I)


@dataclass(frozen=True)
class Candidate:
    """One proposed claim: the actor and issue a sentence ties together, with a stance hint."""

    article: str
    actor: str
    issue: str
    sentence: str
    start: int
    end: int
    stance: str  # "min", "max" or "none"
    score: float
    mention: str = ""  # the words naming the actor
    terms: tuple[str, ...] = ()  # the issue's words in the sentence
    cues: tuple[str, ...] = ()  # the cues of direction read, with their sign: "+eas*", "-sanction*"
    hedged: bool = False
    similarity: float | None = None  # to the issue's description, with the semantic extra
    via: str = "lexicon"  # "lexicon", or "semantic" for a link only the embedding found

    def to_dict(self) -> dict:
        d = asdict(self)
        d["terms"], d["cues"] = list(self.terms), list(self.cues)
        return d


@dataclass
class _Sentence:
    article: str
    sentence: Sentence
    actors: list[Match]
    issues: dict[str, list[Match]] = field(default_factory=dict)


def scan(scenario: Scenario, articles: dict[str, str], ranker=None) -> list[Candidate]:
    """Candidates in every article, best first (ties in article and text order).

    ``articles`` maps a name (the file name, say) to the text. ``ranker``, if given, is a
    :class:`~accord.evidence.semantic.SemanticRanker` that scores each candidate's sentence
    against the issue's description and adds the links it finds alone.
    """
    vocab = vocabulary(scenario)
    found: list[Candidate] = []
    parsed = [p for name, text in articles.items() for p in _parse(name, text, vocab)]
    for p in parsed:
        found.extend(_candidates(p, vocab))
    if ranker is not None:
        found = ranker.rerank(scenario, parsed, found, vocab)
    order = {name: k for k, name in enumerate(articles)}
    return sorted(found, key=lambda c: (-c.score, order[c.article], c.start, c.actor, c.issue))


def _parse(name: str, text: str, vocab: Vocabulary) -> Iterable[_Sentence]:
    previous: list[Match] = []
    last_end = 0
    for s in sentences(text):
        named = find_all(s.text, vocab.actors, s.start)
        same_paragraph = "\n" not in text[last_end:s.start]
        actors = _resolve(s, named, previous if same_paragraph else [])
        previous, last_end = actors, s.end
        if not actors or s.text.rstrip("\"'”’) ").endswith("?"):
            continue  # a question asserts no stance
        issues = {i: find_all(s.text, pats, s.start) for i, pats in vocab.terms.items()}
        yield _Sentence(name, s, actors, {i: m for i, m in issues.items() if m})


_PRONOUN = re.compile(r"^(?:[\w\s,]{0,40}?,\s*)?(it|its)\b", re.I)
_GROUP = re.compile(r"\bthe (two|three|four|five|six) (parties|governments|countries|states|capitals|sides)\b", re.I)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _resolve(s: Sentence, named: list[Match], previous: list[Match]) -> list[Match]:
    """Add the actors a sentence refers to without naming them, from the sentence before.

    Two cautious rules, inside a paragraph: an "it"/"its" that opens the sentence (after at
    most an introductory phrase) before any name is the actor named first in the sentence
    before, its usual subject; and "the three parties" (governments, countries, ...) are the
    actors of the sentence before when it has just that many. A resolved mention keeps the
    pronoun's own words as its text ("its" standing for RUS).
    """
    if not previous:
        return named
    out = list(named)
    m = _PRONOUN.match(s.text)
    if m and (not named or named[0].start - s.start > m.start(1)):
        out.append(Match(s.start + m.start(1), s.start + m.end(1), previous[0].key, m.group(1)))
    for g in _GROUP.finditer(s.text):
        keys = list(dict.fromkeys(p.key for p in previous))
        if len(keys) == _NUMBERS[g.group(1).lower()]:
            out += [Match(s.start + g.start(), s.start + g.end(), k, g.group(0)) for k in keys]
    return sorted(out, key=lambda x: x.start)


def _candidates(p: _Sentence, vocab: Vocabulary) -> Iterable[Candidate]:
    holders = _stance_holders(p.sentence, p.actors)
    for issue, terms in p.issues.items():
        for actor in dict.fromkeys(m.key for m in holders):
            mentions = [m for m in holders if m.key == actor and not _is_object(p.sentence, m, terms)]
            if mentions:
                yield candidate(p, actor, issue, mentions, terms, vocab)


_PREPOSITION = re.compile(r"\b(?:with|of|to|on|upon|from|toward|towards|against|for|over|in|into|at|across)\s+"
                          r"(?:the\s+|both\s+|its\s+|their\s+)?(?:[A-Z][a-z]+\s+)?$")
_LIST = re.compile(r"^(?:\s*,\s*|\s+(?:and|or|nor)\s+|\s*,\s*(?:and|or)\s+)(?:even\s+)?(?:the\s+)?$")


def _stance_holders(s: Sentence, mentions: list[Match]) -> list[Match]:
    """The mentions that can hold a stance: not an actor named inside a prepositional phrase
    ("relations *with the United States*", "called *on South Korea*"), nor one listed after
    such an actor ("the interests *of China, Japan or even the U.S.*"). A possessive ("*to North
    Korea's* demand": the demand is North Korea's) and a resolved pronoun always can.
    """
    out, previous_object, previous_end = [], False, None
    for m in mentions:
        before = s.text[:m.start - s.start]
        possessive = m.text.endswith(("'s", "’s", "'", "’"))
        listed = previous_end is not None and _LIST.match(s.text[previous_end - s.start:m.start - s.start])
        is_object = not possessive and (bool(_PREPOSITION.search(before)) or bool(listed and previous_object))
        if not is_object or m.text.lower() in ("it", "its") or _GROUP.fullmatch(m.text):
            out.append(m)
        previous_object, previous_end = is_object, m.end
    return out


def _is_object(s: Sentence, mention: Match, terms: list[Match]) -> bool:
    """Is the actor named only as what an issue's word acts on ("sanctions on North Korea",
    "North Korea's nuclear program")?"""
    after = any(t.end <= mention.start and _OBJECT.match(s.text[t.end - s.start:mention.start - s.start])
                for t in terms)
    owner = mention.text.endswith(("'s", "’s")) and any(
        0 <= t.start - mention.end <= 12 and " " not in s.text[mention.end - s.start:t.start - s.start].strip()
        for t in terms)
    return after or owner


def candidate(p: _Sentence, actor: str, issue: str, mentions: list[Match], terms: list[Match],
              vocab: Vocabulary, similarity: float | None = None, via: str = "lexicon") -> Candidate:
    """The candidate for one actor and issue in a parsed sentence."""
    s = p.sentence
    clause = _clause(p, actor)
    stance, cues = stance_hint(s, clause, vocab.toward_min[issue], vocab.toward_max[issue])
    hedged = _hedged(s.text)
    score = _score(mentions, terms, stance != "none", hedged, similarity)
    return Candidate(
        article=p.article, actor=actor, issue=issue, sentence=s.text, start=s.start, end=s.end,
        stance=stance, score=score, mention=mentions[0].text, terms=tuple(dict.fromkeys(t.key for t in terms)),
        cues=cues, hedged=hedged, similarity=similarity, via=via,
    )


def _clause(p: _Sentence, actor: str) -> tuple[int, int]:
    """The actor's part of the sentence: from its first name to the next actor's, as offsets."""
    first = next(m for m in p.actors if m.key == actor)
    later = [m.start for m in p.actors if m.start > first.start and m.key != actor]
    return first.start, min(later, default=p.sentence.end)


def stance_hint(s: Sentence, clause: tuple[int, int], toward_min: dict[str, list[str]],
                toward_max: dict[str, list[str]]) -> tuple[str, tuple[str, ...]]:
    """Direction of the actor's clause ("min", "max" or "none") and the signed cues read.

    The clause is read first; if it holds no cue, the whole sentence is ("Like China, Russia
    has called on South Korea to downgrade ..." gives China the direction of the sentence).
    """
    cues = _cues(s, toward_min, toward_max)
    inside = [c for c in cues if clause[0] <= c[0] < clause[1]]
    chosen = inside or cues
    total = sum(sign for _, sign, _ in chosen)
    stance = "max" if total > 0 else "min" if total < 0 else "none"
    return stance, tuple(f"{'+' if sign > 0 else '-'}{key}" for _, sign, key in chosen)


def _cues(s: Sentence, toward_min: dict[str, list[str]], toward_max: dict[str, list[str]]
          ) -> list[tuple[int, int, str]]:
    """The sentence's cues as (offset, sign, entry), each turned by the reversers before it."""
    marks = [(m, -1) for m in find_all(s.text, toward_min, s.start)]
    marks += [(m, +1) for m in find_all(s.text, toward_max, s.start)]
    marks.sort(key=lambda x: x[0].start)
    words = tokens(s.text)
    out: list[tuple[int, int, str]] = []
    prev_end_token = -10
    prev_sign = 0
    for m, sign in marks:
        first = _token_at(words, m.start - s.start)
        last = _token_at(words, m.end - s.start - 1)
        if first - prev_end_token <= WINDOW and not _reversers(words, s.text, prev_end_token + 1, first):
            sign = prev_sign  # a cue right after a cue is its object: "easing sanctions" points as "easing"
        else:
            lo = max(prev_end_token + 1, first - WINDOW)
            if _reversers(words, s.text, lo, first) % 2:
                sign = -sign
        out.append((m.start, sign, m.key))
        prev_end_token, prev_sign = last, sign
    return out


def _token_at(words: Sequence[tuple[int, int]], offset: int) -> int:
    for k, (a, b) in enumerate(words):
        if a <= offset < b or offset < a:
            return k
    return len(words)


def _reversers(words: Sequence[tuple[int, int]], text: str, lo: int, hi: int) -> int:
    return sum(_is(text[a:b].lower(), REVERSERS) for a, b in words[max(lo, 0):hi])


def _is(word: str, entries: Sequence[str]) -> bool:
    if word.endswith("n't"):
        return "n't" in entries
    word = word.replace("’", "'")
    return any(word.startswith(e[:-1]) if e.endswith("*") else word == e for e in entries)


def _hedged(text: str) -> bool:
    return any(_is(text[a:b].lower(), HEDGES) for a, b in tokens(text))


def _score(mentions: list[Match], terms: list[Match], directed: bool, hedged: bool,
           similarity: float | None) -> float:
    """Rank in [0, 1]: closeness of name and issue word, the name first, a direction found, no hedge."""
    gap = min(max(t.start - m.end, m.start - t.end, 0) for m in mentions for t in terms)
    closeness = 1 / (1 + gap / 60)  # characters: about ten words apart halves it
    first = any(m.start < t.start for m in mentions for t in terms)
    score = 0.4 + 0.3 * closeness + 0.15 * first + 0.15 * directed
    if hedged:
        score *= 0.8
    return with_similarity(score, similarity) if similarity is not None else round(score, 4)


def with_similarity(score: float, similarity: float) -> float:
    """A lexical score with the sentence's similarity to the issue taking a quarter of it."""
    return round(0.75 * score + 0.25 * max(similarity, 0.0), 4)
