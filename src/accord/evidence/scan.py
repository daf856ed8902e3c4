"""Candidate claims: the sentences of an article that tie an actor to an issue.

For every sentence, the scan finds the actors it refers to (by id, name or alias, with
possessives, or by a pronoun or a group phrase resolved from the sentence before) and the
issues it is about (*Words of an issue*). An actor and an issue found together make a
candidate claim when the actor can hold a stance there (*Who holds a stance*, below) and the
issue's words stand in the actor's own clause (*Clauses*). Each candidate has

* a **stance hint**: toward which end of the issue's scale the sentence puts the actor (*Stance*);
* a **score** in [0, 1] that ranks candidates: higher when the actor's name stands close to
  the issue's words, when the actor is named before them (its usual place as the subject),
  when a direction is found; lower when the sentence hedges ("may", "likely", "reportedly").

**References without a name.** Within a paragraph, an "it"/"its" that comes before any name in
its sentence is the subject of the sentence before (its first actor able to hold a stance),
unless it stands for nothing ("it is clear why", "it appears that") or a noun phrase describes
it ("it is a robust deal": a thing); "the three parties"
(governments, countries, leaders, sides ...; "both parties") are the actors of the sentence
before when there are that many, or those listed together at its start ("Moscow, Beijing and
Pyongyang argued ..."), or, for two ("both sides"), the two actors the article has named most so
far when two stand out; "both Koreas" and "the two Koreas" are the two actors whose names share
the word. "They", "their", "the leaders", "the presidents" (ministers, delegations ...) opening
a sentence are the actors of the sentence before: those who met in it ("A met with B and C to
discuss the decision of D. The leaders agreed": not D; "A spoke *today* with B"), else its
parties, else every actor it names ("X held calls with Y and Z. They agreed"); "he", "his",
"she", "her" its first party. A plural reference also
looks back across a paragraph break when the paragraph before is one sentence that is not a
headline (press releases give each sentence a paragraph), or ends on a reference to a group
(the group is what the text is about); a singular one only within its paragraph. A group of
states named by its format ("the *P5+1*", "the *E3*": ``gazetteer.yaml``) is each of its
members among the scenario's actors. An office written after a state's name, and the surname of
its holder, name the state for the rest of the article ("EU Commissioner ... *the Commissioner*
called for", "US Secretary of State Rex Tillerson ... *Tillerson*"), as does an office written
before the name of an actor's person ("Secretary Pompeo ... *the Secretary* underscored"; see
:func:`~accord.evidence.discourse.introduced_names`). "I",
"we", "our", "us" are the speaker: of a quotation, the actor it is attributed to; elsewhere,
the author of a statement its headline names (:mod:`.discourse`). An alias inside the name of
a thing ("the *Paris* Agreement") is no mention of the actor.

**Who speaks.** The one who speaks holds the issues of a sentence that no actor of it is tied to:
the actor a first-person word of the sentence stands for ("Since the deal was kept, *we* expect
..."), or, where no actor the sentence names can hold a stance, whoever speaks there, the author
of a statement or the speaker of a quotation ("[a statement of the EU:] The deal has prevented
Iran from developing nuclear weapons"). Such a link is marked ``via: "speaker"``; the author's,
which no word of the sentence names, has an empty ``mention`` and the lowest score.

**Who holds a stance.** An actor named in a sentence is not always a party speaking in it:

* an actor named only as the object of an issue's word ("sanctions *on North Korea*",
  "sanctioning *North Korea*", "*North Korea's* nuclear program") is what the issue is about;
* an actor inside a prepositional phrase ("relations *with the United States*", "called *on South
  Korea*", "*vis-à-vis North Korea*", "in North and *South Korea*"), or listed after one (but a
  list does not run on past the comma that closes an opening phrase: "As a rival of Pyongyang,
  *Seoul* ...", nor past a name that opens a clause of its own: "guarantees to the DPRK and
  *Chairman Kim reaffirmed* ..."), is a circumstance of the clause; but people *in* a place speak
  for it ("experts in Moscow"), and so does one's state after one's office ("President Donald J.
  Trump *of the United States*"), one acts with an actor one stands or acts *with* ("stand with
  Kim", "without *the United States and China* working"), and the actor a deed named by a noun
  comes *from* does it ("drew sharp condemnation *from China*"), as does the giver of what one
  receives ("the assurances we have received *from the European Union*"); those one meets take
  part in what the meeting is about ("met *with B and C* to discuss", "held phone calls *with*
  ...", "spoke *to* ...", "agreed *with B* the terms"), unless the meeting is only named ("in
  meetings with ...") or wished for ("his desire to meet with ...");
* an actor that is the object of a verb is acted upon ("*condemning* North Korea", "to *meet*
  Kim", "*urged* the DPRK to refrain", "Washington *wants* Pyongyang to give up"), unless it
  is the agent of a gerund after it ("accused Russia *of violating* sanctions"); a verb is
  recognised without a tagger only where its form shows it: after "to", or ending in -ing or
  -ed (and not after a determiner, where it is an adjective), or before "X to" + verb;
* the subject of what another actor demands ("advocating that *Seoul* reject deployment") is
  the addressee of the demand, not its author;
* a name before a stance of its own holds it wherever it stands ("no difference to *the
  French* assessment", "*the US* decision");
* a possessive always holds a stance as a subject; in an object's place it does only where
  it owns a stance, a demand, a policy, a role, an effort, a resolve or an offer ("agreed *to
  North Korea's demand*", "endorsing *Pyongyang's preferred course*", "reaffirming *the EU's
  determination* to", "accepted *Kim's invitation*", "*Iran's* continued compliance"), while
  what else it owns is what the sentence is about ("*for North Korea's denuclearization*", "*in
  the DPRK's behavior*"), and so is a name in apposition to it ("of North Korea's incumbent
  leader *Kim Jong Un*");
* the parties named in a compound ("the *Trump-Kim* meeting", "*U.S.-North Korea* talks") or
  after "between" ("a summit *between Kim and Trump*") are tied to that noun only, and take
  the direction it has as written;
* an issue's word that is another actor's own role or stance ("it cannot challenge *China's
  role*") is that actor's, and ties no other actor of the sentence.

**Words of an issue.** An issue is named by its lexicon's terms; by a cue of two content words
or more (an analyst's "work closely", "legally binding" name the issue as well as a direction,
unlike "close" or "pull out"); and, once one of its terms of several words has been named in an
earlier sentence of the article, by that term's last word after an article or a demonstrative
("the peace treaty ... *that treaty*", "the nuclear deal ... *a flawed, one-sided
deal*"), and, once any word of the issue has been named, by the noun that ends two of its terms
or more, its own noun ("deal" of "nuclear deal" and "Iran deal": "the JCPOA ... *this highly
technical deal*"), but not after a possessive ("*his* weapons" is what he owns), not where
another issue's word stands, and not for a word that ends the terms of two issues or is a
word of an actor's name (see :func:`~accord.evidence.lexicon.vocabulary`).

**Clauses.** The issue's words must stand in the actor's clause. A subordinate clause that
opens the sentence ("*Since North Korea has not yet denuclearized*, this statement telegraphs
China's efforts ...") ties only its own actors to its words, and the main clause only its own.
So does a clause with an actor of its own as subject that says what is known, said or asked
("Moscow is aware *that Pyongyang wants to talk with Washington*", "helps explain *why
Pyongyang has yet to set a date for a summit*"), or that follows the main clause after a comma
(", *since the North Korean regime is resilient*"). Not so a clause of contrast, which often
takes the issue's words as read (", while China wants *them* eased"), nor a comment clause
("as Russian specialists expected": what they expected is the main clause). A question asserts
no stance of its own, but a relative clause in it states a fact the question takes for granted
("what does he make of the diplomacy *which led to the summit between Kim and Trump*?"): only
that clause is read.

**Stance.** The issue's cues of direction (``toward_min``, ``toward_max``) are read in the
actor's part of the sentence (from its name to the next actor's) within its clauses, else in
the rest of what it is tied to. A cue right after another takes that cue's direction
("*easing* sanctions" is toward lifting even though "sanctions" alone points to enforcement),
unless the first is the issue's own noun and the second acts on it ("the sanctions *eased*").
A word of reversal or delay turns the cue in the few words after it ("*watered down* UN
sanctions", "*reject* deployment", "*lengthen* the process of denuclearization"); a negation
turns every cue after it to the end of its clause ("has *not* set any kind of deadline for
North Korea's denuclearization"), but not an actor named after it, whose clause starts at its
name ("it cannot challenge China's role": the negation is Russia's). Words of condemnation,
regret, objection and risk turn a cue too ("*denounced* the drills", "*regrets* the rejection
of the agreement", "the *risk* of a no deal"), but no word inside the name of a thing does ("the
*Withdrawal* Agreement").
A stance another actor holds, named by a noun, is read as that actor's and not the speaker's:
after the noun ("we discussed *the decision by the US to withdraw*"), as after a possessive
("*X's decision to withdraw*", up to a noun phrase of another actor: "*Britain's support for
the deal* ahead of a US deadline"), or with the actor as its attribute ("*the US decision* to
withdraw"), unless the speaker's verb takes it up ("welcomed the decision of X to ...") or
turns against it ("France *regrets* the US withdrawal": France is for the deal); the actor that
owns it reads it as written ("we regret *the re-imposition of sanctions by the US*": the US is
for enforcing them). A cue
inside an idiom of purpose or time is none ("*to this end*", "at the *end* of the year"). A cue
that is also one of the issue's terms (its own noun: "sanctions") counts half: it says what the
sentence is about more than which way, so a verb or adjective of direction outweighs it
("sanctions ... should *go away*"). A link whose sentence gives no direction takes the one the
article's other links of the same actor and issue give, where more point one way than the other
(one stance per discourse: :func:`one_stance_per_discourse`; ``stance_from: "article"``).

The rules are lexical and deterministic; an optional dependency parse (:mod:`.syntax`, the
``nlp`` extra) decides subjects, objects and the clauses other actors own where it can; an
optional sentence embedding (:mod:`.semantic`) adds links that no word of the lexicon marks
and reranks the rest, and proposes issue terms the lexicon lacks (:mod:`.terms`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..io._files import decode, read_bytes
from ..scenario import Scenario
from .discourse import FIRST_PERSON, Speakers, introduced_names, named_things, speakers
from .lexicon import STOPWORDS, Vocabulary, head, vocabulary
from .text import Match, Sentence, find_all, phrase_pattern, sentences, tokens

#: Words that turn the direction of the cue after them: verbs and nouns of reversal (to water
#: down sanctions is to move toward lifting them) and of delay (to lengthen the process of
#: denuclearization is to move away from it first). Matched on whole words, a trailing ``*`` as
#: a prefix; "ease" is given by its forms, for "eas*" is also "East".
REVERSERS = tuple("""
against reject* oppos* resist* refus* aversion unenthusiastic reluctan* avoid* undermin* weaken*
water* violat* evad* breach* scrap* abandon* renounc* withdraw* end ending ended lift* ease eased eases
easing loosen* relax* remov* reduc* cut* suspend* halt* stop* downgrad* brush* dismiss* criticiz*
criticis* blame* delay* postpon* lengthen* prolong* stall* denounc* condemn* decry decries decried deplor*
regret* lament* objected objecting objection* risk risks danger dangers
""".split())

#: Negations: they turn every cue after them in their clause, not only the next few words.
NEGATIONS = tuple("not no never nor neither without cannot n't hardly".split())

#: Words that mark a sentence as hedged: the claim is reported as possible, not as fact.
HEDGES = tuple("""
may might could perhaps possibly probably likely unlikely appear* seem* reported* alleged*
suspect* rumou?r* speculat*
""".split())

WINDOW = 4  # tokens before a cue in which a reverser counts; a cue joins a cue this close before it
TERM_CUE_WEIGHT = 0.5  # a cue that is also a term of the issue counts this much (see *Stance*)


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
    via: str = "lexicon"  # "lexicon"; "speaker" for the speaker's link (see *Who speaks*); "semantic"
    stance_from: str = "sentence"  # or "article": the direction of its other links (one stance per discourse)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["terms"], d["cues"] = list(self.terms), list(self.cues)
        return d


@dataclass
class _Sentence:
    article: str
    sentence: Sentence
    actors: list[Match]  # every reference to an actor: names, resolved pronouns and groups
    issues: dict[str, list[Match]] = field(default_factory=dict)
    holders: list[Match] = field(default_factory=list)  # the references that can hold a stance
    clauses: _Clauses | None = None
    syntax: Any = None  # the article's dependency parse (accord.evidence.syntax.ParsedText), if any
    speaker: str | None = None  # who speaks where the sentence starts (a quotation's speaker, or the author)


def scan(scenario: Scenario, articles: dict[str, str], ranker=None, parser=None) -> list[Candidate]:
    """Candidates in every article, best first (ties in article and text order).

    ``articles`` maps a name (the file name, say) to the text. ``ranker``, if given, is a
    :class:`~accord.evidence.semantic.SemanticRanker` that scores each candidate's sentence
    against the issue's description and adds the links it finds alone. ``parser``, if given, is
    a :class:`~accord.evidence.syntax.Parser` (the ``nlp`` extra) whose dependency parse decides
    subjects, objects and the scope of the cues where it can (see :mod:`.syntax`).
    """
    vocab = vocabulary(scenario)
    found: list[Candidate] = []
    parsed = [p for name, text in articles.items()
              for p in _parse(name, text, vocab, parser.parse(text) if parser is not None else None)]
    for p in parsed:
        links = list(_candidates(p, vocab))
        found += links + list(_spoken(p, vocab, {c.issue for c in links}))
    found = one_stance_per_discourse(found)
    if ranker is not None:
        found = ranker.rerank(scenario, parsed, found, vocab)
    order = {name: k for k, name in enumerate(articles)}
    return sorted(found, key=lambda c: (-c.score, order[c.article], c.start, c.actor, c.issue))


def read_articles(paths: Sequence[Path]) -> dict[str, str]:
    """The texts of article files (UTF-8), by file name: the name a candidate cites its article by,
    so two files of one name are refused.

    >>> list(read_articles([Path("README.md")]))
    ['README.md']
    >>> read_articles([Path("README.md"), Path("./README.md")])
    Traceback (most recent call last):
    ...
    accord.errors.InputError: 2 problems found:
      README.md: two articles have the same file name; rename one
      README.md: two articles have the same file name; rename one
    """
    texts = {p.name: decode(read_bytes(p), str(p)) for p in paths}
    if len(texts) < len(paths):
        raise InputError([Problem("two articles have the same file name; rename one", str(p)) for p in paths])
    return texts


def _parse(name: str, text: str, vocab: Vocabulary, syntax=None) -> Iterable[_Sentence]:
    previous: list[Match] = []  # the holders of the sentence before
    previous_all: list[Match] = []  # all the actors it refers to
    last_end = 0
    named_so_far: dict[str, int] = {}  # how often the article has named each actor so far
    one_sentence = False  # was the sentence before a paragraph of its own (so far)?
    grouped = False  # did the sentence before refer to a group ("they", "the leaders")?
    patterns = _article_names(text, vocab)
    voices = speakers(text, patterns)
    introduced: dict[str, set[str]] = {}  # per issue, the heads of its terms of several words named so far
    for s in sentences(text):
        named = _members(named_things(text, find_all(s.text, {**patterns, **_group_keys(vocab)}, s.start)), vocab)
        # a plural reference opening a paragraph looks back to the paragraph before when that is
        # one sentence (a press release gives each sentence a paragraph) or ends on a reference to
        # the same group (the group is what the text is about), but not to a headline
        same_paragraph = "\n" not in text[last_end:s.start]
        carried = same_paragraph or ((one_sentence or grouped) and not _headline(text, last_end))
        actors = _resolve(s, named, previous if carried else [], vocab, text, _two_parties(named_so_far),
                          previous_all if carried else [], same_paragraph)
        actors = sorted(actors + _first_person(s, voices), key=lambda x: (x.start, x.key))
        for key in {a.key for a in actors}:
            named_so_far[key] = named_so_far.get(key, 0) + 1
        holders = _stance_holders(s, actors, syntax)
        one_sentence = "\n" in text[last_end:s.start]  # this sentence opens its paragraph
        grouped = any(_THEY.fullmatch(a.text) or _GROUP.fullmatch(a.text) for a in actors)
        found = _issue_words(s, vocab, introduced)
        for i, ts in found.items():  # the heads of its terms name the same things in the sentences after
            introduced.setdefault(i, set()).update({h for t in ts if (h := head(t.key)) in vocab.heads.get(i, {})}
                                                   | vocab.core_heads.get(i, set()))
        previous, previous_all, last_end = _meeting(s, actors, holders) or holders or actors, actors, s.end
        if not actors:
            continue
        clauses = _Clauses.of(s, holders)
        if clauses.read is None:
            continue  # a question with no relative clause asserts nothing
        issues = {i: [t for t in ts if clauses.readable(t.start)] for i, ts in found.items()}
        holders = [m for m in holders if clauses.readable(m.start)]
        yield _Sentence(name, s, actors, {i: m for i, m in issues.items() if m}, holders, clauses, syntax,
                        voices.at(s.start))


def _article_names(text: str, vocab: Vocabulary) -> dict[str, list[str]]:
    """The actors' patterns with the offices and surnames the article introduces with them
    ("EU Commissioner ... the Commissioner": see :func:`~accord.evidence.discourse.introduced_names`)."""
    names = named_things(text, find_all(text, vocab.actors))
    extra = introduced_names(text, names, vocab.names)
    return {a: pats + [phrase_pattern(n, case_sensitive=True) for n in extra.get(a, [])]
            for a, pats in vocab.actors.items()}


_GROUP_KEY = "\0"  # keys of groups of states among the actors' keys while matching names


def _group_keys(vocab: Vocabulary) -> dict[str, list[str]]:
    return {_GROUP_KEY + g: pats for g, (pats, _) in vocab.groups.items()}


def _members(names: list[Match], vocab: Vocabulary) -> list[Match]:
    """A group of states named by its format ("the P5+1") as each of its members among the actors."""
    out = []
    for m in names:
        if m.key.startswith(_GROUP_KEY):
            out += [Match(m.start, m.end, k, m.text) for k in vocab.groups[m.key[len(_GROUP_KEY):]][1]]
        else:
            out.append(m)
    return out


def _issue_words(s: Sentence, vocab: Vocabulary, introduced: dict[str, set[str]]) -> dict[str, list[Match]]:
    """Per issue, the words of the sentence that name it: its terms, its cues of several content
    words, and, once a term of several words has been named in the article, that term's head after
    a determiner ("the nuclear deal ... this deal"), unless another issue's word stands there."""
    own = {i: find_all(s.text, {**pats, **vocab.named_by.get(i, {})}, s.start) for i, pats in vocab.terms.items()}
    every = [m for ms in own.values() for m in ms]
    out = {}
    for i, found in own.items():
        if introduced.get(i):
            heads = find_all(s.text, {h: vocab.heads[i][h] for h in sorted(introduced[i])}, s.start)
            found = sorted(found + [h for h in heads if not any(h.start < o.end and o.start < h.end for o in every)],
                           key=lambda m: m.start)
        out[i] = found
    return out


