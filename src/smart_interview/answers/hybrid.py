"""Ranking by meaning: sentence embeddings alone, and fused with BM25 (reciprocal rank fusion).

BM25 finds the passage that shares the question's rare words ("Kafka"); embeddings find the
one that says the same thing in other words ("containers" → "Docker and Kubernetes"). The
hybrid ranking adds, for each passage, 1 / (RRF_K + rank) from each of the two rankings, so a
passage near the top of either comes up, and one near the top of both comes first. The
passages are embedded once, when the index is built (the interview's start); each question
costs one short forward pass. The encoder is passed in: this module loads no model.
The answer pipeline embeds in the background (`in_background`), so capture starts at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from smart_interview.answers.context_sources import Passage
from smart_interview.answers.retrieval import PassageIndex, ScoredPassage

logger = logging.getLogger(__name__)
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
    """Cosine similarity between the question and every passage.

    With `in_background` the passages are embedded on a thread of their own, so the interview
    starts at once; a question asked before they are done waits for them. Should embedding
    fail, the index scores nothing and the hybrid ranking is BM25's."""

    def __init__(self, passages: list[Passage], encoder: Encoder, *,
                 in_background: bool = False) -> None:
        self.passages = passages
        self._encoder = encoder
        self._vectors: np.ndarray | None = None
        self._done = threading.Event()
        if in_background and passages:
            threading.Thread(target=self._embed, name="embed-passages", daemon=True).start()
        else:
            self._embed()

    def _embed(self) -> None:
        try:
            self._vectors = (self._encoder.encode([embedding_text(p) for p in self.passages])
                             if self.passages else np.zeros((0, 1), dtype=np.float32))
        except Exception:  # the ranking goes on with BM25 alone
            logger.exception("embedding the interview's passages failed")
        finally:
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the passages are embedded (after waiting up to `timeout` seconds)."""
        return self._done.wait(timeout) and self._vectors is not None

    def scores(self, query: str) -> np.ndarray:
        if not self.passages or not query.strip() or not self.wait():
            return np.zeros(len(self.passages), dtype=np.float32)
        assert self._vectors is not None
        return np.asarray(self._vectors @ self._encoder.encode([query])[0])

    def search(self, query: str, *, k: int = 8) -> list[ScoredPassage]:
        scores = self.scores(query)
        ranked = np.argsort(-scores, kind="stable")[:k]
        return [ScoredPassage(self.passages[i], float(scores[i])) for i in ranked
                if scores[i] > 0]


class HybridIndex:
    """BM25 and embeddings over the same passages, fused by reciprocal rank."""

    def __init__(self, passages: list[Passage], encoder: Encoder, *,
                 in_background: bool = False) -> None:
        self.passages = passages
        self.bm25 = PassageIndex(passages)
        self.embeddings = EmbeddingIndex(passages, encoder, in_background=in_background)

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
