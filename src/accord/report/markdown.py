"""The report as Markdown (GitHub-flavoured), its figures as image files in a folder beside it."""

from __future__ import annotations

import re
from html import escape
from itertools import count
from pathlib import Path
from urllib.parse import quote

from ..io import atomic_write
from .build import Report
from .document import (Block, Cell, Document, Facts, Figure, Heading, Items, Lines, Para, Section, Span, Table, Text,
                       followable)
from .figures import png, svg
from .sections import compose

IMAGE_FORMATS = ("svg", "png")
_SPECIAL = re.compile(r"([\\`*\[\]<>|$])")  # $: many renderers (GitHub, Pandoc) read $...$ as TeX
_URL_SAFE = "/:?#[]@!$&'*+,;=%~"  # an address's own characters, less those that end a Markdown link


def write_markdown(report: Report, path: str | Path, image_format: str = "svg") -> list[Path]:
    """Write the report to ``path`` (.md) and its figures to ``<stem>_files/`` beside it; the files written.

    The Markdown refers to each figure by a path relative to itself, so the two move together.
    """
    if image_format not in IMAGE_FORMATS:
        raise ValueError(f"image_format {image_format!r}: choose {' or '.join(IMAGE_FORMATS)}")
    path = Path(path)
    folder = path.with_name(f"{path.stem}_files")
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(f: Figure) -> str:
        target = folder / f"{f.name}.{image_format}"
        fig = f.draw()
        atomic_write(target, svg(fig, f.name).encode("utf-8") if image_format == "svg" else png(fig))
        written.append(target)
        return f"{folder.name}/{target.name}"

    atomic_write(path, markdown(compose(report), save).encode("utf-8"))
    return [path, *written]


def markdown(doc: Document, save) -> str:
    numbers = count(1)
    out = [f"# {esc(doc.title)}", ""]
    if doc.scope:
        out += [f"*{inline(doc.scope)}*", ""]
    parts = [section(k, s, save, numbers) for k, s in enumerate(doc.sections, 1)]
    out += parts[0] if parts else []
    if doc.lead:
        out += [inline(doc.lead), ""]
    out += ["## Contents", ""]
    out += [f"{k}. [{esc(s.title)}](#{s.anchor})" for k, s in enumerate(doc.sections, 1)] + [""]
    for part in parts[1:]:
        out += part
    return "\n".join(out).rstrip() + "\n"


def section(k: int, s: Section, save, numbers) -> list[str]:
    lines = [f'<a id="{s.anchor}"></a>', "", f"## {k}. {esc(s.title)}", ""]
    for b in s.blocks:
        lines += block(b, save, numbers) + [""]
    return lines


def block(b: Block, save, numbers) -> list[str]:
    if isinstance(b, Para):
        return [("> " if b.kind == "note" else "") + inline(b.body)]
    if isinstance(b, Facts):
        return ["| | |", "|---|---|", *(f"| {esc(k)} | {inline(v)} |" for k, v in b.rows)]
    if isinstance(b, Heading):
        return [f'<a id="{b.anchor}"></a>', "", f"### {esc(b.title)}"]
    if isinstance(b, Items):
        return [f"- {inline(t)}" for t in b.items]
    if isinstance(b, Table):
        return table(b)
    if isinstance(b, Figure):
        ref = save(b)
        return [f"![{esc(b.alt)}]({ref})", "", f"*Figure {next(numbers)}.* {inline(b.caption)}"]
    raise TypeError(f"unknown block {b!r}")


def table(t: Table) -> list[str]:
    align = t.align.ljust(len(t.header), "l")
    rows = [f"| {' | '.join(esc(h) or ' ' for h in t.header)} |",
            "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    rows += [f"| {' | '.join(cell(c) for c in row)} |" for row in t.rows]
    return rows + (["", emphasis(inline(t.caption), "*")] if t.caption else [])


def cell(c: Cell) -> str:
    if isinstance(c, Lines):
        return "<br>".join(inline(t) for t in c.items)
    return inline(c)


def inline(t: Text) -> str:
    return "".join(span(p) for p in t)


def span(p: str | Span) -> str:
    if isinstance(p, str):
        return esc(p)
    body = esc(p.text)
    if p.kind == "muted":  # secondary text: plain in Markdown
        return body
    if p.kind == "em":
        return emphasis(body, "*")
    if p.kind in ("strong", "tag"):
        return emphasis(body, "**")
    if p.kind == "code":
        return f"`{p.text.replace('`', '')}`"
    if p.kind == "quote":
        return f"“{body}”"
    if p.kind == "link":
        # parentheses and spaces escaped: an address cannot close the link and start another
        return f"[{body}]({quote(p.href or '', safe=_URL_SAFE)})" if followable(p.href) else body
    if p.kind == "target":
        return f'<a id="{escape(p.href or "")}"></a>'
    raise ValueError(f"unknown span kind {p.kind!r}")


def emphasis(body: str, mark: str) -> str:
    """``*text*`` with the spaces around the text kept outside the marks (Markdown needs them there)."""
    core = body.strip()
    if not core:
        return body
    return (" " if body[0] == " " else "") + f"{mark}{core}{mark}" + (" " if body[-1] == " " else "")


def esc(s: str) -> str:
    """Markdown's special characters taken literally; one line (table cells cannot break), spaces at the ends kept."""
    words = " ".join(s.split())
    if s and s[0].isspace():
        words = " " + words
    if words.strip() and s[-1].isspace():
        words += " "
    return _SPECIAL.sub(r"\\\1", words)