# -- references without a name ---------------------------------------------------------------------

_PRONOUN = re.compile(r"\b(it|its)\b", re.I)
#: an "it" that stands for no actor: "it is clear why ...", "it appears that ...", "when it comes to"
#: nor one that a noun phrase describes: "it is *a* robust deal", "it is not *an* agreement" (a thing: a state
#: is not described so)
_EXPLETIVE = re.compile(r"^it\s+(?:(?:is|was|'s|’s|has\s+been|will\s+be|would\s+be|seems|seemed|remains|became|"
                        r"becomes)\s+(?:[\w\-]+\s+){0,3}?(?:that|why|how|whether|to|for)\b|(?:appears|appeared|"
                        r"seems|seemed)\s+that\b|comes\s+to\b|takes\b|(?:is|was|'s|’s|remains)\s+(?:not\s+)?"
                        r"(?:a|an)\s)", re.I)
_GROUP = re.compile(r"\b(?:the\s+(two|three|four|five|six)|(both))\s+"
                    r"(parties|governments|countries|states|capitals|sides|leaders|nations|powers)\b", re.I)
_SHARED = re.compile(r"\b(?i:both|the\s+two)\s+([A-Z][a-z]+)s\b")  # "both Koreas"
#: a plural reference to the parties of the sentence before: "They agreed", "the leaders stressed"
_THEY = re.compile(r"\b(they|their|them|the\s+leaders|these\s+leaders|both\s+sides|the\s+(?:(?:foreign|prime|"
                   r"defen[cs]e)\s+)?(?:presidents|ministers|secretaries|chancellors|delegations))\b", re.I)
