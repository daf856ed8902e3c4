"""Who speaks where a text says "I" and "we", and names that are part of the name of a thing.

**Speakers.** A first-person word ("I", "we", "our", "us", "my") refers to whoever speaks:

* inside a quotation, to the one the quotation is attributed to: the actor named beside a verb
  of saying next to it (``Juncker said: "We have long been ..."``, ``"...," said Cañete``,
  ``"...," the president said``); "he said" or "she said" is the actor named last before the
  quotation;
* outside quotations, to the author of a statement: the actor named first in the article's
  headline when the headline says what kind of text it is ("PM statement in Downing Street",
  "Statement by the President on ...", "European Council conclusions"; not the parties of a
  hyphenated pair: "the U.S.-China Joint Statement" is what it is about), or, if the headline
  names no actor ("Press Availability"), the first named in the byline under it (short lines
  without a full stop: "Jane Doe / Secretary of State"). A headline that does not say what
  kind of text it is (a news story, an analysis) gives no author, and its "we" stays
  unresolved: the reader and the writer are not parties; unless a byline of two lines or more
  signs the text ("One Year Anniversary of ..." / "John Kerry" / "Secretary of State" /
  "Washington, DC"), or, with neither, one actor opens two sentences or more of its first
  paragraph of prose, more than any other ("Chief Negotiator Michel Barnier warned ...
  President Juncker urged ...": a statement of the European Union).

After the headline, the speaker changes at a transcript's turn, a line that opens with its
speaker in capitals and a colon ("SECRETARY POMPEO: It's truly an honor ..."): to the actor the
label names, or to no one for a label that names none ("QUESTION:", "MODERATOR:": a journalist's
"we" is no party's); and after a heading that says whose statement follows ("STATEMENT BY
SECRETARY POMPEO on ...", a line of its own without a full stop), to the actor it names.

A quotation is a span between typographic quotes, or between straight double quotes paired
within a paragraph; one left open runs to the end of its paragraph, as a quotation continued
in the next paragraph opens again there (the news convention), and a quotation attributed to
no one that follows another in the next paragraph continues it.

**Names inside names.** An alias followed by the head of the name of a document, a body or a
meeting ("the *Paris* Agreement", "the *UN* Framework Convention", "the *Paris* climate
accord", "the *UN* climate conference") names that thing, not the actor: the match is dropped. Hyphenated pairs ("the
US-China agreement") name parties and are kept. So are dropped a month taken for a name
("on *May* 8", "9 *May* 2018") and a name after a compass word ("Northern *Ireland*").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from .text import Match, find_all

_GENRE = re.compile(r"\b(?:statement|remarks|speech|address|press\s+release|press\s+conference|conclusions|"
                    r"declaration|communiqu[ée]|letter|op-ed|testimony|briefing|press\s+availability|interview|readout|"
                    r"transcript)\b", re.I)
_SAYING = (r"(?:said|says|say|added|adds|stated|states|declared|declares|told|tells|noted|notes|warned|warns|"
           r"argued|argues|insisted|insists|explained|explains|wrote|writes|announced|announces|stressed|stresses|"
           r"emphasi[sz]ed|underlined|underlines|revealed|reveals|replied|continued|concluded|recalled|remarked|"
           r"affirmed|asserted|observed|acknowledged)")
_SAYING_RE = re.compile(rf"\b{_SAYING}\b", re.I)
_PRONOUN_SAYS = re.compile(rf"^\W*(?:(?:he|she)\s+{_SAYING}|{_SAYING}\s+(?:he|she))\b", re.I)
FIRST_PERSON = re.compile(r"(?<![\w'’\-])(?:I|[Ww]e|[Oo]ur|[Oo]urs|us|[Mm]y|me|[Oo]urselves)(?![\w\-])")
#: the head of a name of a thing, after an alias: "Paris Agreement", "UN Framework Convention"
_THING = re.compile(r"^(?:\s+[A-Z][\w\-]*){0,2}\s+(?:Agreement|Accords?|Treaty|Protocol|Convention|Declaration|"
                    r"Charter|Consensus|Communiqu[ée]|Olympics|Games|Conference|Summit)\b|^\s+(?:climate\s+)?(?i:agreement|accords?|"
                    r"treaty|protocol|declaration|convention|charter|conference|summit)\b")
_OPEN, _CLOSE = "“", "”"
_DATE = re.compile(r"^(?:January|February|March|April|May|June|July|August|September|October|November|December)$")
_DAY_AFTER = re.compile(r"^\s+\d{1,2}\b")
_DAY_BEFORE = re.compile(r"\b\d{1,2}\s+$")
#: a compass word that makes another place of a name: "Northern Ireland", "West Germany"
_DIRECTION = re.compile(r"(?<![\w\-])(?:Northern|Southern|Eastern|Western|North|South|East|West)\s+$")
_TOPIC = re.compile(r"\b(?:(?:on|about|regarding|concerning|to|with|against|toward|towards|for|from|of)|"
                    r"to\s+[a-z]+)\s+(?:the\s+)?$", re.I)  # "Statement on Iran", "... To Prevent Iran From"


@dataclass(frozen=True)
class Speakers:
    """The quotations of an article with the actor each is attributed to, and the author."""

    author: str | None
    quotes: tuple[tuple[int, int, str | None], ...]  # (start, end, actor or None), in text order
    turns: tuple[tuple[int, str | None], ...] = ()  # (start, actor or None): who speaks from there on

    def at(self, offset: int) -> str | None:
        """The actor a first-person word at ``offset`` refers to, or None."""
        k = bisect_right([q[0] for q in self.quotes], offset) - 1
        if k >= 0 and self.quotes[k][0] <= offset < self.quotes[k][1]:
            return self.quotes[k][2]
        k = bisect_right([turn[0] for turn in self.turns], offset) - 1
        return self.turns[k][1] if k >= 0 else self.author


def named_things(text: str, names: list[Match], offset: int = 0) -> list[Match]:
    """The names that are not part of the name of a thing (see the module).

    >>> from accord.evidence.text import Match
    >>> t = "France signed the Paris Agreement in Paris."
    >>> [m.text for m in named_things(t, [Match(0, 6, "FRA", "France"), Match(18, 23, "FRA", "Paris"),
    ...                                   Match(37, 42, "FRA", "Paris")])]
    ['France', 'Paris']
    """
    keep = []
    for m in names:
        after = text[m.end - offset:m.end - offset + 60]
        before = text[max(m.start - offset - 20, 0):m.start - offset]
        if _DATE.match(m.text) and (_DAY_AFTER.match(after) or _DAY_BEFORE.search(before)):
            continue  # "on May 8", "9 May 2018": a month, not Theresa May
        if _DIRECTION.search(before):
            continue  # "Northern Ireland", "East Germany": another place
        if after.startswith("-") or text[max(m.start - offset - 1, 0):m.start - offset] == "-":
            keep.append(m)  # a party to a hyphenated pair
        elif not _THING.match(after):
            keep.append(m)
    return keep


def speakers(text: str, patterns: dict[str, list[str]]) -> Speakers:
    """Quotations and their speakers, and the author of the article (see the module)."""
    names = named_things(text, find_all(text, patterns))
    spans = _quotations(text)
    inside = [False] * len(names)
    for k, m in enumerate(names):
        inside[k] = any(a <= m.start < b for a, b in spans)
    outside = [m for m, i in zip(names, inside) if not i]
    quotes: list[tuple[int, int, str | None]] = []
    for a, b in spans:
        who = _attributed(text, a, b, outside)
        if who is None and quotes and quotes[-1][2] and text.count("\n", quotes[-1][1], a) <= 2:
            who = quotes[-1][2]  # a quotation continued in the next paragraph, unattributed
        quotes.append((a, b, who))
    return Speakers(_author(text, outside), tuple(quotes), _turns(text, patterns))


#: a transcript's turn: a line that opens with its speaker in capitals and a colon ("SECRETARY
#: POMPEO: It's truly an honor", "QUESTION: ..."); or a heading that says whose statement follows
#: ("STATEMENT BY SECRETARY POMPEO on ...", a line of its own with no full stop)
_TURN = re.compile(r"^([A-Z][A-Z.'’\- ]{1,60}[A-Z.]):\s")
_SECTION = re.compile(rf"^{_GENRE.pattern}\s+(?:by|of|from)\s+(.{{1,80}}?)(?:\s+(?:on|about|at|in|regarding)\s.*)?$",
                      re.I)


def _turns(text: str, patterns: dict[str, list[str]]) -> tuple[tuple[int, str | None], ...]:
    """Where the speaker changes after the headline (see the module): at a transcript's turn, to
    the actor its label names (None for one who is no actor: "QUESTION:", "MODERATOR:"); after a
    heading of a statement, to the actor it names."""
    out: list[tuple[int, str | None]] = []
    pos = text.find("\n") + 1 if "\n" in text else len(text)
    for line in text[pos:].split("\n"):
        turn = _TURN.match(line)
        section = _SECTION.match(line.strip()) if not line.rstrip().endswith(".") else None
        label = turn.group(1) if turn else section.group(1) if section else None
        if label is not None:
            named = find_all(label.title(), patterns)
            who = named[0].key if named else None
            if turn or who is not None:
                out.append((pos if turn else pos + len(line) + 1, who))
        pos += len(line) + 1
    return tuple(out)


def _author(text: str, names: list[Match]) -> str | None:
    line_end = text.find("\n")
    headline = text if line_end < 0 else text[:line_end]
    end, lines = _byline(text, len(headline))  # "Press Availability" / "Jane Doe" / "Secretary of State"
    signed = next((m for m in names if len(headline) <= m.start < end), None)
    if not _GENRE.search(headline):
        # a byline of two lines or more (a name and a title, a place or a date) signs a statement
        # whatever its headline says ("One Year Anniversary of ..." / "John Kerry" / "Washington, DC")
        if signed is not None and lines >= 2:
            return signed.key
        return _lead_subject(text, names)
    first = next((m for m in names if m.start < len(headline) and not _TOPIC.search(headline[:m.start])
                  and not _paired(text, m)), None)  # "Statement on Iran", "the US-China statement": topics
    if first is None and not any(m.start < len(headline) and not _paired(text, m) for m in names):
        first = signed
    return first.key if first else None


def _lead_subject(text: str, names: list[Match]) -> str | None:
    """The actor that opens two sentences or more of the first paragraph of prose, and more than
    any other ("Chief Negotiator Michel Barnier warned ... President Juncker urged ..."): whose
    statement a text without headline or byline is; None if no actor stands out."""
    start = 0
    for paragraph in text.split("\n"):
        if paragraph.rstrip().endswith((".", "!", "?", '"', "”")):
            break
        start += len(paragraph) + 1
    else:
        return None
    counts: dict[str, int] = {}
    for s in re.finditer(r"[^.!?]+[.!?]?", paragraph):
        opening = next((m for m in names if start + s.start() <= m.start < start + s.end()), None)
        if opening is not None and re.fullmatch(r"\W*(?:[A-Z][\w\-.]*\s+){0,4}(?:the\s+)?",
                                                text[start + s.start():opening.start]):
            counts[opening.key] = counts.get(opening.key, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]


def _paired(text: str, m: Match) -> bool:
    """Is the name one of a hyphenated pair ("the U.S.-China statement"): a party to what the
    phrase names, not who writes?"""
    return text[m.end:m.end + 1] == "-" or text[max(m.start - 1, 0):m.start] == "-"


def _byline(text: str, start: int) -> tuple[int, int]:
    """Where the byline under a headline ends, and its number of lines: its short lines without
    a full stop (at most four, blank lines between them skipped), up to the first line of prose."""
    pos, lines = start, 0
    for line in text[start:].split("\n"):
        if line.strip():
            if lines == 4 or len(line.split()) > 8 or line.rstrip().endswith((".", ":", "?", "!")):
                break
            lines += 1
        pos += len(line) + 1
    return pos, lines


def _quotations(text: str) -> list[tuple[int, int]]:
    """Spans of quoted text (see the module), in text order."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        open_at: int | None = None
        for k, ch in enumerate(line):
            if ch == _OPEN or (ch == '"' and open_at is None):
                open_at = pos + k
            elif (ch == _CLOSE or ch == '"') and open_at is not None:
                out.append((open_at, pos + k + 1))
                open_at = None
        if open_at is not None:
            out.append((open_at, pos + len(line)))
        pos += len(line) + 1
    return out


