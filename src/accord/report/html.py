"""The report as one self-contained HTML page: inline CSS, inline SVG figures, nothing fetched."""

from __future__ import annotations

import re
from html import escape
from importlib.resources import files
from itertools import count

from .build import Report
from .document import (Block, Cell, Document, Facts, Figure, Heading, Items, Lines, Para, Section, Span, Table, Text,
                       followable)
from .figures import svg
from .sections import compose

TAGS = {"em": "em", "strong": "strong", "code": "code", "quote": "q"}


def render_html(report: Report) -> str:
    """The whole report as an HTML document (a string)."""
    return page(compose(report))


def page(doc: Document) -> str:
    css = files("accord.report").joinpath("style.css").read_text(encoding="utf-8")
    numbers = count(1)
    first, *rest = [section(k, s, numbers) for k, s in enumerate(doc.sections, 1)]
    about = f'<p class="lead">{inline(doc.lead)}</p>' if doc.lead else ""
    body = "\n".join([header(doc), first, about, toc(doc), *rest])
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="accord report">\n'
            f"<title>{escape(doc.title)}: accord report</title>\n<style>\n{css}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n<footer>Made by accord report. Every number above comes from the scenario file and the "
            f"models named in the header; the figures are drawn with matplotlib.</footer>\n</main>\n</body>\n</html>\n")


def header(doc: Document) -> str:
    scope = f'<p class="scope">{inline(doc.scope)}</p>\n' if doc.scope else ""
    return f'<header>\n<p class="kicker">accord report</p>\n<h1>{escape(doc.title)}</h1>\n{scope}</header>'


def toc(doc: Document) -> str:
    items = "\n".join(f'<li><a href="#{s.anchor}">{escape(s.title)}</a></li>' for s in doc.sections)
    return f'<nav class="toc" aria-label="Contents">\n<h2>Contents</h2>\n<ol>\n{items}\n</ol>\n</nav>'


def section(k: int, s: Section, numbers) -> str:
    blocks = "\n".join(block(b, numbers) for b in s.blocks)
    return (f'<section id="{s.anchor}">\n<h2><span class="num">{k}</span>{escape(s.title)}</h2>\n'
            f"{blocks}\n</section>")


def block(b: Block, numbers) -> str:
    if isinstance(b, Para):
        return f"<p{_class(b.kind)}>{inline(b.body)}</p>"
    if isinstance(b, Facts):
        rows = "\n".join(f"<dt>{escape(k)}</dt><dd>{inline(v)}</dd>" for k, v in b.rows)
        return f'<dl class="facts">\n{rows}\n</dl>'
    if isinstance(b, Heading):
        return f'<h3 id="{escape(b.anchor)}">{escape(b.title)}</h3>'
    if isinstance(b, Items):
        items = "\n".join(f"<li>{inline(t)}</li>" for t in b.items)
        return f"<ul{_class(('items ' + b.kind).strip())}>\n{items}\n</ul>"
    if isinstance(b, Table):
        return table(b)
    if isinstance(b, Figure):
        return figure(b, next(numbers))
    raise TypeError(f"unknown block {b!r}")


def table(t: Table) -> str:
    align = t.align.ljust(len(t.header), "l")
    head = "".join(f'<th{_right(a)} scope="col">{escape(h)}</th>' for h, a in zip(t.header, align))
    rows = "\n".join("<tr>" + "".join(f"<td{_right(a)}>{cell(c)}</td>" for c, a in zip(row, align)) + "</tr>"
                     for row in t.rows)
    caption = f"<caption>{inline(t.caption)}</caption>" if t.caption else ""
    wrap = "table-wrap bottom" if t.kind == "bottom" else "table-wrap"  # the bottom line's may pass the column
    return (f'<div class="{wrap}"><table{_class(t.kind)}>{caption}\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{rows}\n</tbody></table></div>")


def _right(a: str) -> str:
    """A column's class: numbers (``r``, ``n``) never wrap (the ``num`` class), ``r`` right-aligned."""
    return _class({"r": "r num", "n": "num"}.get(a, ""))


def _class(name: str) -> str:
    return f' class="{name}"' if name else ""


def cell(c: Cell) -> str:
    if isinstance(c, Lines):
        return "".join(f'<div class="line">{inline(t)}</div>' for t in c.items)
    return inline(c)


def figure(f: Figure, number: int) -> str:
    image = svg(f.draw(), f.name).replace("<svg ", f'<svg role="img" aria-label="{escape(f.alt)}" ', 1)
    return (f'<figure id="fig-{f.name}">\n<div class="plot">\n{image}</div>\n<figcaption><span class="fignum">'
            f"Figure {number}.</span> {inline(f.caption)}</figcaption>\n</figure>")


#: A number and its interval, "44.7 [5.8, 83.6]": the spaces inside never break a line.
_INTERVAL = re.compile(r"(\d) \[(-?[\d.]+), (-?[\d.]+)\]")


def inline(t: Text) -> str:
    return _INTERVAL.sub("\\1&nbsp;[\\2,&nbsp;\\3]", "".join(span(p) for p in t))


def span(p: str | Span) -> str:
    if isinstance(p, str):
        return escape(p)
    body = escape(p.text)
    if p.kind in TAGS:
        return f"<{TAGS[p.kind]}>{body}</{TAGS[p.kind]}>"
    if p.kind in ("muted", "tag"):
        return f'<span class="{p.kind}">{body}</span>'
    if p.kind == "target":
        return f'<span id="{escape(p.href or "")}"></span>'
    if p.kind == "link":
        if not followable(p.href):
            return body
        href = p.href or ""
        rel = "" if href.startswith("#") else ' rel="noreferrer"'
        return f'<a href="{escape(href)}"{rel}>{body}</a>'
    raise ValueError(f"unknown span kind {p.kind!r}")