_HE = re.compile(r"\b(he|his|she|her)\b", re.I)
_OBJECT_PRONOUNS = frozenset("us me them".split())  # as written: "US" is a name
_POSSESSIVE_PRONOUNS = frozenset("our my their his her Our My Their His Her".split())
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "both": 2}


def _resolve(s: Sentence, named: list[Match], previous: list[Match], vocab: Vocabulary,
             text: str, parties: list[str], previous_all: Sequence[Match] = (),
             same_paragraph: bool = True) -> list[Match]:
    """The sentence's names and the actors it refers to without naming them (see the module).
    A resolved mention keeps its own words as its text ("its" standing for RUS). A singular
    pronoun looks back within its paragraph only; a plural one also to a paragraph before."""
    out = list(named)
    first = named[0].start - s.start if named else len(s.text)
    m = _PRONOUN.search(s.text)
    if previous and same_paragraph and m and m.start() < first and not _EXPLETIVE.match(s.text[m.start():]):
        out.append(Match(s.start + m.start(1), s.start + m.end(1), previous[0].key, m.group(1)))
    m = _THEY.search(s.text)
    keys = list(dict.fromkeys(p.key for p in previous))
    group = [p.key for p in previous if _THEY.fullmatch(p.text) or _GROUP.fullmatch(p.text)]
    if len(set(group)) >= 2:  # "They discussed ... They agreed": the same group
        keys = list(dict.fromkeys(group))
    if len(keys) < 2:  # "X held calls with Y and Z. They agreed": all it named
        keys = list(dict.fromkeys(p.key for p in previous_all))
    if m and m.start() < first and len(keys) >= 2:  # "They agreed", "The leaders stressed"
        out += [Match(s.start + m.start(1), s.start + m.end(1), k, m.group(1)) for k in keys]
    m = _HE.search(s.text)
    if previous and same_paragraph and m and m.start() < first:  # "He invited", "his decision"
        out.append(Match(s.start + m.start(1), s.start + m.end(1), previous[0].key, m.group(1)))
    for g in _GROUP.finditer(s.text):
        n = _NUMBERS[(g.group(1) or g.group(2)).lower()]
        keys = _group(previous, n, text) or (parties if n == 2 else [])  # "both sides": the two most named
        out += [Match(s.start + g.start(), s.start + g.end(), k, g.group(0)) for k in keys]
    for g in _SHARED.finditer(s.text):
        word = re.compile(rf"\b{g.group(1)}\b")
        sharing = [a for a, names in vocab.names.items() if any(word.search(n) for n in names)]
        if len(sharing) == 2:
            out += [Match(s.start + g.start(), s.start + g.end(), k, g.group(0)) for k in sharing]
    return sorted(out, key=lambda x: (x.start, x.key))


def _meeting(s: Sentence, actors: list[Match], holders: list[Match]) -> list[Match]:
    """Those who meet in a sentence ("A met with B and C"): the holder named last
    before the words of meeting and the actors listed right after them; what "they" and "the
    leaders" of the next sentence stand for. Empty if the sentence tells of no meeting."""
    m = _MEETING.search(s.text)
    if not m:
        return []
    host = [h for h in holders if h.end <= s.start + m.start()]
    guests: list[Match] = []
    for a in actors:
        if a.start < s.start + m.end():
            continue
        gap = s.text[(guests[-1].end if guests else s.start + m.end()) - s.start:a.start - s.start]
        first = not guests and re.fullmatch(r"(?:the\s+)?(?:[A-Z][\w\-]*\s+){0,2}", gap)
        same = guests and a.key == guests[-1].key and re.fullmatch(r"\s+(?:[A-Z][\w\-]*\s+){0,2}", gap)
        if not (first or same or (guests and _LIST.match(gap))):
            break
        guests.append(a)
    keys = {x.key for x in guests}
    if not host or not guests or host[-1].key in keys:
        return []
    return [host[-1], *(g for k, g in enumerate(guests) if g.key not in {x.key for x in guests[:k]})]


def _headline(text: str, end: int) -> bool:
    """Does the line that ends at ``end`` look like a headline: no full stop at its end, or the
    first line of the article?"""
    line_start = text.rfind("\n", 0, max(end - 1, 0)) + 1
    line = text[line_start:end].rstrip()
    return line_start == 0 or not line.endswith((".", ".\"", ".”", ".'", ".’"))


def _first_person(s: Sentence, voices: Speakers) -> list[Match]:
    """"I", "we", "our" ... as the actor who speaks there (see :mod:`.discourse`)."""
    out = []
    for m in FIRST_PERSON.finditer(s.text):
        key = voices.at(s.start + m.start())
        if key is not None:
            out.append(Match(s.start + m.start(), s.start + m.end(), key, m.group(0)))
    return out


def _two_parties(counts: dict[str, int]) -> list[str]:
    """The two actors an article has named most so far, if two stand out (named more often than
    any other): "both sides" and "the two sides" of a text about their talks."""
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if len(ranked) < 2 or (len(ranked) > 2 and ranked[2][1] >= ranked[1][1]):
        return []
    return [k for k, _ in ranked[:2]]


