"""The composition root: options, documents, keyring keys, provider choice."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from smart_interview.app import answer_wiring
from smart_interview.app.benchmarks.llm_server import LlmServer
from smart_interview.app.errors import AppError, CliError
from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings
from smart_interview.models.transcript import Segment, Speaker
from tests.answers.conftest import SAMPLE_CV, SAMPLE_JD


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """keyrings.alt's file keyring in a temp HOME: a real backend writing a real file."""
    from tests.support.keyrings import LockedPlaintextKeyring

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    backend = LockedPlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    return backend


class ToLocalServer(httpx.BaseTransport):
    """Delivers requests meant for `host` (an official provider host, unreachable here) to
    the local wire-format server, and records the URL each request was meant for."""

    def __init__(self, server: LlmServer, host: str) -> None:
        self.urls: list[str] = []
        self._server, self._host = server, host
        self._network = httpx.HTTPTransport(retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        if request.url.host != self._host:
            raise httpx.ConnectError(f"{request.url.host} is not {self._host}", request=request)
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1",
                                            port=self._server.port)
        return self._network.handle_request(request)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    answer_wiring.add_arguments(parser)
    return parser.parse_args(list(argv))


def documents(tmp_path: Path) -> tuple[Path, Path]:
    cv, jd = tmp_path / "cv.txt", tmp_path / "jd.md"
    cv.write_text(SAMPLE_CV, encoding="utf-8")
    jd.write_text(SAMPLE_JD, encoding="utf-8")
    return cv, jd


def options(*argv: str) -> answer_wiring.AnswerOptions:
    return answer_wiring.options_from_args(parse(*argv))


def build(args: argparse.Namespace, tmp_path: Path, events: list[dict], *,
          keyring: Any = None, settings: Settings | None = None) -> Any:
    return answer_wiring.build(options=answer_wiring.options_from_args(args),
                               settings=settings or Settings(),
                               paths=AppPaths.under(tmp_path), emit=events.append,
                               clock=lambda: 0.0, keyring_backend=keyring,
                               allow_insecure_keyring=keyring is not None)


def test_options() -> None:
    args = parse("--cv", "a.pdf", "--jd", "b.txt", "--provider", "openai_compatible",
                 "--llm-model", "llama3", "--base-url", "http://127.0.0.1:11434/v1",
                 "--answer-style", "star")
    assert (args.cv, args.jd, args.provider) == (Path("a.pdf"), Path("b.txt"),
                                                 "openai_compatible")
    assert (args.llm_model, args.base_url, args.answer_style) == (
        "llama3", "http://127.0.0.1:11434/v1", "star")
    with pytest.raises(SystemExit):
        parse("--provider", "gemini")


def test_questions_are_detected_without_any_context(tmp_path: Path) -> None:
    events: list[dict] = []
    pipeline = build(parse(), tmp_path, events)
    assert not pipeline.has_provider and pipeline.context.is_empty
    pipeline.on_segment(Segment(Speaker.INTERVIEWER, "why do you want to work here?", 0, 1,
                                final=True))
    pipeline.close()
    assert [e["type"] for e in events] == ["question", "talking_points"]
    assert events[0]["text"] == "why do you want to work here?"
    assert events[1]["points"] == []


def test_talking_points_only_from_a_text_cv(tmp_path: Path) -> None:
    cv, jd = documents(tmp_path)
    events: list[dict] = []
    pipeline = build(parse("--cv", str(cv), "--jd", str(jd)), tmp_path, events)
    assert pipeline is not None and not pipeline.has_provider
    pipeline.on_segment(Segment(Speaker.INTERVIEWER, "have you used kafka", 0, 1, final=True))
    pipeline.close()
    assert [e["type"] for e in events] == ["question", "talking_points"]
    assert any("Kafka" in p["text"] for p in events[1]["points"])


