"""The interview's vocabulary: terms taken from the documents, capped to Whisper's prompt, and
heard by the real tiny.en decoder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smart_interview.transcription.decoder import WhisperDecoder
from smart_interview.transcription.guards import accept_hypothesis, words
from smart_interview.transcription.vocabulary import (
    MAX_PROMPT_TOKENS,
    Vocabulary,
    extract_terms,
    whisper_token_count,
)
from tests.support.speech import read_wav, say

CV = """Dana Whitlock
Senior Backend Engineer
dana.whitlock@example.com · github.com/dwhitlock

Experience
Castro Freight, Staff Engineer, 2019 to present
- Built the tracking pipeline on Kafka and moved forty services to Kubernetes.
- Made the billing ledger idempotent, so a retried payment is never charged twice.
- Tuned PostgreSQL and added gRPC between the quoting services.

Education
Hollins University, BSc Computer Science
"""
JD = "Ferrovia is hiring a platform engineer to run Kubernetes and Kafka with Terraform."


@pytest.fixture(scope="module")
def count(tiny_model: Any) -> Any:
    return whisper_token_count(tiny_model)


def test_the_documents_give_their_technologies_names_and_hard_words(count: Any) -> None:
    terms = extract_terms([CV, JD], token_count=count)
    lowered = [t.lower() for t in terms]
    for term in ("kubernetes", "kafka", "postgresql", "grpc", "terraform", "idempotent",
                 "castro freight", "ferrovia", "hollins"):
        assert term in lowered, (term, terms)
    # named in both documents: ranked ahead of what one names once
    assert lowered.index("kubernetes") < lowered.index("grpc")
    # titles, headings, ordinary words and addresses are not terms
    for word in ("senior", "engineer", "experience", "education", "built", "made", "tuned",
                 "example.com", "dana.whitlock", "github.com", "services", "payment"):
        assert word not in lowered, (word, terms)


def test_extraction_without_a_tokenizer_still_finds_the_written_forms() -> None:
    terms = extract_terms([CV])
    assert {"Kafka", "Kubernetes", "PostgreSQL", "gRPC"} <= set(terms)
    assert extract_terms(["", "   "]) == []


def test_the_glossary_keeps_whole_terms_within_its_share_of_the_prompt(
        tiny_model: Any) -> None:
    terms = tuple(f"Term{i}x{i * 7}" for i in range(200))
    vocabulary = Vocabulary(terms, max_tokens=60)
    encode = tiny_model.hf_tokenizer.encode

    def ids(text: str) -> list[int]:
        return list(encode(text, add_special_tokens=False).ids)

    kept, tokens = vocabulary.fit(ids)
    assert 0 < len(kept) < len(terms)
    assert len(tokens) <= 60
    assert kept == terms[: len(kept)]  # best first, no term cut in half
    assert tokens == ids(" " + vocabulary.text(kept))
    assert vocabulary.text(kept[:2]) == "Term0x0, Term1x7"  # the default: the terms alone
    assert Vocabulary(kept[:2], style="glossary").text() == "Glossary: Term0x0, Term1x7."
    with pytest.raises(ValueError):
        Vocabulary(terms, max_tokens=MAX_PROMPT_TOKENS)


def test_glossary_and_preceding_text_together_fit_the_223_token_prompt(
        tiny_model: Any) -> None:
    decoder = WhisperDecoder(tiny_model, vocabulary=Vocabulary(
        tuple(f"Widget{i}" for i in range(100)), style="glossary", max_tokens=150))
    prompt = " ".join(["the preceding final text goes on"] * 80)
    tokens = decoder._prompt_tokens(prompt)
    tokenizer = decoder._tokenizer
    after_prev = tokens[1 : tokens.index(tokenizer.sot_sequence[0])]
    assert tokens[0] == tokenizer.sot_prev
    assert len(after_prev) <= MAX_PROMPT_TOKENS
    text = tokenizer.decode(after_prev)
    assert text.lstrip().startswith("Glossary: Widget0, Widget1")
    assert text.rstrip().endswith("goes on")  # the end of the text, next to the speech


def test_the_decoder_writes_a_cv_term_it_otherwise_mishears(
        tiny_model: Any, tmp_path: Path) -> None:
    samples, _ = read_wav(say("How did you run Kubernetes in production at Castro Freight?",
                              tmp_path / "q.wav"))
    plain = WhisperDecoder(tiny_model).decode(samples)
    told = WhisperDecoder(tiny_model, vocabulary=Vocabulary(
        ("Kubernetes", "Castro Freight", "Kafka", "PostgreSQL"))).decode(samples)
    assert "kubernetes" not in words(plain.text)
    assert "kubernetes" in words(told.text)


def test_silence_and_noise_stay_empty_with_a_vocabulary(tiny_model: Any) -> None:
    decoder = WhisperDecoder(tiny_model, vocabulary=Vocabulary(
        ("Kubernetes", "Kafka", "PostgreSQL", "Terraform", "gRPC", "Castro Freight")))
    rng = np.random.default_rng(3)
    quiet = [np.zeros(16_000 * 3, np.float32),
             (rng.normal(0, 1e-4, 16_000 * 3)).astype(np.float32),
             (rng.normal(0, 0.03, 16_000 * 3)).astype(np.float32)]
    for audio in quiet:
        assert accept_hypothesis(decoder.decode(audio), speech_s=0.0) == ""