def _group(previous: list[Match], n: int, text: str) -> list[str]:
    """The ``n`` actors a group phrase stands for: all of the sentence before, or those listed
    together at its start."""
    keys = list(dict.fromkeys(p.key for p in previous))
    if len(keys) == n:
        return keys
    run = previous[:1]
    for a, b in zip(previous, previous[1:]):
        if a.start != b.start and not _LIST.match(text[a.end:b.start]):
            break
        run.append(b)
    keys = list(dict.fromkeys(p.key for p in run))
    return keys if len(keys) == n else []


# -- who holds a stance ------------------------------------------------------------------------------

_PREPOSITIONS = ("with|of|to|on|upon|from|toward|towards|against|for|over|in|into|onto|at|across|vis-à-vis|"
                 "vis-a-vis|regarding|concerning|around|about|among|amongst|through|throughout|under|beyond|"
                 "near|within|without|behind|via|during")
#: before a name in a prepositional phrase: "with the ", "in North and "
_PREPOSITION = re.compile(rf"\b(?:{_PREPOSITIONS})\s+(?:(?:the|both|its|their|his|her|all|a|an)\s+)?"
                          r"(?:[A-Z][a-z]+\s+(?:(?:and|or)\s+)?)?$")
_LIST = re.compile(r"^(?:\s*,\s*|\s+(?:and|or|nor)\s+|\s*,\s*(?:and|or)\s+)(?:even\s+)?(?:the\s+)?$")
#: people who speak for a place: "experts in Moscow", "officials from Beijing"
_PEOPLE_OF = re.compile(r"\b(?:experts?|officials?|diplomats?|analysts?|specialists?|scholars?|leaders?|"
                        r"authorities|sources|ministers?|negotiators?|envoys?|representatives?|spokes(?:man|woman|"
                        r"person)|government|administration)\s+(?:in|from|of)\s+(?:the\s+)?$", re.I)
#: the state of a person named by their office: "President Donald J. Trump *of the United States*",
#: "Chairman Kim Jong-un of the State Affairs Commission *of the DPRK*"; the person speaks for it
_OFFICE_OF = re.compile(r"\b(?:President|Chairman|Chairwoman|Minister|Secretary|Chancellor|Leader|King|Queen|Premier|"
                        r"Ambassador|Envoy|Commissioner|Representative|Spokes(?:man|woman|person))\b"
                        r"[^,;:()\[\]]{0,60}?\s+of\s+(?:the\s+)?$")
#: the agent of a deed named by a noun: "drew sharp condemnation *from* China", "support *from* Moscow"
_NOUN_AGENT = re.compile(r"\b(?:condemnation|criticism|opposition|objections?|protests?|support|backing|praise|"
                         r"pressure|demands?|calls?|warnings?|rejection|approval|endorsement|veto|resistance|"
                         r"appeals?|requests?|proposals?|offers?|threats?)\s+(?:from|by)\s+(?:the\s+)?$", re.I)
#: a party to a pact or a meeting named by a noun: "reached a deal *with Iran*", "the President's summit *with
#: Kim*", "talks *with North Korea*"; not one only named in passing ("*in* talks with", "*at* a summit with")
_PACT_WITH = re.compile(r"(?<!\bin\s)(?<!\bat\s)(?<!\bduring\s)\b(?i:(?:a|an|the|its|his|her|their|our|possible|"
                        r"new|nuclear|bilateral|direct|historic|productive)\s+)+(?i:deal|agreement|accord|summit|"
                        r"talks|negotiations|dialogue)\s+with\s+(?:the\s+)?(?:[A-Z][\w\-.]*\s+){0,3}$")
#: the giver of what one receives: "the assurances we have received *from the European Union*"
_RECEIVED_FROM = re.compile(r"\b(?:receiv|obtain|secur|won\b|got\b|gain)[a-z]*\s+(?:[\w\-]+\s+){0,3}?from\s+"
                            r"(?:the\s+)?$", re.I)
#: the agent of a participle after "with": "with the European Union playing a pivotal role"
_WITH_BEFORE = re.compile(r"\bwith(?:out)?\s+(?:the\s+)?$", re.I)
_ING_AFTER = re.compile(r"^(?:\s*(?:,|and)\s+(?:the\s+)?[A-Z][\w\-.]*(?:\s+[A-Z][\w\-.]*)*)*\s+(?:[a-z]+ly\s+)?"
                        r"[a-z]+ing\b")  # "with the United States and China working": both
#: whose gain or loss: "a major win for Europe", "a blow to Moscow"
_GAIN_FOR = re.compile(r"\b(?:win|victory|success|triumph|boost|gain|setback|blow|defeat|loss)\s+(?:for|to)\s+"
                       r"(?:the\s+)?$", re.I)
#: acting with: "stand with Kim", "together with China"
_COMITATIVE = re.compile(r"\b(?:together|along|stand|stands|stood|standing|side|sides|sided|siding)\s+with\s+"
                         r"(?:the\s+)?$", re.I)
#: meeting with: "met with B and C", "held phone calls with the French President": the
#: parties one meets take part in what the meeting is about; at most two words of when or how may
#: stand between the verb and "with" ("spoke *today* with", "met *separately* with")
_MEETING = re.compile(r"\b(?:(?:met|meets?|talked|spoke|speaks?|conferred|agreed|agrees?|negotiated|negotiates?|"
                      r"(?:held|hold|holds|had|has|have|attended|attends|joined|joins|hosted|hosts|chaired|chairs)\s+"
                      r"(?:[\w\-]+,?\s+){0,3}?(?:talks|calls|meetings?|"
                      r"conversations?|discussions?|consultations?))(?:\s+(?:today|yesterday|again|also|first|"
                      r"separately|briefly|privately|jointly|later|by\s+(?:tele)?phone|[a-z]+ly)){0,2}\s+with|"
                      r"(?:spoke|speaks?|talked)\s+to)\s+", re.I)
#: (not a meeting wished for: "his desire *to meet with* President Trump", whom it is about)
_MEETING_BEFORE = re.compile(r"(?<!\bto\s)" + _MEETING.pattern + r"(?:the\s+)?(?:[A-Z][\w\-]*\s+){0,2}$", re.I)
_TO_VERB = re.compile(r"\b[Tt]o\s+(?:[a-z]+ly\s+)?([a-z]+|[A-Z][a-z]+)(?:\s+(?:off|out|up|down|away|back|over))?\s+"
                      r"(?:(?:the|both)\s+)?$")  # "to meet ", "to reflexively blame ", "to brush off "
_PARTICIPLE = re.compile(r"(?:^|[^\w\-])(?:([\w’']+)\s+)?(?:([a-z]+ly)\s+)?([a-z]+(?:ing|ed))\s+(?:(?:the|both)\s+)?$")
_WORD_BEFORE = re.compile(r"(?:^|[^\w\-])(?:([\w’']+)\s+)?([a-z]+)\s+(?:(?:the|both)\s+)?$")
#: a verb right after a name: the name opens a clause of its own ("security guarantees to the DPRK
#: and *Chairman Kim reaffirmed* his commitment"), even after "and"
_VERB_AFTER = re.compile(r"^(?:\s+[A-Z][\w\-]*){0,2}\s+(?:(?:(?:also|then|has|have|had|will|would|shall|should|"
                         r"must|can|could|may|did|does|is|are|was|were)\s+(?:not\s+)?)?[a-z]+ed|will|would|must|can|"
                         r"could|should|said|says)\b")  # not "is", "has": "sanctions on A and B are ..."
_INFINITIVE_AFTER = re.compile(r"^\s+to\s+[a-z]")
#: "accused Russia *of violating*": the agent of the gerund; not so one kept *from* doing ("prevent Iran from
#: developing" is done to Iran)
_GERUND_AFTER = re.compile(r"^\s+(?:of|for)\s+[a-z]+ing\b")
_DEMAND_THAT = re.compile(r"\b(?:advocat|urg|demand|insist|propos|ask|recommend|request)[a-z]*\s+that\s+"
                          r"(?:the\s+)?$", re.I)