def _attributed(text: str, start: int, end: int, names: list[Match]) -> str | None:
    """The actor a quotation is attributed to: named beside a verb of saying just after it (to
    the end of its sentence) or just before it (from the start of its sentence), else the actor
    named last before it when "he said" or "she said" attributes it."""
    after = re.split(r"(?<=[.!?])\s|\n|[“\"]", text[end:end + 160], maxsplit=1)[0]
    if _SAYING_RE.search(after):
        who = [m for m in names if end <= m.start < end + len(after)]
        if who:
            return who[0].key
        if _PRONOUN_SAYS.match(after):
            return _last_before(names, start)
    line_start = text.rfind("\n", 0, start) + 1
    before_from = max(line_start, start - 160)
    before = text[before_from:start]
    cut = max((m.end() for m in re.finditer(r"[.!?][\"”']?\s", before)), default=0)
    before_from, before = before_from + cut, before[cut:]
    if _SAYING_RE.search(before) or before.rstrip().endswith(":"):
        who = [m for m in names if before_from <= m.start < start]
        if who:
            return who[-1].key
    return None


def _last_before(names: list[Match], at: int) -> str | None:
    before = [m for m in names if m.end <= at]
    return before[-1].key if before else None


#: an office after the name of a state: "US *Secretary of State* Rex Tillerson", "Iranian *Vice
#: President* Dr Ali Akhbar Salehi", "EU *Commissioner* calls for"
_OFFICE = (r"(?:(?:Vice|Deputy|Prime|Foreign|Defen[cs]e|Finance|Trade|Chief|First|High|Special)[\s\-]+)*"
           r"(?:President|Minister|Secretary|Chancellor|Commissioner|Chairman|Chairwoman|Negotiator|Ambassador|"
           r"Envoy|Representative|Spokes(?:man|woman|person)|Premier)")
