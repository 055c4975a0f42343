"""Where the answers go: an API key and the interview reach only the provider's official host
over https; a base URL applies to an OpenAI-compatible server only, and plain http only on
this machine. The listener is a real plain-HTTP server on 127.0.0.1, as in the attack."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from smart_interview.app import answer_wiring
from smart_interview.app.answer_wiring import AnswerOptions
from smart_interview.app.benchmarks.llm_server import LlmServer
from smart_interview.app.errors import AppError
from smart_interview.app.providers import PROVIDERS, provider_spec, resolve_endpoint
from smart_interview.app.settings import Settings
from smart_interview.models.answers import AnswerDone, AnswerEvent, AnswerFailed
from smart_interview.models.transcript import Segment, Speaker

QUESTION = "Why did you move the ledger to Kafka?"
CV = "EXPERIENCE\nLed the ledger migration to Kafka at Acme Payments."
OFFICIAL_HOSTS = {"api.openai.com", "api.anthropic.com"}


class OfficialHostsAnswer401(httpx.BaseTransport):
    """Records every request. The official hosts answer 401 in their documented error format
    (there is no network here); any other host is really connected to, so a request that
    leaks to the local listener would arrive there."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._network = httpx.HTTPTransport(retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host in OFFICIAL_HOSTS:
            if request.url.host == "api.openai.com":
                body: dict[str, Any] = {"error": {"message": "Incorrect API key provided",
                                                  "type": "invalid_request_error",
                                                  "param": None, "code": "invalid_api_key"}}
            else:
                body = {"type": "error", "error": {"type": "authentication_error",
                                                   "message": "invalid x-api-key"}}
            return httpx.Response(401, json=body, request=request)
        return self._network.handle_request(request)

    def close(self) -> None:
        self._network.close()


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from tests.support.keyrings import LockedPlaintextKeyring

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    backend = LockedPlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    return backend


def ask(settings: Settings, keyring: Any, transport: httpx.BaseTransport | None, *,
        segments: list[Segment] | None = None, options: AnswerOptions | None = None,
        **documents: Any) -> list[AnswerEvent]:
    """Feeds `segments` (default: QUESTION alone) to the app's pipeline and waits for the
    answer; `documents` are `answer_wiring.build`'s cv_text / cv_summary / dossier."""
    events: list[AnswerEvent] = []
    finished = threading.Event()

    def on_event(event: AnswerEvent) -> None:
        events.append(event)
        if isinstance(event, (AnswerDone, AnswerFailed)):
            finished.set()

    documents.setdefault("cv_text", CV)
    pipeline = answer_wiring.build(options=options or AnswerOptions(), settings=settings,
                                   on_event=on_event, clock=lambda: 0.0,
                                   keyring_backend=keyring, allow_insecure_keyring=True,
                                   transport=transport, **documents)
    try:
        for segment in segments or [Segment(Speaker.INTERVIEWER, QUESTION, 0.0, 2.0,
                                            final=True)]:
            pipeline.on_segment(segment)
        assert finished.wait(20), events
    finally:
        pipeline.close()
    return events


@pytest.mark.parametrize(("provider", "key"), [("openai", "sk-openai-secret-123456"),
                                               ("anthropic", "sk-ant-secret-123456")])
def test_a_leftover_plain_http_base_url_never_gets_the_key_or_the_question(
        provider: str, key: str, file_keyring: Any) -> None:
    answer_wiring.store_api_key(provider, key, keyring_backend=file_keyring,
                                allow_insecure_keyring=True)
    transport = OfficialHostsAnswer401()
    with LlmServer() as listener:
        settings = Settings()
        settings.answers.provider = provider
        settings.answers.cloud_consent[f"{provider}@api.{provider}.com"] = "question"
        leftover = listener.openai_base_url if provider == "openai" else \
            listener.anthropic_base_url
        assert leftover.startswith("http://127.0.0.1:")
        settings.answers.base_url = leftover
        events = ask(settings, file_keyring, transport)
        assert listener.requests == [], "the plain-http listener received a request"
    [request] = transport.requests
    assert request.url.scheme == "https"
    assert request.url.host == {"openai": "api.openai.com", "anthropic": "api.anthropic.com"}[
        provider]
    sent_key = request.headers.get("authorization", "").removeprefix("Bearer ") or \
        request.headers.get("x-api-key")
    assert sent_key == key
    assert isinstance(events[-1], AnswerFailed) and events[-1].code == "unauthorized"


def test_the_same_listener_serves_an_openai_compatible_server_on_loopback(
        file_keyring: Any) -> None:
    transport = OfficialHostsAnswer401()
    with LlmServer() as listener:
        settings = Settings()
        settings.answers.provider = "openai_compatible"
        settings.answers.base_url = listener.openai_base_url
        events = ask(settings, file_keyring, transport)
        [received] = listener.requests
    assert isinstance(events[-1], AnswerDone) and events[-1].text == "Here is an answer."
    assert QUESTION in str(received.body)
    assert "authorization" not in {k.lower() for k in received.headers}
    assert received.body["model"] == provider_spec("openai_compatible").default_model


@pytest.mark.parametrize("url", ["http://10.0.0.5:11434/v1", "http://ollama.example.com/v1",
                                 "http://192.168.1.20:8080/v1", "http://[2001:db8::1]/v1"])
def test_plain_http_to_another_machine_is_refused(url: str, file_keyring: Any) -> None:
    transport = OfficialHostsAnswer401()
    settings = Settings()
    settings.answers.provider = "openai_compatible"
    settings.answers.base_url = url
    with pytest.raises(AppError, match="over plain http"):
        answer_wiring.build(options=AnswerOptions(), settings=settings, clock=lambda: 0.0,
                            keyring_backend=file_keyring, allow_insecure_keyring=True,
                            transport=transport)
    assert transport.requests == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:11434/v1", "http://localhost:1234/v1",
                                 "http://[::1]:8080/v1", "https://llm.example.com/v1"])
def test_loopback_http_and_any_https_are_accepted(url: str) -> None:
    assert resolve_endpoint(provider_spec("openai_compatible"), url) == url


def test_only_the_openai_compatible_server_takes_a_base_url() -> None:
    takes = {spec.id for spec in PROVIDERS.values() if spec.takes_base_url}
    assert takes == {"openai_compatible"}
    for spec in PROVIDERS.values():
        if spec.key_required:
            assert spec.fixed_endpoint is not None and spec.fixed_endpoint.startswith("https://")
            assert resolve_endpoint(spec, "http://127.0.0.1:9/v1") == spec.fixed_endpoint