#: -ing and -ed words that are no verbs
_NOT_VERBS = frozenset("""
during including according notwithstanding nothing something anything everything thing morning evening
indeed need speed hundred
""".split())
_DETERMINERS = frozenset("a an the its their his her our your this that these those any some every each no".split())
_AUXILIARIES = frozenset("""
is are was were be been being am has have had do does did will would shall should may might must can could
""".split())
#: what a possessive may own and still speak for the actor: a stance, a demand, a policy, an effort
_STANCE_NOUN = (r"(?:demand|position|stance|view|call|proposal|plan|polic|line\b|course|offer|support|opposition|"
                r"effort|role|objective|aim|goal|intention|interest|concern|preference|wish|approach|strateg|"
                r"initiative|insisten|request|push\b|bid\b|decision|refusal|willingness|reluctance|aversion|"
                r"commitment|ambition|lead\b|desire|agenda|priorit|assertion|argument|statement|readiness|assessment|"
                r"judg(?:e)?ment|determination|resolve\b|pledge|promise|invitation|assurance|complian|deadline|"
                r"withdrawal|exit\b|pull-?out|re-?imposition)")
_OWNS_STANCE = re.compile(rf"^\s+(?:[\w\-]+\s+){{0,2}}?{_STANCE_NOUN}", re.I)  # "'s preferred course"
_IS_STANCE = re.compile(rf"^{_STANCE_NOUN}", re.I)
#: a name before a stance it holds, as an attribute: "the *US* decision", "the *French* assessment"
_ATTRIBUTIVE = re.compile(rf"^\s+{_STANCE_NOUN}", re.I)
_BRACKETED = re.compile(r"^\s*[\[(]\s*(?:the\s+)?$")  # "the DPRK [Democratic People's Republic of Korea ...]"
_APPOSITION = re.compile(r"^\s+(?:[a-z\-]+\s+){1,3}$")  # "North Korea's incumbent leader| Kim Jong Un"
_HYPHEN_AFTER = re.compile(r"^-[A-Z]")
_HYPHEN_BEFORE = re.compile(r"[A-Za-z.]-$")


def _possessive(m: Match) -> bool:
    return m.text.endswith(("'s", "’s", "'", "’")) or m.text in _POSSESSIVE_PRONOUNS


def _verb(word: str | None, *before: str | None) -> bool:
    """Is ``word`` a verb here: not a function word, nor an adjective after a determiner?"""
    if not word or word in STOPWORDS or word in _AUXILIARIES or word in _NOT_VERBS:
        return False
    return not any(b and b.lower() in _DETERMINERS for b in before)


def _object_of_verb(before: str, after: str) -> bool:
    """Is the actor (with ``before`` and ``after`` it in its sentence) the object of a verb?"""
    to = _TO_VERB.search(before)
    p = _PARTICIPLE.search(before)
    w = _WORD_BEFORE.search(before)
    found = ((to and _verb(to.group(1).lower()))  # "to meet Kim", "To Prevent Iran" (a title)
             or (p and _verb(p.group(3), p.group(1), p.group(2)))  # "condemning North Korea"
             or (w and _INFINITIVE_AFTER.match(after) and _verb(w.group(2), w.group(1))))  # "wants Pyongyang to"
    return bool(found) and not _GERUND_AFTER.match(after)  # "accused Russia of violating": the agent


def _stance_holders(s: Sentence, mentions: list[Match], syntax=None) -> list[Match]:
    """The mentions that can hold a stance (see the module: *Who holds a stance*); with a
    dependency parse, a subject or an agent does and a verb's object does not, whatever the
    words around them (see :mod:`.syntax`)."""
    intro = _intro(s)
    out: list[Match] = []
    previous: Match | None = None
    previous_object = previous_owned = previous_with = False
    for m in mentions:
        before, after = s.text[:m.start - s.start], s.text[m.end - s.start:]
        between = s.text[previous.end - s.start:m.start - s.start] if previous is not None else ""
        listed = (previous is not None and bool(_LIST.match(between))
                  and not previous.end <= intro < m.start)  # a list does not run on past an opening phrase
        if m.text in _OBJECT_PRONOUNS:
            is_object = True  # "us", "them": what is done to, not who does
        elif m.text.lower() in ("it", "its") or _HYPHEN_AFTER.match(after) or _HYPHEN_BEFORE.search(before):
            is_object = False  # a pronoun; a party to a compound, tied to its noun only
        elif (_COMITATIVE.search(before) or _MEETING_BEFORE.search(before) or _PEOPLE_OF.search(before)
              or _OFFICE_OF.search(before) or _RECEIVED_FROM.search(before)
              or _NOUN_AGENT.search(before) or _GAIN_FOR.search(before) or _PACT_WITH.search(before)
              or ((_WITH_BEFORE.search(before) or (listed and previous_with)) and _ING_AFTER.match(after))):
            is_object = False
        elif _DEMAND_THAT.search(before):
            is_object = True
        elif previous is not None and ((previous_owned and _APPOSITION.match(between))
                                       or (previous_object and _BRACKETED.match(between))):
            is_object = True  # in apposition to an object
        else:
            opens_clause = listed and bool(_VERB_AFTER.match(after))  # "to the DPRK and Kim reaffirmed"
            is_object = not opens_clause and (bool(_PREPOSITION.search(before)) or (listed and previous_object)
                                              or _object_of_verb(before, after))
        owned = False
        if _possessive(m):  # a subject; in an object's place, only if it owns a stance
            owned = is_object = is_object and not _OWNS_STANCE.match(after)
        elif _ATTRIBUTIVE.match(after):  # "the US decision": a stance of its own, wherever it stands
            is_object = False
        elif syntax is not None:
            role = syntax.role(m.start, m.end, [(o.start, o.end) for o in mentions if o.key != m.key])
            is_object = is_object if role is None else role == "object"
        if not is_object:
            out.append(m)
        previous, previous_object, previous_owned = m, is_object, owned
        previous_with = bool((_WITH_BEFORE.search(before) or (listed and previous_with)) and _ING_AFTER.match(after))
    return out


_OBJECT = re.compile(r"^[\s\-]*(?:(?:on|upon|against|of|over|to|toward|towards)\s+)?(?:the\s+)?$", re.I)


def _is_object(s: Sentence, mention: Match, terms: list[Match], every: list[Match] | None = None) -> bool:
    """Is the actor named only as what an issue's word acts on ("sanctions on North Korea",
    "North Korea's nuclear program")? Not when the word is, or qualifies, the actor's own role,
    effort or policy ("China's role", "Russia's negotiation efforts"). A possessive that owns
    the word of any issue (``every``) is what the sentence is about, for every issue: "the deal
    does not cover *X's* missile programme" says nothing of what X wants of the deal. The
    speaker's own ("*our* deal") is never only what the sentence is about."""
    after = any(t.end <= mention.start and _OBJECT.match(s.text[t.end - s.start:mention.start - s.start])
                for t in terms)
    owner = _possessive(mention) and mention.text.lower() not in ("our", "my") and any(
        0 <= t.start - mention.end <= 12 and " " not in s.text[mention.end - s.start:t.start - s.start].strip()
        and not (_IS_STANCE.match(t.text) or _OWNS_STANCE.match(s.text[t.end - s.start:]))
        for t in (terms if every is None else every))
    return after or owner


# -- clauses -----------------------------------------------------------------------------------------

_SUBORDINATORS = r"(?:ever\s+)?since|because|while|whilst|although|though|when|whenever|if|unless|whereas"
#: a subordinate clause opening the sentence, after at most a word or two and a comma ("However, since")
_FRONT = re.compile(rf"^\W*(?:[A-Za-z]+(?:\s+[a-z]+)?,\s+)?({_SUBORDINATORS}|once|after|before|until|whatever|"
                    r"as(?!\s+(?:a|an|part|such|well)\b))\b", re.I)
#: a subordinate clause after the main one: ", since the North Korean regime is resilient"; not one
#: of contrast (", while China wants them eased"), which often takes the issue's words as read
_TRAILING = re.compile(r",\s+((?:ever\s+)?since|because|although|though|when|whenever|if|unless|as)\s+", re.I)
#: what takes a clause of what is known, said or asked: "the fact that", "is aware that", "why"
_COMPLEMENT = re.compile(r"\b(?:(?:fact|evidence|speculation|assertion|belief|view|news|idea|notion|hope|claim|sign|"
                         r"proof|doubt|argument|statement|reports?|aware|clear|sure|know|knows|knew|believes?|"
                         r"believed|thinks?|thought|says?|said|argues?|argued|claims?|claimed|expects?|expected|"
                         r"fears?|feared|hopes?|hoped|notes?|noted|shows?|showed|reveals?|revealed|reported|"
                         r"indicating|indicates?|indicated|understands?|understood|realizes?|realized|assumes?|"
                         r"assumed|warns?|warned)\s+(that)|(why|how|whether|which|whom|until))\s+", re.I)
