"""The sentence embedding's ranker encodes only what it scores: the sentences of candidates
(all sentences that name an actor when it proposes links), and each issue's description once."""

from __future__ import annotations

from accord.evidence import scan

from .test_evidence_generalise import deal


class _Counting:
    """A stand-in encoder that records what it is asked to encode (a word-count vector, no model)."""

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts, batch_size=32):
        import zlib

        import numpy as np

        self.seen += list(texts)
        out = np.zeros((len(texts), 64))
        for k, t in enumerate(texts):
            for w in t.lower().split():
                out[k, zlib.crc32(w.encode()) % 64] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def test_the_ranker_encodes_only_the_sentences_of_candidates_and_each_issue_once():
    from accord.evidence.semantic import SemanticRanker, issue_text

    text = "France will uphold the deal. Germany visited China. The weather was fine."
    encoder = _Counting()
    ranker = SemanticRanker(encoder)
    first = scan(deal(), {"a.txt": text}, ranker)
    second = scan(deal(), {"a.txt": text}, ranker)
    described = issue_text(deal().issues[0])
    assert encoder.seen == [described, "France will uphold the deal.", "France will uphold the deal."]
    assert first == second and all(c.similarity is not None for c in first)


def test_the_ranker_proposing_links_encodes_every_sentence_that_names_an_actor():
    from accord.evidence.semantic import SemanticRanker

    encoder = _Counting()
    scan(deal(), {"a.txt": "France will uphold the deal. Germany visited China. The weather was fine."},
         SemanticRanker(encoder, propose_at=0.9))
    assert encoder.seen[1:] == ["France will uphold the deal.", "Germany visited China."]
