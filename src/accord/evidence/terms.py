"""Issue terms the lexicon lacks, proposed by the sentence embedding (the ``text`` extra).

Articles name an issue in words the lexicon did not foresee: military exercises are "war
games", a security guarantee is "guarantees of their security". The phrases of the articles
that stand where a party speaks (a sentence that names an actor), each a run of one to three
content words with no name of an actor in it, are embedded with all-MiniLM-L6-v2
(:mod:`.embedding`) and compared with each issue's prototypes: its description (label,
description and anchors, as in :mod:`.semantic`), each anchor's label and each of its lexicon's
words. A phrase's similarity to an issue is the highest over the issue's prototypes; it is
proposed for the issue it is closest to when that similarity is at least ``at`` and clearly
above the other issues' (by ``margin``), best first.

``accord evidence terms`` lists the proposals for the analyst to add to the lexicon: the
words are the analyst's to accept. They are not added to a scan by themselves: on the seeds,
the proposals from 0.5 up mix words of the issue ("pressure", "lifted", "peace treaty",
"military", "ally") with words that are not ("policy", "balance", "playing"), and embedding
every phrase takes seconds, not the fraction of a second a scan takes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..scenario import Scenario
from .lexicon import STOPWORDS, vocabulary
from .semantic import issue_text
from .text import find_all, sentences

#: From this similarity up a phrase is proposed (``accord evidence terms --at``).
PROPOSE_TERMS_AT = 0.5
_WORD = re.compile(r"[A-Za-z][A-Za-z\-’']*")
_NOT_CONTENT = frozenset("""
said says say told also would could should will shall may might must can cannot yet still even just only
very more most much many such same other others another one two three first last new today year years
time way part point fact thing things well now then there here week month day through across
notwithstanding need needs want wants wanted make made take took like unlike however although
""".split()) | STOPWORDS


@dataclass(frozen=True)
class TermProposal:
    issue: str
    phrase: str
    similarity: float
    count: int  # how often the phrase occurs in the articles


def phrases(scenario: Scenario, articles: dict[str, str]) -> dict[str, int]:
    """Runs of one or two content words in the sentences that name an actor, with counts;
    none that an actor's name or an issue's term already covers."""
    vocab = vocabulary(scenario)
    every_term = {k: v for terms in vocab.terms.values() for k, v in terms.items()}
    out: dict[str, int] = {}
    for text in articles.values():
        for s in sentences(text):
            names = find_all(s.text, vocab.actors)
            if not names:
                continue
            covered = [(m.start, m.end) for m in names + find_all(s.text, every_term)]
            run: list[str] = []
            for w in [*_WORD.finditer(s.text), None]:
                inside = w is not None and any(a <= w.start() < b for a, b in covered)
                if w is None or inside or w.group(0).lower() in _NOT_CONTENT or w.group(0)[0].isupper():
                    for n in (1, 2):
                        for k in range(len(run) - n + 1):
                            p = " ".join(run[k:k + n])
                            out[p] = out.get(p, 0) + 1
                    run = []
                else:
                    run.append(w.group(0).lower())
    return out


def propose_terms(scenario: Scenario, articles: dict[str, str], encoder=None, at: float = PROPOSE_TERMS_AT,
                  margin: float = 0.05, top: int = 10) -> list[TermProposal]:
    """The phrases of the articles closest to an issue and not in its lexicon (see the module),
    per issue at most ``top``, best first; deterministic for the same inputs."""
    from .embedding import SentenceEncoder

    encoder = encoder or SentenceEncoder.load()
    counts = phrases(scenario, articles)
    if not counts or not scenario.issues:
        return []
    words = sorted(counts)
    issues = scenario.issues
    emb_p = encoder.encode(words)
    protos = [(j, t) for j, i in enumerate(issues) for t in _prototypes(i)]
    emb_t = encoder.encode([t for _, t in protos])
    raw = emb_p @ emb_t.T  # (phrases, prototypes)
    sim = np.full((len(words), len(issues)), -1.0)
    for col, (j, _) in enumerate(protos):
        sim[:, j] = np.maximum(sim[:, j], raw[:, col])
    best = sim.argmax(axis=1)
    second = np.sort(sim, axis=1)[:, -2] if len(issues) > 1 else np.full(len(words), -1.0)
    out = []
    for j, issue in enumerate(issues):
        rows = [k for k in range(len(words)) if best[k] == j and sim[k, j] >= at and sim[k, j] - second[k] >= margin]
        rows.sort(key=lambda k: (-sim[k, j], words[k]))
        out += [TermProposal(issue.id, words[k], round(float(sim[k, j]), 4), counts[words[k]]) for k in rows[:top]]
    return out


def _prototypes(issue) -> list[str]:
    """What a phrase is compared with: the issue's description, its anchors' labels, its terms."""
    lex = issue.lexicon
    words = [w.rstrip("*") for w in (lex.terms if lex and lex.terms else [])]
    return list(dict.fromkeys([issue_text(issue), *(a.label for a in issue.scale.anchors if a.label), *words]))
