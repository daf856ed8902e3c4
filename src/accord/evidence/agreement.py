"""Two readers' labels of the same articles: how far they agree, where they differ, and the gold
labels a third reader's decisions make of them.

Gold labels are made as annotation studies make them (Artstein and Poesio 2008, "Inter-coder
agreement for computational linguistics", Computational Linguistics 34(4)): two readers label the
articles independently by one written guideline, their agreement is measured, and a third reader
settles every disagreement by the guideline. A *link* is (article, sentence, actor, issue); the
sentence is the one that holds the start of the reader's quote, so two readers who quote different
parts of one sentence give the same link.

Agreement on links is the pairwise F1 of the two readers, 2|A and B| / (|A| + |B|): with no
fixed set of items to classify, chance agreement and so Cohen's kappa are undefined, and F1 is the
measure used instead (Hripcsak and Rothschild 2005, "Agreement, the F-measure, and reliability in
information retrieval", JAMIA 12(3)). On the links both give, the stance (min, max, none) is a
classification, and its agreement is also given as Cohen's kappa (Cohen 1960, "A coefficient of
agreement for nominal scales", Educational and Psychological Measurement 20(1), eq. 1).

Gold = the links both readers give with one stance, and the disputed links the third reader keeps,
with the stance decided. A link both readers give is *sure* unless both mark it borderline (each
reader's doubt is outweighed by the other's finding it); a kept disputed link is borderline unless
the third reader says otherwise.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .evaluate import STANCES, Label
from .text import sentences

Key = tuple[str, int, str, str]  # article, sentence start, actor, issue


@dataclass(frozen=True)
class Decision:
    """The third reader's ruling on one disputed link."""

    link: bool
    stance: str = "none"
    borderline: bool = True
    reason: str = ""


def links(labels: list[Label], articles: dict[str, str]) -> dict[Key, Label]:
    """Each label under its link (article, sentence start, actor, issue); a link a reader gives
    twice in one sentence counts once."""
    starts = {name: [s.start for s in sentences(text)] for name, text in articles.items()}
    out: dict[Key, Label] = {}
    for lab in labels:
        sentence = max((s for s in starts[lab.article] if s <= lab.start), default=0)
        out.setdefault((lab.article, sentence, lab.actor, lab.issue), lab)
    return out


def agreement(first: list[Label], second: list[Label], articles: dict[str, str]) -> dict[str, Any]:
    """How far two readers' labels of the same articles agree (see the module)."""
    a, b = links(first, articles), links(second, articles)
    both = sorted(a.keys() & b.keys())
    same = sum(a[k].stance == b[k].stance for k in both)
    sure_a = [k for k in a if not a[k].borderline]
    sure_b = [k for k in b if not b[k].borderline]
    return {
        "first": len(a), "second": len(b), "both": len(both),
        "f1": _ratio(2 * len(both), len(a) + len(b)),
        "second_precision": _ratio(len(both), len(b)),  # of the second's links, the share the first gives
        "second_recall": _ratio(len(both), len(a)),  # of the first's links, the share the second gives
        "sure_first_found": _ratio(sum(k in b for k in sure_a), len(sure_a)),
        "sure_second_found": _ratio(sum(k in a for k in sure_b), len(sure_b)),
        "stance_agreement": _ratio(same, len(both)),
        "stance_kappa": cohen_kappa([a[k].stance for k in both], [b[k].stance for k in both]),
    }


def cohen_kappa(x: list[str], y: list[str]) -> float | None:
    """Cohen's kappa of two raters' categories of the same items: (p_o - p_e) / (1 - p_e), the
    observed agreement beyond that expected from each rater's own frequencies (Cohen 1960, eq. 1).

    >>> cohen_kappa(["min", "max", "none", "max"], ["min", "max", "none", "max"])
    1.0
    >>> cohen_kappa(["min", "max"], ["max", "min"])
    -1.0
    """
    n = len(x)
    if n == 0:
        return None
    observed = sum(p == q for p, q in zip(x, y, strict=True)) / n
    fx, fy = Counter(x), Counter(y)
    expected = sum(fx[c] * fy[c] for c in fx) / n**2
    return None if expected == 1 else round((observed - expected) / (1 - expected), 4)


def disputes(first: list[Label], second: list[Label], articles: dict[str, str]) -> list[dict[str, Any]]:
    """The links the readers disagree on (given by one only, or by both with different stances),
    in reading order, each with what each reader said and an empty ``decision`` for the third."""
    a, b = links(first, articles), links(second, articles)
    text = {name: {s.start: s.text for s in sentences(t)} for name, t in articles.items()}
    order = {name: k for k, name in enumerate(articles)}
    out = []
    for key in sorted(_disputed(a, b), key=lambda k: (order[k[0]], *k[1:])):
        article, start, actor, issue = key
        out.append({"id": len(out) + 1, "article": article, "sentence": text[article][start], "actor": actor,
                    "issue": issue, "first_reader": _said(a.get(key)), "second_reader": _said(b.get(key)),
                    "decision": None})
    return out


