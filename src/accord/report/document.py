"""A small document model, written once (:mod:`.sections`) and rendered as HTML or Markdown.

Text is a tuple of parts: plain strings and :class:`Span` (emphasis, a quote, a link, a
tag, ...). A cell of a table is a text, or :class:`Lines` of texts one under another.
Figures are drawn only when a writer renders them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Union

from matplotlib.figure import Figure as MplFigure

from ..scenario import is_web_address


@dataclass(frozen=True)
class Span:
    kind: str  # em, strong, code, quote, muted, tag, link, target
    text: str
    href: str | None = None


Text = tuple[Union[str, Span], ...]


def text(*parts: str | Span | Text) -> Text:
    """A text from strings, spans and texts (flattened); empty strings dropped."""
    out: list[str | Span] = []
    for p in parts:
        out.extend(p if isinstance(p, tuple) else (p,))
    return tuple(p for p in out if p != "")


def joined(texts: list[Text], sep: str) -> Text:
    """Texts one after another, ``sep`` between them."""
    return text(*(part for k, t in enumerate(texts) for part in ((sep,) if k else ()) + t))


def prose(s: str) -> Text:
    """A sentence of the report's own, its `backquoted` parts as code (never used on a scenario's words)."""
    return text(*(code(part) if k % 2 else part for k, part in enumerate(s.split("`"))))


def em(s: str) -> Span:
    return Span("em", s)


def strong(s: str) -> Span:
    return Span("strong", s)


def code(s: str) -> Span:
    return Span("code", s)


def quote(s: str) -> Span:
    return Span("quote", s)


def muted(s: str) -> Span:
    return Span("muted", s)


def tag(s: str) -> Span:
    return Span("tag", s)


def link(s: str, href: str) -> Span:
    """A link; written as one only when :func:`followable`, else as its text."""
    return Span("link", s, href)


def followable(href: str | None) -> bool:
    """Whether a link may be written as one: a place in the document (``#...``) or a web address.
    A scenario's address with any other scheme (``javascript:``, ``data:``, ``file:``) would run or
    open something in the reader's browser: it is shown as text."""
    return bool(href) and (href.startswith("#") or is_web_address(href))


def target(anchor: str) -> Span:
    """A place links can point to (``#anchor``)."""
    return Span("target", "", anchor)


@dataclass(frozen=True)
class Lines:
    """Texts shown one under another in a table cell."""

    items: tuple[Text, ...]


Cell = Union[Text, Lines]


@dataclass
class Para:
    body: Text
    kind: str = ""  # "note": a one-line remark (a section that could not be produced, a caveat)


@dataclass
class Items:
    items: list[Text]
    kind: str = ""  # "small": long explanations in a smaller type


@dataclass
class Facts:
    """Labelled values: the run's identity."""

    rows: list[tuple[str, Text]]


@dataclass
class Heading:
    title: str
    anchor: str


@dataclass
class Table:
    header: list[str]
    rows: list[list[Cell]]
    align: str = ""  # one letter per column: l, r (numbers, right) or n (numbers, left); default l
    caption: Text = ()
    kind: str = ""  # "wide": evidence tables; "compact": numeric tables; "bottom": the bottom line


@dataclass
class Figure:
    name: str  # file stem and SVG id salt: unique in the document
    draw: Callable[[], MplFigure]
    caption: Text
    alt: str


Block = Union[Para, Items, Facts, Heading, Table, Figure]


@dataclass
class Section:
    anchor: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    """The report: a title and a one-line ``scope``; the first section (the bottom line) comes
    before the ``lead`` (the scenario's description) and the contents, the others after."""

    title: str
    lead: Text
    sections: list[Section]
    scope: Text = ()