#: "as Russian specialists expected": a comment on the main clause, which is what they expected
_COMMENT = re.compile(r"^,?\s*as\s+.{0,60}?\b(?:said|says|say|argued|argues|argue|noted|notes|expected|expect|"
                      r"expects|predicted|predict|warned|warn|feared|fear|hoped|reported|claimed|claims|suggested|"
                      r"insisted|stated|put\s+it|believes?|believed)\W*$", re.I)
_RELATIVE = re.compile(r"\b(?:which|who|that)\b", re.I)
_CLAUSE_END = re.compile(r";|\s[—–]\s|,\s+(?:and\s+|or\s+|but\s+)?(?:that|which)\b")


@dataclass(frozen=True)
class _Clauses:
    """Offsets (in the article) of the parts of a sentence that are clauses of their own."""

    front: tuple[int, int] | None  # a subordinate clause that opens the sentence
    own: tuple[tuple[int, int], ...]  # clauses with an actor of their own as subject
    read: tuple[int, int] | None  # what may be read at all (of a question, only its relative clause)

    @classmethod
    def of(cls, s: Sentence, holders: list[Match]) -> _Clauses:
        text = s.text
        read: tuple[int, int] | None = (s.start, s.end)
        if text.rstrip("\"'”’) ").endswith("?"):
            q = _RELATIVE.search(text)
            read = (s.start + q.start(), s.end) if q else None
        front = _front(s)
        own = []
        subjects = {m.start - s.start for m in holders}
        for c in [*_COMPLEMENT.finditer(text), *_TRAILING.finditer(text)]:
            subject = c.end() + len(re.match(r"(?:the\s+)?", text[c.end():]).group(0))
            end = _clause_end(text, c.end())
            if subject in subjects and not _COMMENT.match(text[c.start():_comma(text, c.end()) or end]):
                begin = next(c.start(k) for k in range(1, (c.lastindex or 0) + 1) if c.group(k))
                own.append((s.start + begin, s.start + end))
        return cls(front, tuple(sorted(own)), read)

    def readable(self, at: int) -> bool:
        return self.read is not None and self.read[0] <= at < self.read[1]

    def together(self, mention: int, term: int) -> bool:
        """Do offsets ``mention`` and ``term`` stand in the same clause?"""
        if self.front and _inside(self.front, mention) != _inside(self.front, term):
            return False
        return all(_inside(c, mention) == _inside(c, term) for c in self.own)


def _front(s: Sentence) -> tuple[int, int] | None:
    """The subordinate clause that opens the sentence, up to its comma, as offsets."""
    f = _FRONT.match(s.text)
    if f:
        comma = _comma(s.text, f.end())
        if comma is not None and not _COMMENT.match(s.text[f.start(1):comma]):
            return s.start + f.start(1), s.start + comma
    return None


_INTRO = re.compile(rf"^\W*(?:[A-Za-z]+(?:\s+[a-z]+)?,\s+)?(?:{_SUBORDINATORS}|{_PREPOSITIONS}|once|after|before|"
                    r"until|whatever|as|like|unlike|despite)\b", re.I)


def _intro(s: Sentence) -> int:
    """Where a phrase or clause opening the sentence ("As a rival of Pyongyang, ...", "Since
    Russia courted Seoul, ...") ends at its comma, as an offset; -1 if none."""
    f = _INTRO.match(s.text)
    comma = _comma(s.text, f.end()) if f else None
    return -1 if comma is None else s.start + comma


def _inside(span: tuple[int, int], at: int) -> bool:
    return span[0] <= at < span[1]


def _depth(text: str, start: int, at: int) -> int:
    """How many brackets opened from ``start`` are still open at ``at``."""
    depth = 0
    for ch in text[start:at]:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
    return depth


def _comma(text: str, start: int) -> int | None:
    """The first comma from ``start`` outside brackets."""
    return next((k for k in range(start, len(text)) if text[k] == "," and _depth(text, start, k) == 0), None)


def _clause_end(text: str, start: int) -> int:
    """Where a clause that starts at ``start`` ends: at a semicolon, a dash, a coordinated
    clause (", and that") or the sentence's end, outside brackets."""
    return next((m.start() for m in _CLAUSE_END.finditer(text, start) if _depth(text, start, m.start()) == 0),
                len(text))


# -- ties and candidates -----------------------------------------------------------------------------


def _candidates(p: _Sentence, vocab: Vocabulary) -> Iterable[Candidate]:
    for issue, terms in p.issues.items():
        for actor in dict.fromkeys(m.key for m in p.holders):
            mentions, tied = _ties(p, actor, terms)
            if mentions:
                yield candidate(p, actor, issue, mentions, tied, vocab)


def _spoken(p: _Sentence, vocab: Vocabulary, linked: set[str]) -> Iterable[Candidate]:
    """The speaker's links to the issues of the sentence that no actor of it is tied to (see *Who
    speaks*): the actor a first-person word of the sentence stands for, or, where no actor the
    sentence names can hold a stance, whoever speaks there (the author of a statement, the
    speaker of a quotation)."""
    issues = [i for i in p.issues if i not in linked]
    first = [m for m in p.actors if FIRST_PERSON.fullmatch(m.text)]
    if not issues or not (first or (p.speaker and not p.holders)):
        return
    speaker = first[0].key if first else p.speaker
    mentions = [m for m in first if m.key == speaker]
    for issue in issues:
        if mentions:
            yield candidate(p, speaker, issue, mentions, p.issues[issue], vocab, via="speaker")
        else:
            yield _authored(p, speaker, issue, vocab)


def _authored(p: _Sentence, actor: str, issue: str, vocab: Vocabulary) -> Candidate:
    """The author's link to an issue of a sentence that does not name the author: the direction
    is read in the whole sentence, as written; the score is the lowest a tied name would have."""
    s = p.sentence
    terms = p.issues[issue]
    stance, cues = stance_hint(s, (s.start, s.end), vocab.toward_min[issue], vocab.toward_max[issue],
                               set(vocab.terms[issue]), names=_names_of_things(p),
                               near=(vocab.near_terms.get(issue, frozenset()), [(t.start, t.end) for t in terms]))
    hedged = _hedged(s.text)
    score = round((0.4 + 0.15 * (stance != "none")) * (0.8 if hedged else 1.0), 4)
    return Candidate(article=p.article, actor=actor, issue=issue, sentence=s.text, start=s.start, end=s.end,
                     stance=stance, score=score, mention="", terms=tuple(dict.fromkeys(t.key for t in terms)),
                     cues=cues, hedged=hedged, via="speaker")


def one_stance_per_discourse(found: list[Candidate]) -> list[Candidate]:
    """A link whose sentence gives no direction takes the one the article's other links of the same
    actor and issue give, where more of them point one way than the other (``stance_from:
    "article"``); the rest are unchanged.

    An actor keeps its stance on an issue through an article, as a word keeps its sense through a
    discourse (Gale, Church and Yarowsky 1992, "One sense per discourse", Proceedings of the
    DARPA Speech and Natural Language Workshop, pp. 233-237): a readout that says twice that a
    party backs the deal and once only that it discussed it has told the reader which way.
    """
    votes: dict[tuple[str, str, str], list[int]] = {}
    for c in found:
        if c.stance != "none":
            v = votes.setdefault((c.article, c.actor, c.issue), [0, 0])
            v[c.stance == "max"] += 1
    out = []
    for c in found:
        v = votes.get((c.article, c.actor, c.issue))
        if c.stance == "none" and v and v[0] != v[1]:
            c = replace(c, stance="max" if v[1] > v[0] else "min", stance_from="article")
        out.append(c)
    return out


def _ties(p: _Sentence, actor: str, terms: list[Match]) -> tuple[list[Match], list[Match]]:
    """The actor's mentions tied to some of the issue's words, and those words."""
    mentions: list[Match] = []
    tied: list[Match] = []
    for m in p.holders:
        if m.key != actor or _is_object(p.sentence, m, terms, [t for ts in p.issues.values() for t in ts]):
            continue
        these = [t for t in terms if _tied(p, m, t.start, t.end)]
        if these:
            mentions.append(m)
            tied += [t for t in these if t not in tied]
    return mentions, sorted(tied, key=lambda t: t.start)


_NEXT_WORD = re.compile(r"\s+(?:[\w\-]+\s+)?")  # between a party and its noun: at most one word


def _tied(p: _Sentence, m: Match, start: int, end: int) -> bool:
    """May mention ``m`` be tied to the issue's word at ``start:end`` (see the module)?"""
    s = p.sentence
    if _owned_by_another(p, m, start, end):
        return False
    party = _party(p, m)
    if party is not None:
        kind, at = party
        if kind == "after":  # "the Trump-Kim meeting"
            return start >= at and bool(_NEXT_WORD.fullmatch(s.text[at - s.start:start - s.start]))
        gap = s.text[end - s.start:at - s.start]  # "a summit between Kim and Trump"
        return end <= at and (gap == "" or bool(_NEXT_WORD.fullmatch(f" {gap} ")))
    return p.clauses is None or p.clauses.together(m.start, start)