_INTRODUCED = re.compile(rf"^\s+({_OFFICE}(?:\s+of\s+State)?)(?:\s+for\s+[A-Z][\w\-]*(?:\s+(?:and\s+)?[A-Z][\w\-]*)*)?"
                         r"(?:\s+(?:Dr|Mr|Ms|Mrs|Prof)\.?)?((?:\s+[A-Z][\w’'\-]+){1,4})?")


_OFFICE_BEFORE = re.compile(rf"(?<![\w\-])({_OFFICE})\s+$")
#: offices that a text names for its own people ("the President" of a statement by a president),
#: whoever else holds one
_OWN_OFFICES = frozenset({"the president", "the minister", "the secretary"})


def introduced_names(text: str, names: list[Match], aliases: dict[str, list[str]]) -> dict[str, list[str]]:
    """The names an article gives an actor's people: an office written after the state's name
    ("EU Commissioner" ... "*the Commissioner* called for"; "US Secretary of State Rex Tillerson"
    ... "*the Secretary of State*") and the surname of the person who holds it ("Iranian Vice
    President Dr Ali Akhbar Salehi" ... "*Salehi*"; not the "Jae-in" of "Moon Jae-in"), as patterns per
    actor. An office or a
    surname given to two actors, or that is already another actor's name, names neither. So does
    an office written before the name of an actor's person ("*Secretary* Pompeo" ... "*the
    Secretary* underscored").

    >>> from accord.evidence.text import Match
    >>> t = "US Secretary of State Rex Tillerson spoke. The Secretary of State and Tillerson left."
    >>> sorted(introduced_names(t, [Match(0, 2, "USA", "US")], {"USA": ["US"]})["USA"])
    ['Rex Tillerson', 'Tillerson', 'the Secretary of State']
    """
    taken = {n.lower() for ns in aliases.values() for n in ns}
    by_name: dict[str, set[str]] = {}
    held: set[str] = set()  # offices written before a person's name: "*Secretary* Pompeo" ... "the Secretary"
    for m in names:
        before = _OFFICE_BEFORE.search(text[max(m.start - 60, 0):m.start])
        if before is not None and m.text[:1].isupper():
            office = "the " + re.sub(r"[\s\-]+", " ", before.group(1))
            by_name.setdefault(office, set()).add(m.key)
            held.add(office)
    for m in names:
        if m.text.endswith(("'s", "’s")):
            continue
        i = _INTRODUCED.match(text[m.end:m.end + 160])
        if i is None:
            continue
        found = ["the " + re.sub(r"[\s\-]+", " ", i.group(1))]
        person = (i.group(2) or "").split()
        if person:  # a given name of two syllables ("Moon Jae-in") comes after the surname: no surname then
            found += [" ".join(person)] + ([person[-1]] if not re.search(r"-[a-z]", person[-1]) else [])
        for n in found:
            by_name.setdefault(n, set()).add(m.key)
    out: dict[str, list[str]] = {}
    for n, keys in sorted(by_name.items()):
        if len(keys) == 1 and n.lower() not in taken and (n in held or n.lower() not in _OWN_OFFICES):
            out.setdefault(next(iter(keys)), []).append(n)
    return out
