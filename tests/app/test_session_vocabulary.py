"""What a live session listens for: the documents' terms with the user's own words first and
the removed ones left out; `live` prints it when the session starts."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from smart_interview.answers.context_sources import DossierContext, InterviewContext
from smart_interview.app.commands.live import Printer
from smart_interview.app.settings import TranscriptionSettings
from smart_interview.app.vocabulary import interview_vocabulary, merge_terms
from smart_interview.models.interview import SessionStarted

CV = "Experience\nCastro Freight, Staff Engineer\n- Moved our services to Kubernetes and Kafka.\n"


def test_the_users_words_come_first_and_removed_ones_go() -> None:
    assert merge_terms(["Kafka", "Kubernetes", "kafka", "Redis"], added=["Nimbalo", " "],
                       removed=["REDIS"]) == ("Nimbalo", "Kafka", "Kubernetes")


def test_the_session_vocabulary_reads_cv_job_and_dossier(tiny_model: Any) -> None:
    context = InterviewContext(
        cv_text=CV, job_description="You will run Terraform modules.",
        dossier=DossierContext(company="Ferrovia", matched=(("gRPC", "Built gRPC services"),)))
    settings = TranscriptionSettings(vocabulary_added=["Okonkwo"],
                                     vocabulary_removed=["kafka"])
    vocabulary = interview_vocabulary(context, settings, tiny_model)
    assert vocabulary is not None
    terms = vocabulary.terms
    assert terms[0] == "Okonkwo"
    for term in ("Kubernetes", "Castro Freight", "Terraform", "Ferrovia", "gRPC"):
        assert term in terms, terms
    assert "Kafka" not in terms
    assert interview_vocabulary(InterviewContext(), TranscriptionSettings(), tiny_model) is None


def test_live_prints_what_it_listens_for_and_the_start_line_carries_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    started = SessionStarted(emitted_at=0.1, sources={"interviewer": "q.wav"},
                             vocabulary=("Kubernetes", "gRPC"))
    Printer(jsonl=False, stream=io.StringIO()).event(started)
    assert "Listening for: Kubernetes, gRPC" in capsys.readouterr().err
    out = io.StringIO()
    Printer(jsonl=True, stream=out).event(started)
    assert json.loads(out.getvalue())["vocabulary"] == ["Kubernetes", "gRPC"]
    Printer(jsonl=False, stream=io.StringIO()).event(SessionStarted(emitted_at=0.1))
    assert "Listening for" not in capsys.readouterr().err