def _owned_by_another(p: _Sentence, m: Match, start: int, end: int) -> bool:
    """Is the word another actor's own role or stance ("it cannot challenge China's role")?"""
    s = p.sentence
    if not _IS_STANCE.match(s.text[start - s.start:end - s.start]):
        return False
    return any(o.key != m.key and _possessive(o) and o.end <= start
               and re.fullmatch(r"\s+(?:[\w\-]+\s+){0,2}", s.text[o.end - s.start:start - s.start])
               for o in p.holders)


_BETWEEN = re.compile(r"\sbetween\s+([^;:!?—–()]{0,60})$")
_PARTY_WORDS = frozenset("the its their his her both and".split())


def _party(p: _Sentence, m: Match) -> tuple[str, int] | None:
    """("after", end) if the mention is one of names joined by hyphens that end at ``end``;
    ("before", at) if it is named after "between" (standing at ``at``) among other parties
    ("between its leader, Kim Jong-un, and Vladimir Putin"); else None."""
    compound = _compound(p, m)
    if compound is not None:
        return "after", compound
    s = p.sentence
    b = _BETWEEN.search(s.text[:m.start - s.start])
    if not b:
        return None
    gap = s.text[b.start(1):m.start - s.start]
    for other in p.actors:  # the parties named before this one
        if s.start + b.start(1) <= other.start and other.end <= m.start:
            gap = gap.replace(other.text, " ")
    words = re.findall(r"[\w\-’'.]+", gap)
    lower = [w for w in words if w.lower() not in _PARTY_WORDS and not w[0].isupper()]
    return ("before", s.start + b.start()) if len(lower) <= 2 else None


def _compound(p: _Sentence, m: Match) -> int | None:
    """If the mention is one of names joined by hyphens ("Trump-Kim"), where the names end."""
    s = p.sentence
    if not (_HYPHEN_AFTER.match(s.text[m.end - s.start:]) or _HYPHEN_BEFORE.search(s.text[:m.start - s.start])):
        return None
    end = m.end
    while _HYPHEN_AFTER.match(s.text[end - s.start:]):
        nxt = next((a for a in p.actors if a.start == end + 1), None)
        end = nxt.end if nxt is not None else end + re.match(r"-[\w.]+", s.text[end - s.start:]).end()
    return end


def candidate(p: _Sentence, actor: str, issue: str, mentions: list[Match], terms: list[Match],
              vocab: Vocabulary, similarity: float | None = None, via: str = "lexicon") -> Candidate:
    """The candidate for one actor and issue in a parsed sentence."""
    s = p.sentence
    # the parties to a compound or after "between" take the direction of their noun as written
    as_written = all(_party(p, m) is not None for m in mentions)
    theirs = _owned_by_others(p, actor)
    owned = (_owned_spans(p, actor) if p.syntax is None else []) + _agent_spans(p, actor)
    near = (vocab.near_terms.get(issue, frozenset()), [(t.start, t.end) for t in p.issues.get(issue, [])])
    stance, cues = "none", ()
    for begin, end in _own_stance(p, actor):  # "the re-imposition of sanctions by the US", as written
        sub = Sentence(begin, end, s.text[begin - s.start:end - s.start])
        stance, cues = stance_hint(sub, (begin, end), vocab.toward_min[issue], vocab.toward_max[issue],
                                   set(vocab.terms[issue]), names=_names_of_things(p), near=near)
        if stance != "none":
            break
    if stance == "none":
        stance, cues = stance_hint(s, _clause(p, actor), vocab.toward_min[issue], vocab.toward_max[issue],
                                   set(vocab.terms[issue]),
                                   lambda at: (any(_tied(p, m, at, at) for m in mentions)
                                               and (not theirs or p.syntax.token(at).i not in theirs)
                                               and not any(a <= at < b for a, b in owned)),
                                   turned=not as_written, names=_names_of_things(p), near=near)
    hedged = _hedged(s.text)
    score = _score(mentions, terms, stance != "none", hedged, similarity)
    return Candidate(
        article=p.article, actor=actor, issue=issue, sentence=s.text, start=s.start, end=s.end,
        stance=stance, score=score, mention=mentions[0].text, terms=tuple(dict.fromkeys(t.key for t in terms)),
        cues=cues, hedged=hedged, similarity=similarity, via=via,
    )


def _owned_by_others(p: _Sentence, actor: str) -> set[int]:
    """With a parse: the tokens whose cues other actors' names own (see :mod:`.syntax`)."""
    if p.syntax is None:
        return set()
    others = [(m.start, m.end) for m in p.holders if m.key != actor]
    mine = [m for m in p.holders if m.key == actor]
    if not others or not mine:
        return set()
    return p.syntax.scope(mine[0].start, mine[0].end, others)[1]


#: words that take up what another actor owns: "agreed to North Korea's demand", "subordination
#: to Beijing's objectives" (see :mod:`.syntax`)
_ADOPT = re.compile(r"\b(?:agree|support|back|endors|accept|welcom|join|follow|echo|shar|embrac|adopt|align|"
                    r"subordinat|defer)[a-z]*\s+(?:(?:to|with|on|of)\s+)?(?:the\s+)?$", re.I)


#: words that take a stand against what another actor owns, whose cues they turn ("we *regret* the US
#: withdrawal": away from withdrawing)
_REACT = re.compile(r"\b(?:regret|deplor|condemn|denounc|oppos|reject|criticis|criticiz|lament|object)[a-z]*\s+"
                    r"(?:(?:to|of)\s+)?(?:the\s+)?$", re.I)


def _owned_spans(p: _Sentence, actor: str) -> list[tuple[int, int]]:
    """Without a parse: the parts of the sentence another actor owns as its stance ("we take note
    of *X's decision to withdraw*": from X's name to the end of its clause), unless the actor's
    verb takes it up ("agreed to X's demand") or the actor's own name stands inside."""
    s = p.sentence
    out = []
    for o in p.holders:
        if o.key == actor or not _possessive(o) or not _OWNS_STANCE.match(s.text[o.end - s.start:]):
            continue
        if _ADOPT.search(s.text[:o.start - s.start]) or _REACT.search(s.text[:o.start - s.start]):
            continue
        end = _stance_end(s, o.end)
        mine = [m.start for m in p.actors if m.key == actor and o.end <= m.start < end]
        if not mine:
            out.append((o.start, end))
        elif _LATER_STANCE.match(s.text[o.end - s.start:mine[0] - s.start]):
            out.append((o.start, mine[0]))  # "Britain's support for the deal ahead of a *US* deadline"
    return out


#: the words between a possessor and a later actor that bears a stance of its own ("'s support for
#: the deal ahead of a" US deadline): the possessor's stance ends there
_LATER_STANCE = re.compile(r"^[^,;:]*\s(?:a|an|the)\s+$", re.I)


#: a stance named by a noun before its agent: "the decision *by the US* to withdraw", "the call of X"
_STANCE_OF = re.compile(rf"\b{_STANCE_NOUN}[a-z]*\s+(?:by|of|from)\s+(?:the\s+)?(?:[A-Z][\w\-]*\s+)?$", re.I)


def _stance_end(s: Sentence, after: int) -> int:
    """Where a stance named after ``after`` (an offset in the article) ends: at the end of its
    clause or the next comma, whichever comes first."""
    end = s.start + _clause_end(s.text, after - s.start)
    comma = _comma(s.text, after - s.start)
    return min(end, s.start + comma) if comma is not None else end


def _own_stance(p: _Sentence, actor: str) -> list[tuple[int, int]]:
    """The actor's own stance named by a noun, as offsets: after the noun ("the *re-imposition of
    sanctions by the United States*"), after its possessive ("*the US's decision to withdraw*") or
    with it as attribute ("*the US withdrawal* from the deal"), to the end of its clause. Its
    direction is the actor's as written: a word of regret or condemnation before it ("we regret
    the re-imposition ...") is the speaker's, not the actor's."""
    s = p.sentence
    out = []
    for m in p.holders:
        if m.key != actor:
            continue
        noun = _STANCE_OF.search(s.text[:m.start - s.start])
        if noun is not None:
            begin = s.start + noun.start()
        elif _ATTRIBUTIVE.match(s.text[m.end - s.start:]) or (
                _possessive(m) and _OWNS_STANCE.match(s.text[m.end - s.start:])):
            begin = m.start
        else:
            continue
        out.append((begin, _stance_end(s, m.end)))
    return out


