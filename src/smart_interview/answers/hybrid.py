"""Ranking by meaning: sentence embeddings alone, and fused with BM25 (reciprocal rank fusion).

BM25 finds the passage that shares the question's rare words ("Kafka"); embeddings find the
one that says the same thing in other words ("containers" → "Docker and Kubernetes"). The
hybrid ranking adds, for each passage, 1 / (RRF_K + rank) from each of the two rankings, so a
passage near the top of either comes up, and one near the top of both comes first. The
passages are embedded once, when the index is built (the interview's start); each question
costs one short forward pass. The encoder is passed in: this module loads no model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from smart_interview.answers.context_sources import Passage
from smart_interview.answers.retrieval import PassageIndex, ScoredPassage

RRF_K = 60
"""The usual constant of reciprocal rank fusion (Cormack et al., 2009); not tuned here."""


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors, one row per text."""
        ...


class Ranker(Protocol):
    passages: list[Passage]

    def search(self, query: str, *, k: int = 8) -> list[ScoredPassage]:
        ...


def embedding_text(passage: Passage) -> str:
    """What is embedded for a passage: its text after its section ("Projects: Built…"), so a
    question about side projects or education finds lines that do not say so themselves."""
    return f"{passage.source.removeprefix('CV: ')}: {passage.text}"


class EmbeddingIndex:
    """Cosine similarity between the question and every passage."""

    def __init__(self, passages: list[Passage], encoder: Encoder) -> None:
        self.passages = passages
        self._encoder = encoder
        self._vectors = (encoder.encode([embedding_text(p) for p in passages]) if passages
                         else np.zeros((0, 1), dtype=np.float32))

    def scores(self, query: str) -> np.ndarray:
        if not self.passages or not query.strip():
            return np.zeros(len(self.passages), dtype=np.float32)
        return np.asarray(self._vectors @ self._encoder.encode([query])[0])

    def search(self, query: str, *, k: int = 8) -> list[ScoredPassage]:
        scores = self.scores(query)
        ranked = np.argsort(-scores, kind="stable")[:k]
        return [ScoredPassage(self.passages[i], float(scores[i])) for i in ranked
                if scores[i] > 0]


class HybridIndex:
    """BM25 and embeddings over the same passages, fused by reciprocal rank."""

    def __init__(self, passages: list[Passage], encoder: Encoder) -> None:
        self.passages = passages
        self.bm25 = PassageIndex(passages)
        self.embeddings = EmbeddingIndex(passages, encoder)

    def search(self, query: str, *, k: int = 8) -> list[ScoredPassage]:
        if not self.passages:
            return []
        fused = np.zeros(len(self.passages), dtype=np.float64)
        position = {id(p): i for i, p in enumerate(self.passages)}
        for rank, found in enumerate(self.bm25.search(query, k=len(self.passages))):
            fused[position[id(found.passage)]] += 1.0 / (RRF_K + rank + 1)
        similarity = self.embeddings.scores(query)
        for rank, index in enumerate(np.argsort(-similarity, kind="stable")):
            if similarity[index] > 0:
                fused[index] += 1.0 / (RRF_K + rank + 1)
        ranked = np.argsort(-fused, kind="stable")[:k]
        return [ScoredPassage(self.passages[i], float(fused[i])) for i in ranked
                if fused[i] > 0]
