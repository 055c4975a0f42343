"""What an answer provider receives for one question, for each share choice: the exact request
bodies a real OpenAI-format server on 127.0.0.1 receives. For OpenAI the requests meant for
api.openai.com are delivered to that server (there is no network here), so the body is the one
OpenAI would get; an OpenAI-compatible server on this machine gets the whole context whatever
the choice, because nothing leaves the device."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from smart_interview.app import answer_wiring
from smart_interview.app.answer_sharing import ConsentRequired
from smart_interview.app.answer_wiring import AnswerOptions
from smart_interview.app.settings import Settings
from smart_interview.models.answers import AnswerDone, AnswerEvent
from smart_interview.models.transcript import Segment, Speaker
from tests.answers.conftest import SAMPLE_CV, SAMPLE_JD
from tests.app.test_provider_endpoints import LlmServer, ask

KEY = "sk-openai-secret-123456"
QUESTION = "Why did you move the ledger to Kafka?"
EARLIER = [(Speaker.INTERVIEWER, "Thanks for joining, let's start with your last role."),
           (Speaker.CANDIDATE, "Sure, I was at Acme Payments for five years.")]
DOSSIER = {"job_title": "Staff Backend Engineer", "company": "Initech",
           "cover_letter": "I have spent eight years on payment systems.",
           "match": {"summary": "Strong match on Kafka; no Rust.",
                     "matched": [{"skill": "Kafka", "evidence": "Led the ledger migration"}],
                     "missing": []},
           "job_description": SAMPLE_JD}
WITHOUT_CV = (
    "You help a job candidate during a live interview. You do not see the candidate's CV. "
    "Write what a strong answer covers, in the first person, as the candidate, with "
    "[brackets] wherever the candidate must put in their own facts (employer, project, "
    "number); never invent employers, numbers or degrees. The candidate reads this while "
    "talking: no preamble, no headings, start with the answer. Answer in 3 to 5 short bullet "
    "points of at most 15 words each.")
ASK = f"The interviewer just asked: \"{QUESTION}\"\nWrite the candidate's answer."


class ToLocalServer(httpx.BaseTransport):
    """Delivers requests meant for api.openai.com to the local wire-format server."""

    def __init__(self, server: LlmServer) -> None:
        self.urls: list[str] = []
        self._port = server.port
        self._network = httpx.HTTPTransport(retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        if request.url.host == "api.openai.com":
            request.url = request.url.copy_with(scheme="http", host="127.0.0.1",
                                                port=self._port)
        return self._network.handle_request(request)


@pytest.fixture
def llm_server() -> Iterator[LlmServer]:
    with LlmServer() as server:
        yield server


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from tests.support.keyrings import LockedPlaintextKeyring

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    backend = LockedPlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    answer_wiring.store_api_key("openai", KEY, keyring_backend=backend,
                                allow_insecure_keyring=True)
    return backend


def one_question(settings: Settings, keyring: Any, transport: httpx.BaseTransport | None,
                 options: AnswerOptions | None = None) -> list[AnswerEvent]:
    segments = [Segment(speaker, text, 2.0 * n, 2.0 * n + 1.5, final=True)
                for n, (speaker, text) in enumerate(EARLIER)]
    segments.append(Segment(Speaker.INTERVIEWER, QUESTION, 5.0, 7.0, final=True))
    return ask(settings, keyring, transport, segments=segments, options=options,
               cv_text=SAMPLE_CV, cv_summary="Eight years of backend work in payments.",
               dossier=DOSSIER)


def openai_settings(share: str) -> Settings:
    settings = Settings()
    settings.answers.provider = "openai"
    settings.answers.share = share
    settings.answers.cloud_consent["openai@api.openai.com"] = share
    return settings


def expected_body(user: str, system: str = WITHOUT_CV) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "stream": True, "max_tokens": 500, "temperature": 0.3,
            "messages": [{"role": "system", "content": system},
                         {"role": "user", "content": user}]}


def test_question_only_is_the_default_and_sends_the_question_and_job_title(
        file_keyring: Any, llm_server: LlmServer) -> None:
    assert Settings().answers.share == "question"
    transport = ToLocalServer(llm_server)
    events = one_question(openai_settings("question"), file_keyring, transport)
    assert isinstance(events[-1], AnswerDone)
    assert transport.urls == ["https://api.openai.com/v1/chat/completions"]
    [request] = llm_server.requests
    assert request.body == expected_body(f"## The role\nStaff Backend Engineer\n\n{ASK}")
    sent = json.dumps(request.body)
    for private in ("Acme", "Kafka at", "Initech", "Eight years", "Payments Platform",
                    "Thanks for joining", "Strong match", "payment systems"):
        assert private not in sent, private


def test_question_and_transcript_adds_the_recent_lines_only(
        file_keyring: Any, llm_server: LlmServer) -> None:
    one_question(openai_settings("question_transcript"), file_keyring,
                 ToLocalServer(llm_server))
    [request] = llm_server.requests
    assert request.body == expected_body(
        "## The role\nStaff Backend Engineer\n\n"
        "## Conversation so far (latest last)\n"
        "Interviewer: Thanks for joining, let's start with your last role.\n"
        "Candidate: Sure, I was at Acme Payments for five years.\n\n" + ASK)
    sent = json.dumps(request.body)
    for private in ("Led a team of five", "Initech", "Eight years", "Payments Platform",
                    "Strong match", "payment systems"):
        assert private not in sent, private


def test_the_largest_choice_adds_cv_and_dossier_excerpts(
        file_keyring: Any, llm_server: LlmServer) -> None:
    one_question(openai_settings("question_transcript_context"), file_keyring,
                 ToLocalServer(llm_server))
    [request] = llm_server.requests
    body = request.body
    assert set(body) == {"model", "stream", "max_tokens", "temperature", "messages"}
    system, user = (m["content"] for m in body["messages"])
    assert "Use only facts from the candidate's CV" in system
    assert user.startswith("## Conversation so far (latest last)\n"
                           "Interviewer: Thanks for joining, let's start with your last role.")
    for part in ("## Most relevant from the candidate's CV and dossier",
                 "Led a team of five engineers migrating the ledger",
                 "## Candidate summary\nEight years of backend work in payments.",
                 "Strong match on Kafka; no Rust.",
                 "## The role: Staff Backend Engineer at Initech", "## CV\nJANE DOE",
                 "## Cover letter\nI have spent eight years on payment systems."):
        assert part in user, part
    assert user.endswith(ASK)


@pytest.mark.parametrize("share", ["question", "question_transcript"])
def test_a_server_on_this_device_gets_the_whole_context_whatever_the_choice(
        share: str, file_keyring: Any, llm_server: LlmServer) -> None:
    settings = Settings()
    settings.answers.provider = "openai_compatible"
    settings.answers.base_url = llm_server.openai_base_url
    settings.answers.share = share
    events = one_question(settings, file_keyring, None)
    assert isinstance(events[-1], AnswerDone)
    user = llm_server.requests[0].body["messages"][1]["content"]
    assert "## CV\nJANE DOE" in user and "Candidate: Sure, I was at Acme" in user
    assert settings.answers.cloud_consent == {}, "no consent is asked for this device"


def test_without_consent_nothing_is_sent_and_the_message_says_what_would_be(
        file_keyring: Any, llm_server: LlmServer) -> None:
    settings = openai_settings("question")
    settings.answers.cloud_consent.clear()
    transport = ToLocalServer(llm_server)
    with pytest.raises(ConsentRequired) as refused:
        one_question(settings, file_keyring, transport)
    message = str(refused.value)
    assert "OpenAI at api.openai.com would receive, for each question" in message
    assert "the question (~" in message and "the job title (~" in message
    assert "Not sent:" in message and "your CV text" in message
    assert "Settings → Answers" in message and "--" not in message
    assert transport.urls == [] and llm_server.requests == []


def test_consent_to_less_does_not_cover_sending_more(file_keyring: Any,
                                                     llm_server: LlmServer) -> None:
    settings = openai_settings("question_transcript_context")
    settings.answers.cloud_consent["openai@api.openai.com"] = "question_transcript"
    with pytest.raises(ConsentRequired, match="your CV text"):
        one_question(settings, file_keyring, ToLocalServer(llm_server))
    settings.answers.share = "question"  # less than agreed to: fine
    one_question(settings, file_keyring, ToLocalServer(llm_server))
    assert len(llm_server.requests) == 1


def test_the_command_line_names_its_flag_and_the_flag_agrees_for_one_run(
        file_keyring: Any, llm_server: LlmServer) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    answer_wiring.add_arguments(parser)
    settings = openai_settings("question")
    settings.answers.cloud_consent.clear()
    refused_options = answer_wiring.options_from_args(parser.parse_args(["--provider",
                                                                         "openai"]))
    with pytest.raises(ConsentRequired, match="run again with --consent-cloud"):
        one_question(settings, file_keyring, ToLocalServer(llm_server), refused_options)
    agreed = answer_wiring.options_from_args(parser.parse_args(
        ["--provider", "openai", "--share", "question_transcript", "--consent-cloud"]))
    one_question(settings, file_keyring, ToLocalServer(llm_server), agreed)
    [request] = llm_server.requests
    assert "Candidate: Sure, I was at Acme" in request.body["messages"][1]["content"]
    assert settings.answers.cloud_consent == {}, "agreeing for one run records nothing"


def test_a_damaged_consent_entry_counts_as_no_consent(tmp_path: Path, file_keyring: Any,
                                                      llm_server: LlmServer) -> None:
    settings_file = tmp_path / "settings.json"
    settings_file.write_text(json.dumps({"answers": {
        "provider": "openai", "share": "question",
        "cloud_consent": ["openai@api.openai.com"]}}), encoding="utf-8")
    settings = Settings.load(settings_file)
    with pytest.raises(ConsentRequired):
        one_question(settings, file_keyring, ToLocalServer(llm_server))
    settings.answers.cloud_consent = {"openai@api.openai.com": "everything"}
    with pytest.raises(ConsentRequired):
        one_question(settings, file_keyring, ToLocalServer(llm_server))
    assert llm_server.requests == []
