"""Sentences and phrases in news text, with character offsets into the article.

The segmenter is a page of rules rather than a library: spaCy's rule-based sentencizer needs a
200 MB install, and pysbd has not been released since 2021. The rules are the ones news text
needs:

* a line that ends without a full stop (a headline, a byline, a caption credit) is a sentence
  of its own, and so is every paragraph's last sentence: no sentence spans a line break
  followed by a blank line or by a line that starts a new paragraph;
* a sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes or brackets after it) that
  is followed by space and then a capital, a digit or an opening quote or bracket;
* but not after an abbreviation (``Mr.``, ``Sept.``, ``Gen.``), an initial (``Fyodor A.
  Lukyanov``) or a dotted acronym (``U.S.``, ``U.N.``).

Offsets are into the article exactly as read (after decoding, before any normalisation), so
that ``article[start:end]`` is the sentence and a quote can be checked against it verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: Words that end with a full stop inside a sentence (compared without the stop, lower case).
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof gen lt col maj capt cmdr adm sgt sen rep gov pres amb st jr sr rev hon
jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
vs etc al e.g i.e cf approx no nos vol pp fig ed eds co corp inc ltd dept univ est ca art
""".split())

_BREAK = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
_STARTS = re.compile(r"\s+[\"'“‘(\[]?[A-Z0-9]")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]?$")  # U.S, U.N, e.g


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: its text and where it lies (``article[start:end] == text``)."""

    start: int
    end: int
    text: str


def sentences(article: str) -> list[Sentence]:
    """The article's sentences in order, each with its character offsets."""
    out: list[Sentence] = []
    for start, end in _lines(article):
        for s, e in _split_line(article, start, end):
            s, e = _strip(article, s, e)
            if e > s:
                out.append(Sentence(s, e, article[s:e]))
    return out


def _lines(article: str) -> Iterator[tuple[int, int]]:
    # Plain-text articles put each paragraph, headline or caption on its own line.
    pos = 0
    for line in article.splitlines(keepends=True):
        yield pos, pos + len(line)
        pos += len(line)


def _split_line(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    s = start
    for m in _BREAK.finditer(text, start, end):
        if not _STARTS.match(text, m.end(), end) or _abbreviation(text, m.start(), s):
            continue
        yield s, m.end()
        s = m.end()
    yield s, end


def _abbreviation(text: str, stop: int, start: int) -> bool:
    """Does the full stop at ``stop`` end an abbreviation, an initial or a dotted acronym?"""
    if text[stop] != ".":
        return False
    m = _WORD_BEFORE.search(text, start, stop)
    if not m:
        return False
    word = m.group(1)
    if _ACRONYM.match(word):  # U.S. (the final stop excluded) or an initial: A.
        return True
    if len(word) == 1 and word.isupper():
        return True
    return word.lower().rstrip(".") in ABBREVIATIONS


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


# -- phrases ----------------------------------------------------------------------------------

_APOSTROPHES = "'’"


#: A name may follow a hyphen when it joins two names ("the Trump-Kim meeting", "U.S.-North
#: Korea talks"), not when it follows a lower-case prefix ("anti-American", "pro-Russian").
_AFTER_PREFIX = "".join(rf"(?<!\b[a-z]{{{n}}}-)" for n in range(1, 7))


def phrase_pattern(phrase: str, case_sensitive: bool) -> str:
    """A regular expression for a lexicon phrase or an alias.

    Words match on word boundaries; a word ending in ``*`` matches any word it begins; words of
    a phrase may be separated by spaces or hyphens ("step-by-step" matches "step by step"); a
    possessive (``'s``, ``’s``, ``'``) may follow; a name (``case_sensitive``) may also follow a
    hyphen that joins it to another name; a straight and a typographic apostrophe are
    the same letter ("People's" matches "People’s"). Letter case is ignored unless asked for,
    and then only in words written in lower case.
    """
    words = re.split(r"[\s\-]+", phrase.strip())
    parts = []
    for w in words:
        part = re.escape(w[:-1]) + r"[\w\-]*" if w.endswith("*") else re.escape(w)
        part = re.sub("[" + _APOSTROPHES + "]", f"[{_APOSTROPHES}]", part)
        # in a name, only the capitalised words are case-sensitive: "the Kremlin" matches "The Kremlin"
        parts.append(f"(?i:{part})" if case_sensitive and w.islower() else part)
    body = r"[\s\-]+".join(parts)
    flags = "" if case_sensitive else "(?i:"
    core = f"{flags}{body})" if flags else body
    start = rf"(?<!\w){_AFTER_PREFIX}" if case_sensitive else r"(?<![\w\-])"
    return rf"{start}{core}(?:[{_APOSTROPHES}]s?)?(?![\w])"


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    key: str  # what matched: an actor id, or a lexicon entry
    text: str


def find_all(text: str, patterns: dict[str, list[str]], offset: int = 0) -> list[Match]:
    """Every match of the keyed patterns, leftmost-longest, without overlaps.

    ``patterns`` maps a key (an actor id, say) to its regular expressions. Where matches
    overlap, the longest wins ("North Korea" over "Korea"); the result is in text order.
    """
    found: list[Match] = []
    for key, pats in patterns.items():
        for pat in pats:
            for m in re.finditer(pat, text):
                found.append(Match(m.start() + offset, m.end() + offset, key, m.group(0)))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for m in sorted(found, key=lambda m: -(m.end - m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")


def tokens(text: str) -> list[tuple[int, int]]:
    """Word spans of a text (hyphenated and apostrophised words are one token)."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
