"""How well a scan finds what a careful reader finds: precision, recall and stance accuracy.

A labels file lists, per article, the sentences a reader found to tie an actor to an issue,
each identified by a verbatim ``quote`` from it, with the links it carries::

    articles:
      - article: 000_8bf56d11d85b02f4.txt
        sentences:
          - quote: "China and Russia agreed to North Korea’s demand"
            links:
              - {actor: CHN, issue: sequencing, stance: max, mention: name}

A sentence not listed ties no actor to any issue. A candidate matches a label when its
sentence contains the label's quote and it names the same actor and issue. Then

* precision = matched candidates / candidates, recall = matched labels / labels (over links:
  article, sentence, actor, issue);
* stance accuracy = share of matched links whose stance hint equals the label's (``min``,
  ``max`` or ``none``);
* average precision of the ranking: the mean, over the labels, of the precision among the
  candidates ranked down to the one that matches it (0 for a label never matched), the area
  under the precision-recall curve of the ranked list; it measures how well the score ranks,
  which precision and recall of the whole list do not.

``mention`` says how the sentence refers to the actor: by a ``name`` (an alias) or only by a
``pronoun`` or a group phrase ("the three parties"); recall is also given for each.

``borderline: true`` marks a link the reader was in doubt about (the guideline: "when in doubt
... include the link, mark it borderline"). Such links are *possible*, the others *sure*, as in
the evaluation of word alignments with sure and possible links (Och and Ney 2003, "A Systematic
Comparison of Various Statistical Alignment Models", Computational Linguistics 29(1), sec. 5):
a candidate that matches either kind is right (precision as above), and ``recall_sure`` is the
share of the sure links found. ``recall`` counts every link, the stricter of the two.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from .scan import Candidate

STANCES = ("min", "max", "none")
MENTIONS = ("name", "pronoun")


@dataclass(frozen=True)
class Label:
    article: str
    start: int  # of the quote in the article
    end: int
    actor: str
    issue: str
    stance: str
    mention: str
    line: int | None = None
    borderline: bool = False  # a possible link, not a sure one (see the module)


def read_labels(path: Path, articles: dict[str, str], actors: set[str], issues: set[str]) -> list[Label]:
    """Read a labels file; every problem (unknown ids, quotes not found once) is reported at once."""
    from ..io._files import decode, read_bytes
    from ..io.native import parse

    name = str(path)
    raw, locate, problems = parse(decode(read_bytes(path), name), name)
    out: list[Label] = []

    def bad(loc: tuple, message: str) -> None:
        problems.append(Problem(message, name, _line(locate, loc)))

    if not isinstance(raw, dict) or not isinstance(raw.get("articles"), list):
        raise InputError([Problem("a labels file is a mapping with a list `articles`", name)])
    for a, art in enumerate(raw["articles"]):
        loc = ("articles", a)
        if not isinstance(art, dict) or not isinstance(art.get("article"), str):
            bad(loc, "each entry needs `article` (the article's file name) and `sentences`")
            continue
        text = articles.get(art["article"])
        if text is None:
            bad(loc + ("article",), f"article {art['article']!r} was not found (give the folder with --texts)")
            continue
        for k, sent in enumerate(art.get("sentences") or []):
            out += _sentence(sent, art["article"], text, loc + ("sentences", k), actors, issues, bad, locate)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return out


def labelled_articles(path: Path) -> list[str]:
    """The file names of the articles a labels file labels, in its order (entries without one are
    left to :func:`read_labels` to report).

    >>> labelled_articles(Path("tests/data/evidence/seed-labels.yaml"))[:1]
    ['000_8bf56d11d85b02f4.txt']
    """
    from ..io._files import decode, read_bytes
    from ..io.native import load

    raw = load(decode(read_bytes(path), str(path)), str(path))
    arts = raw.get("articles") if isinstance(raw, dict) else None
    return [a["article"] for a in arts or [] if isinstance(a, dict) and isinstance(a.get("article"), str)]


def find_articles(names: list[str], folders: list[Path]) -> list[Path]:
    """Each article in the first folder that holds it (its bare name where none does, to be
    reported missing when it is read).

    >>> [str(p) for p in find_articles(["README.md", "nowhere.txt"], [Path("tests"), Path(".")])]
    ['README.md', 'nowhere.txt']
    """
    return [next((d / n for d in folders if (d / n).is_file()), Path(n)) for n in names]


def _sentence(sent: Any, article: str, text: str, loc: tuple, actors: set[str], issues: set[str], bad,
              locate) -> list[Label]:
    if not isinstance(sent, dict) or not isinstance(sent.get("quote"), str):
        bad(loc, "each sentence needs a `quote` and `links`")
        return []
    quote = sent["quote"]
    at = text.find(quote)
    if at < 0 or text.find(quote, at + 1) >= 0:
        bad(loc + ("quote",), f"quote {'not found verbatim' if at < 0 else 'found more than once'} in "
                              f"{article}: {quote[:60]!r}")
        return []
    out = []
    allowed = {"actor": actors, "issue": issues, "stance": set(STANCES), "mention": set(MENTIONS)}
    for j, link in enumerate(sent.get("links") or []):
        lloc = loc + ("links", j)
        if not isinstance(link, dict):
            bad(lloc, "a link is a mapping {actor, issue, stance, mention}")
            continue
        wrong = [f"`{key}` {link.get(key)!r} is not one of: {', '.join(sorted(ok))}"
                 for key, ok in allowed.items() if link.get(key) not in ok]
        if not isinstance(link.get("borderline", False), bool):
            wrong.append(f"`borderline` {link['borderline']!r} is not one of: true, false")
        if wrong:
            bad(lloc, "; ".join(wrong))
            continue
        out.append(Label(article, at, at + len(quote), link["actor"], link["issue"], link["stance"],
                         link["mention"], _line(locate, lloc), link.get("borderline", False)))
    return out


def _line(locate, loc: tuple) -> int | None:
    return locate(loc)[0]


def evaluate(candidates: list[Candidate], labels: list[Label]) -> dict[str, Any]:
    """Precision, recall, stance accuracy and average precision of candidates (ranked, best
    first) against labels (see the module)."""
    matched: dict[int, Candidate] = {}
    false_pos: list[Candidate] = []
    seen: set[tuple] = set()
    ranked_hits: list[bool] = []
    for c in candidates:
        hits = [k for k, lab in enumerate(labels) if lab.article == c.article and c.start <= lab.start
                and lab.end <= c.end and (lab.actor, lab.issue) == (c.actor, c.issue)]
        key = (c.article, c.sentence, c.actor, c.issue)
        if key in seen:
            continue  # the same link from a repeated sentence (a caption printed twice) counts once
        seen.add(key)
        ranked_hits.append(bool(hits) and hits[0] not in matched)  # a label found again is no new hit
        if hits:
            matched.setdefault(hits[0], c)
        else:
            false_pos.append(c)
    n_pred = len(matched) + len(false_pos)
    stance_ok = [matched[k].stance == labels[k].stance for k in matched]
    recall_by = {m: _ratio(sum(labels[k].mention == m for k in matched), sum(lab.mention == m for lab in labels))
                 for m in MENTIONS}
    sure = [k for k, lab in enumerate(labels) if not lab.borderline]
    return {
        "labels": len(labels),
        "candidates": n_pred,
        "matched": len(matched),
        "precision": _ratio(len(matched), n_pred),
        "recall": _ratio(len(matched), len(labels)),
        "sure_labels": len(sure),
        "recall_sure": _ratio(sum(k in matched for k in sure), len(sure)),
        "recall_by_mention": recall_by,
        "stance_accuracy": _ratio(sum(stance_ok), len(stance_ok)),
        "average_precision": _average_precision(ranked_hits, len(labels)),
        "stance_confusion": {f"{want}->{got}": n for (want, got), n in _confusion(matched, labels).items()},
        "by_issue": _by_issue(matched, false_pos, labels),
        "false_positives": [_brief(c) for c in false_pos],
        "missed": [_brief_label(lab) for k, lab in enumerate(labels) if k not in matched],
    }


def _average_precision(hits: list[bool], n_labels: int) -> float | None:
    """Mean over the labels of the precision at the rank where each is found (0 if never)."""
    found, total = 0, 0.0
    for rank, hit in enumerate(hits, start=1):
        if hit:
            found += 1
            total += found / rank
    return round(total / n_labels, 4) if n_labels else None


def _confusion(matched: dict[int, Candidate], labels: list[Label]) -> Counter:
    pairs = Counter((labels[k].stance, c.stance) for k, c in matched.items())
    return Counter({k: pairs[k] for k in sorted(pairs)})


def _by_issue(matched, false_pos, labels) -> dict[str, dict[str, Any]]:
    out = {}
    for issue in sorted({lab.issue for lab in labels} | {c.issue for c in false_pos}):
        tp = sum(labels[k].issue == issue for k in matched)
        fp = sum(c.issue == issue for c in false_pos)
        n = sum(lab.issue == issue for lab in labels)
        out[issue] = {"labels": n, "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, n)}
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _brief(c: Candidate) -> dict[str, Any]:
    return {"article": c.article, "actor": c.actor, "issue": c.issue, "stance": c.stance,
            "sentence": c.sentence[:100]}


def _brief_label(lab: Label) -> dict[str, Any]:
    return {"article": lab.article, "actor": lab.actor, "issue": lab.issue, "stance": lab.stance,
            "mention": lab.mention, "line": lab.line}