def test_pdf_cv_goes_through_the_extractor(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "cv.pdf"
    page = canvas.Canvas(str(pdf), pagesize=A4)
    for n, line in enumerate(["EXPERIENCE", "Built the fraud scoring service in Go."]):
        page.drawString(72, 760 - 16 * n, line)
    page.save()
    context = answer_wiring.interview_context(options("--cv", str(pdf)))
    assert "fraud scoring service" in context.cv_text


def test_missing_and_unreadable_documents_are_clear(tmp_path: Path) -> None:
    with pytest.raises(CliError, match="does not exist"):
        answer_wiring.interview_context(options("--cv", str(tmp_path / "nope.txt")))
    bad = tmp_path / "dossier.json"
    bad.write_text("[1, 2]")
    with pytest.raises(CliError, match="not a dossier"):
        answer_wiring.interview_context(options("--dossier", str(bad)))


def test_dossier_json_fills_cv_and_job(tmp_path: Path) -> None:
    dossier = tmp_path / "dossier.json"
    dossier.write_text('{"job_title": "SRE", "company": "Hooli", "job_description": "Run k8s",'
                       ' "cv_snapshot": "EXPERIENCE\\nRan Kubernetes clusters", "match": {'
                       '"score": 80, "summary": "Good fit", "matched": [{"skill": "Kubernetes",'
                       ' "evidence": "Ran Kubernetes clusters"}], "missing": []},'
                       ' "cover_letter": null}')
    context = answer_wiring.interview_context(options("--dossier", str(dossier)))
    assert context.cv_text.endswith("Ran Kubernetes clusters")
    assert context.job_description == "Run k8s"
    assert context.dossier is not None and context.dossier.matched[0][0] == "Kubernetes"


def test_keys_come_from_the_keyring(file_keyring: Any) -> None:
    answer_wiring.store_api_key("openai", "sk-from-keyring-123456", keyring_backend=file_keyring,
                                allow_insecure_keyring=True)
    assert answer_wiring.read_api_key("openai", keyring_backend=file_keyring,
                                      allow_insecure_keyring=True,
                                      environ={"OPENAI_API_KEY": "sk-env"}) \
        == "sk-from-keyring-123456"
    assert Path(file_keyring.file_path).is_file()
    answer_wiring.store_api_key("openai", "", keyring_backend=file_keyring,
                                allow_insecure_keyring=True)
    assert answer_wiring.read_api_key("openai", keyring_backend=file_keyring,
                                      allow_insecure_keyring=True,
                                      environ={"OPENAI_API_KEY": "sk-env"}) == "sk-env"


def test_plain_file_keyring_is_refused_without_consent(file_keyring: Any) -> None:
    from smart_interview.sync.errors import SecretStoreError

    with pytest.raises(SecretStoreError):
        answer_wiring.store_api_key("anthropic", "sk-ant-x", keyring_backend=file_keyring)


def test_an_openai_key_is_never_sent_to_another_server(file_keyring: Any) -> None:
    env = {"OPENAI_API_KEY": "sk-openai-secret", "ANTHROPIC_API_KEY": "sk-ant-secret"}
    assert answer_wiring.read_api_key("openai_compatible", keyring_backend=file_keyring,
                                      allow_insecure_keyring=True, environ=env) is None
    assert answer_wiring.read_api_key("anthropic", keyring_backend=file_keyring,
                                      allow_insecure_keyring=True, environ=env) \
        == "sk-ant-secret"


def test_cloud_provider_without_key_is_a_clear_error(tmp_path: Path, file_keyring: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(AppError, match="no API key for Anthropic: save one in Settings"):
        build(parse("--provider", "anthropic"), tmp_path, [], keyring=file_keyring)


def test_openai_compatible_needs_a_base_url(tmp_path: Path, file_keyring: Any) -> None:
    with pytest.raises(AppError, match="Settings → Answers → Server URL") as failure:
        build(parse("--provider", "openai_compatible"), tmp_path, [], keyring=file_keyring)
    assert "--" not in str(failure.value), "the desktop app shows this message too"


def test_settings_choose_the_provider_and_the_key_reaches_it(
        tmp_path: Path, file_keyring: Any, llm_server: LlmServer) -> None:
    answer_wiring.store_api_key("anthropic", "sk-ant-stored-99999999",
                                keyring_backend=file_keyring, allow_insecure_keyring=True)
    settings = Settings()
    settings.answers.provider = "anthropic"
    settings.answers.model = "claude-test"
    settings.answers.base_url = "http://127.0.0.1:9/left-over"  # never used for Anthropic
    settings.answers.cloud_consent["anthropic@api.anthropic.com"] = "question"
    events: list[dict] = []
    done = threading.Event()

    def emit(event: dict) -> None:
        events.append(event)
        if event["type"] in ("answer_done", "answer_error"):
            done.set()

    cv, _ = documents(tmp_path)
    pipeline = answer_wiring.build(options=options("--cv", str(cv)), settings=settings,
                                   paths=AppPaths.under(tmp_path), emit=emit, clock=lambda: 0.0,
                                   keyring_backend=file_keyring, allow_insecure_keyring=True,
                                   transport=(to_server := ToLocalServer(llm_server,
                                                                         "api.anthropic.com")))
    pipeline.on_segment(Segment(Speaker.INTERVIEWER, "why kafka", 0, 1, final=True))
    assert done.wait(10), events
    assert events[-1]["type"] == "answer_done"
    pipeline.close()
    assert to_server.urls == ["https://api.anthropic.com/v1/messages"]
    [request] = llm_server.requests
    assert request.headers["x-api-key"] == "sk-ant-stored-99999999"
    assert request.body["model"] == "claude-test"
