"""Semantic ranking with a sentence embedding (the optional ``text`` extra).

Each issue is described by its label, description and the labels of its anchors; each
sentence that names an actor is embedded with all-MiniLM-L6-v2 (:mod:`.embedding`), and its
cosine similarity to each issue's description

* joins the score of the lexical candidates (a quarter of it), so that sentences closer in
  meaning to the issue rank higher;
* if asked (``propose_at``), proposes a link where no word of the lexicon marks the issue but
  the sentence is close to its description (similarity at least ``propose_at``), marked
  ``via: semantic``.

On the adjudicated seed labels (``accord evidence eval``), the ranking helps: the average
precision of the ranked candidates rises from 0.69 (lexical) to 0.75. Proposing links does
not, so it is off unless asked: from a similarity of 0.6 it adds 3 candidates, none of them
labelled (precision 0.81 -> 0.78); from 0.5 it adds 46, of which 3 are right (recall 0.81 ->
0.84, precision -> 0.58). Links the lexicon misses are rarely close in meaning to an issue's
description.

Only what is scored is encoded: the sentences that carry a candidate (every sentence that
names an actor only when links are proposed), in batches of :data:`BATCH` sentences of similar
length (little padding), and each issue's description once per ranker. On the three seeds
this cuts the CPU time of a scan with ``--parse --semantic`` by about a third
(``python benchmarks/evidence_heldout.py --parse --semantic``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..scenario import Scenario
from .embedding import SentenceEncoder

#: A sensible similarity from which to propose links (``--propose-at``), when one wants them.
PROPOSE_AT = 0.6
#: Sentences encoded together: small batches pad less (sentences are sorted by length first).
BATCH = 16


def issue_text(issue) -> str:
    parts = [issue.label or issue.id, issue.description or ""]
    parts += [a.label for a in issue.scale.anchors]
    return ". ".join(p.strip() for p in parts if p and p.strip())


class SemanticRanker:
    """Rerank candidates by their sentence's similarity to the issue; with ``propose_at``, also
    propose the links the lexicon missed from that similarity up."""

    def __init__(self, encoder: SentenceEncoder | None = None, propose_at: float | None = None,
                 batch_size: int = BATCH):
        self.encoder = encoder or SentenceEncoder.load()
        self.propose_at = propose_at
        self.batch_size = batch_size
        self._issues: dict[str, np.ndarray] = {}  # issue description -> embedding, from scan to scan

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings of ``texts`` (rows in their order)."""
        return self.encoder.encode(texts, batch_size=self.batch_size)

    def embed_issues(self, texts: list[str]) -> np.ndarray:
        """The embeddings of the issues' descriptions, each encoded once per ranker."""
        new = [t for t in dict.fromkeys(texts) if t not in self._issues]
        if new:
            self._issues.update(zip(new, self.embed(new)))
        return np.array([self._issues[t] for t in texts])

    def rerank(self, scenario: Scenario, parsed, found, vocab):
        from .scan import candidate, with_similarity

        issues = scenario.issues
        if self.propose_at is None:  # only the sentences of candidates are scored
            carrying = {(c.article, c.start) for c in found}
            parsed = [p for p in parsed if (p.article, p.sentence.start) in carrying]
        if not parsed:
            return list(found)
        emb_issue = self.embed_issues([issue_text(i) for i in issues])
        emb_sent = self.embed([p.sentence.text for p in parsed])
        sim = emb_sent @ emb_issue.T  # (sentences, issues), rows and columns unit length
        row = {(p.article, p.sentence.start): k for k, p in enumerate(parsed)}
        col = {i.id: j for j, i in enumerate(issues)}
        out = []
        for c in found:
            s = float(sim[row[(c.article, c.start)], col[c.issue]])
            out.append(replace(c, similarity=round(s, 4), score=with_similarity(c.score, s)))
        if self.propose_at is None:
            return out
        for k, p in enumerate(parsed):
            holders = p.holders
            for j, issue in enumerate(issues):
                if issue.id in p.issues or sim[k, j] < self.propose_at:
                    continue
                for actor in dict.fromkeys(m.key for m in holders):
                    mentions = [m for m in holders if m.key == actor]
                    out.append(candidate(p, actor, issue.id, mentions, mentions, vocab,
                                         similarity=round(float(sim[k, j]), 4), via="semantic"))
        return out