def adjudicate(first: list[Label], second: list[Label], decisions: dict[Key, Decision],
               articles: dict[str, str], where: str = "decisions") -> list[Label]:
    """The gold labels (see the module): the agreed links and the kept disputed ones. A disputed
    link with no decision, or a decision on a link not in dispute, is an error (all named at once)."""
    from ..errors import InputError, Problem

    a, b = links(first, articles), links(second, articles)
    disputed = _disputed(a, b)
    wrong = [f"no decision on the disputed link {_name(k, articles)}" for k in sorted(disputed - decisions.keys())]
    wrong += [f"a decision on {_name(k, articles)}, which is not in dispute"
              for k in sorted(decisions.keys() - disputed)]
    if wrong:
        raise InputError([Problem(w, where) for w in wrong])
    gold = {}
    for key in sorted(a.keys() | b.keys()):
        if key not in disputed:
            gold[key] = replace(a[key], borderline=a[key].borderline and b[key].borderline)
        elif decisions[key].link:
            d = decisions[key]
            gold[key] = replace(a.get(key) or b[key], stance=d.stance, borderline=d.borderline)
    return list(gold.values())


def _disputed(a: dict[Key, Label], b: dict[Key, Label]) -> set[Key]:
    """The links one reader gives and the other does not, or both give with different stances."""
    return {k for k in a.keys() | b.keys() if not (k in a and k in b and a[k].stance == b[k].stance)}


def _name(key: Key, articles: dict[str, str]) -> str:
    article, start, actor, issue = key
    return f"{actor}/{issue} in {article}: {articles[article][start:start + 60]!r}"


def labels_document(gold: list[Label], articles: dict[str, str], header: str = "") -> str:
    """The labels as a labels file (accord.evidence.evaluate): per article in the given order, per
    sentence in reading order, quoted by the quote of the label first given for it."""
    import yaml

    by_sentence: dict[tuple[str, int], list[Label]] = {}
    for key, lab in sorted(links(gold, articles).items(), key=lambda kv: (kv[0][1], kv[1].start)):
        by_sentence.setdefault((key[0], key[1]), []).append(lab)
    lines = [f"# {line}".rstrip() for line in header.splitlines()] + ["articles:"]
    for name, text in articles.items():
        rows = [labs for (article, _), labs in by_sentence.items() if article == name]
        if rows:
            lines += [f"- article: {name}", "  sentences:"]
        for labs in rows:
            quote = yaml.safe_dump(text[labs[0].start:labs[0].end], allow_unicode=True, width=10**6)
            lines.append(f"  - quote: {quote.removesuffix(chr(10)).removesuffix(chr(10) + '...')}")
            lines += ["    links:"] + [f"    - {_link(lab)}" for lab in labs]
    return "\n".join(lines) + "\n"


def _link(lab: Label) -> str:
    """A link in the flow style of the hand-made files: {actor: USA, issue: deal, ...}."""
    parts = [f"{key}: {_scalar(getattr(lab, key))}" for key in ("actor", "issue", "stance", "mention")]
    return "{" + ", ".join(parts + ["borderline: true"] * lab.borderline) + "}"


def _scalar(value: str) -> str:
    """An id as YAML reads it back unchanged (``NO`` would be read as false: it is quoted)."""
    import json

    import yaml

    return value if yaml.safe_load(value) == value and value.strip() == value else json.dumps(value)


def _said(lab: Label | None) -> dict[str, Any] | None:
    if lab is None:
        return None
    return {"stance": lab.stance, "mention": lab.mention, "borderline": lab.borderline, "line": lab.line}


def read_decisions(path: Path, articles: dict[str, str]) -> dict[Key, Decision]:
    """The decisions of an adjudication file (the ``disputes`` of :func:`disputes`, each with its
    ``decision`` filled in: ``link``, and ``stance``, ``borderline`` and ``reason`` for a kept link)
    by link; every problem is reported at once, with its line."""
    from ..errors import InputError, Problem
    from ..io._files import decode, read_bytes
    from ..io.native import parse

    name = str(path)
    raw, locate, problems = parse(decode(read_bytes(path), name), name)
    if not isinstance(raw, dict) or not isinstance(raw.get("disputes"), list):
        raise InputError([Problem("an adjudication file is a mapping with a list `disputes`", name)])
    starts = {art: {s.text: s.start for s in sentences(t)} for art, t in articles.items()}
    out = {}
    for k, d in enumerate(raw["disputes"]):
        d = d if isinstance(d, dict) else {}
        dec, line = d.get("decision"), locate(("disputes", k))[0]
        start = starts.get(str(d.get("article")), {}).get(str(d.get("sentence")))
        wrong = []
        if start is None or not isinstance(d.get("actor"), str) or not isinstance(d.get("issue"), str):
            wrong.append("`article`, `sentence`, `actor` and `issue` must name a link of the labelled articles")
        if not isinstance(dec, dict) or not isinstance(dec.get("link"), bool):
            wrong.append("`decision` needs `link: true` or `link: false`")
        elif dec["link"] and dec.get("stance") not in STANCES:
            wrong.append(f"`decision.stance` {dec.get('stance')!r} is not one of: {', '.join(STANCES)}")
        elif not isinstance(dec.get("borderline", True), bool):
            wrong.append(f"`decision.borderline` {dec['borderline']!r} is not one of: true, false")
        problems += [Problem(f"dispute {d.get('id', k + 1)}: {w}", name, line) for w in wrong]
        if not wrong:
            assert start is not None and isinstance(dec, dict)
            out[(d["article"], start, d["actor"], d["issue"])] = Decision(
                dec["link"], dec.get("stance", "none"), dec.get("borderline", True), str(dec.get("reason") or ""))
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None