def _agent_spans(p: _Sentence, actor: str) -> list[tuple[int, int]]:
    """The parts of the sentence that are another actor's stance named by a noun before it ("we
    discussed *the decision by the US to withdraw*": from the noun to the end of its clause) or
    after it as its attribute ("*the US decision to withdraw*"),
    unless the actor's verb takes it up ("welcomed the decision of X to ...") or the actor's own
    name stands inside. The parse reads possessives, not these (see :mod:`.syntax`)."""
    s = p.sentence
    out = []
    for o in p.holders:
        noun = _STANCE_OF.search(s.text[:o.start - s.start])
        if noun is not None:
            begin = s.start + noun.start()
        elif _ATTRIBUTIVE.match(s.text[o.end - s.start:]):  # "the US decision to withdraw"
            begin = o.start
        else:
            continue
        if o.key == actor or _ADOPT.search(s.text[:begin - s.start]) or _REACT.search(s.text[:begin - s.start]):
            continue
        end = _stance_end(s, o.end)
        if not any(begin <= m.start < end for m in p.actors if m.key == actor):
            out.append((begin, end))
    return out


def _clause(p: _Sentence, actor: str) -> tuple[int, int]:
    """The actor's part of the sentence: from its first name to the next actor's, as offsets."""
    first = next(m for m in p.actors if m.key == actor)
    later = [m.start for m in p.actors if m.start > first.start and m.key != actor]
    return first.start, min(later, default=p.sentence.end)


def stance_hint(s: Sentence, clause: tuple[int, int], toward_min: dict[str, list[str]],
                toward_max: dict[str, list[str]], terms: set[str] | frozenset[str] = frozenset(),
                tied: Callable[[int], bool] | None = None, turned: bool = True,
                names: Sequence[tuple[int, int]] = (),
                near: tuple[frozenset[str], Sequence[tuple[int, int]]] = (frozenset(), ())
                ) -> tuple[str, tuple[str, ...]]:
    """Direction of the actor's clause ("min", "max" or "none") and the signed cues read.

    The clause is read first; if it holds no cue, the rest of the sentence the actor is tied to
    is ("Like China, Russia has called on South Korea to downgrade ..." gives China the
    direction of the sentence). A cue among ``terms`` (the issue's own words) counts
    :data:`TERM_CUE_WEIGHT`. ``tied(offset)`` says whether a cue there is in the actor's
    clauses; ``turned=False`` reads the cues as written, without reversal. Within ``names`` (the
    spans of names of things, as offsets: "the *Withdrawal Agreement*") no word reverses a cue.
    ``near`` is a set of cues and the spans of the issue's words in the sentence: those cues count
    only with at most :data:`WINDOW` words between them and one of the issue's words or another cue.
    """
    cues = [c for c in _cues(s, toward_min, toward_max, turned, clause[0], terms, names, near[0])
            if tied is None or tied(c[0])]
    if near[0]:
        cues = _near(s, cues, *near)
    inside = [c for c in cues if clause[0] <= c[0] < clause[1]]
    chosen = inside or cues
    total = sum(sign * (TERM_CUE_WEIGHT if key in terms else 1) for _, sign, key in chosen)
    stance = "max" if total > 0 else "min" if total < 0 else "none"
    return stance, tuple(f"{'+' if sign > 0 else '-'}{key}" for _, sign, key in chosen)


#: phrases in which a cue's word means no direction: "to this end" (a purpose), "at the end of
#: the year" (a time)
_IDIOM = re.compile(r"\b(?:to\s+(?:this|that|these|those)\s+ends?|in\s+the\s+end|(?:at|by|before|until|towards?)\s+"
                    r"the\s+end\s+of|end\s+of\s+(?:the\s+|this\s+|next\s+|last\s+)?(?:year|month|week|day|decade|"
                    r"term|session|century))\b", re.I)
_SCOPE_END = re.compile(r"[,;:()\[\]—–]|\s(?:but|while|whereas|although|though)\s")


def _cues(s: Sentence, toward_min: dict[str, list[str]], toward_max: dict[str, list[str]], turned: bool = True,
          since: int | None = None, terms: set[str] | frozenset[str] = frozenset(),
          names: Sequence[tuple[int, int]] = (), loose: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """The sentence's cues as (offset, sign, entry), each turned by the reversers before it and
    the negations of its clause from ``since`` (unless not ``turned``). Two cues next to each
    other point one way: as the first ("*easing* sanctions", "*tougher* sanctions"), unless the
    first is the issue's own noun (one of ``terms``) and the second acts on it ("the sanctions
    *eased*"), or the first is a word of support of ``loose`` and the second what it supports
    ("*protecting* the *integrity*")."""
    marks = [(m, -1) for m in find_all(s.text, toward_min, s.start)]
    marks += [(m, +1) for m in find_all(s.text, toward_max, s.start)]
    idioms = [(s.start + i.start(), s.start + i.end()) for i in _IDIOM.finditer(s.text)]
    marks = [(m, sign) for m, sign in marks if not any(a <= m.start < b for a, b in idioms)]
    marks.sort(key=lambda x: x[0].start)
    words = tokens(s.text)
    plain = _blank(s.text, [(a - s.start, b - s.start) for a, b in names])  # no reverser inside a name
    out: list[tuple[int, int, str]] = []
    prev_end_token = -10
    prev_sign = 0
    for m, sign in marks:
        first = _token_at(words, m.start - s.start)
        last = _token_at(words, m.end - s.start - 1)
        if not turned:
            pass
        elif first - prev_end_token <= WINDOW and not _turns(words, plain, prev_end_token + 1, first):
            if (out[-1][2] in terms and m.key not in terms) or (out[-1][2] in loose and m.key not in loose):
                # "the sanctions eased" points as "eased"; "protecting the integrity" as "integrity"
                out[-1] = (out[-1][0], sign, out[-1][2])
            else:
                sign = prev_sign  # a cue right after a cue is its object: "easing sanctions" points as "easing"
        else:
            lo = max(prev_end_token + 1, first - WINDOW)
            scope = _scope(s.text, words, first, 0 if since is None else since - s.start)
            if (_turns(words, plain, lo, first, REVERSERS) + _turns(words, plain, scope, first, NEGATIONS)) % 2:
                sign = -sign
        out.append((m.start, sign, m.key))
        prev_end_token, prev_sign = last, sign
    return out


def _near(s: Sentence, cues: list[tuple[int, int, str]], loose: frozenset[str],
          words: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The cues, less those of ``loose`` with no issue's word (at ``words``) nor another cue
    within :data:`WINDOW` words between them."""
    toks = tokens(s.text)
    at = [_token_at(toks, a - s.start) for a, _ in words] + [_token_at(toks, c[0] - s.start)
                                                             for c in cues if c[2] not in loose]
    return [c for c in cues if c[2] not in loose
            or any(abs(k - _token_at(toks, c[0] - s.start)) <= WINDOW + 1 for k in at)]


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with the words in ``spans`` written as ``x`` (the same offsets)."""
    for a, b in spans:
        text = text[:a] + re.sub(r"\w", "x", text[a:b]) + text[b:]
    return text


#: a name of a thing: words in capitals ("the Withdrawal Agreement", "the Northern Ireland Protocol")
_NAME_OF_THING = re.compile(r"[A-Z][\w\-]*(?:\s+(?:of\s+|and\s+|for\s+)?[A-Z][\w\-]*)+")


def _names_of_things(p: _Sentence) -> list[tuple[int, int]]:
    """The issues' words of the sentence that are names of things (see :func:`stance_hint`)."""
    return [(t.start, t.end) for ts in p.issues.values() for t in ts if _NAME_OF_THING.fullmatch(t.text)]


def _scope(text: str, words: Sequence[tuple[int, int]], hi: int, since: int) -> int:
    """The first token of the clause of token ``hi`` in which negations count (from ``since``)."""
    end = words[hi][0] if hi < len(words) else len(text)
    start = max([since, *(m.end() for m in _SCOPE_END.finditer(text, 0, end))])
    return next((k for k, (a, _) in enumerate(words) if a >= start), len(words))


def _token_at(words: Sequence[tuple[int, int]], offset: int) -> int:
    for k, (a, b) in enumerate(words):
        if a <= offset < b or offset < a:
            return k
    return len(words)


def _turns(words: Sequence[tuple[int, int]], text: str, lo: int, hi: int,
           entries: Sequence[str] = REVERSERS + NEGATIONS) -> int:
    """How many of the words ``lo:hi`` are among ``entries`` (reversers and negations)."""
    return sum(_is(text[a:b].lower(), entries) for a, b in words[max(lo, 0):hi])


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
