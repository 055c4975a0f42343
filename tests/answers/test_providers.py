"""Providers against a real HTTP server on 127.0.0.1 speaking each documented wire format."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from smart_interview.answers.context import AnswerRequest
from smart_interview.answers.errors import ProviderError
from smart_interview.answers.providers.anthropic import AnthropicMessagesProvider
from smart_interview.answers.providers.base import Cancellation, ChatProvider
from smart_interview.answers.providers.openai import OpenAIChatProvider
from smart_interview.answers.providers.sse import parse_retry_after
from smart_interview.app.benchmarks.llm_server import LlmServer, Reply

KEY = "sk-test-4f9a8b7c6d5e4f3a2b1c"
REQUEST = AnswerRequest(system="Be brief.", user="Why Kafka?")


def make(flavour: str, server: LlmServer, client: httpx.Client) -> ChatProvider:
    if flavour == "openai":
        return OpenAIChatProvider(client=client, model="gpt-test", api_key=KEY,
                                  base_url=server.openai_base_url)
    return AnthropicMessagesProvider(client=client, model="claude-test", api_key=KEY,
                                     base_url=server.anthropic_base_url)


def collect(provider: ChatProvider) -> list[str]:
    return list(provider.stream(REQUEST, cancel=Cancellation()))


def failure(provider: ChatProvider) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        collect(provider)
    return caught.value


FLAVOURS = pytest.mark.parametrize("flavour", ["openai", "anthropic"])


@FLAVOURS
def test_streams_the_text(flavour: str, llm_server: LlmServer, http_client: httpx.Client) -> None:
    llm_server.script(Reply.text("Because it decouples producers from consumers."))
    pieces = collect(make(flavour, llm_server, http_client))
    assert "".join(pieces) == "Because it decouples producers from consumers."
    assert len(pieces) > 3


def test_openai_request_follows_the_chat_completions_format(
        llm_server: LlmServer, http_client: httpx.Client) -> None:
    collect(make("openai", llm_server, http_client))
    [request] = llm_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.body["stream"] is True and request.body["model"] == "gpt-test"
    assert [m["role"] for m in request.body["messages"]] == ["system", "user"]


def test_anthropic_request_follows_the_messages_format(
        llm_server: LlmServer, http_client: httpx.Client) -> None:
    collect(make("anthropic", llm_server, http_client))
    [request] = llm_server.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == KEY
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.body["stream"] is True and request.body["system"] == "Be brief."
    assert request.body["messages"] == [{"role": "user", "content": "Why Kafka?"}]
    assert request.body["max_tokens"] > 0


@FLAVOURS
@pytest.mark.parametrize(("status", "code", "words"), [
    (401, "unauthorized", "rejected the API key"),
    (403, "forbidden", "refused access"),
    (404, "not_found", "model"),
    (500, "server_error", "server error (500)"),
    (529, "overloaded", "overloaded"),
    (400, "bad_request", "rejected the request"),
])
def test_http_errors_become_clear_messages(flavour: str, status: int, code: str, words: str,
                                           llm_server: LlmServer,
                                           http_client: httpx.Client) -> None:
    llm_server.script(Reply.http_error(status, f"Incorrect API key provided: {KEY}"))
    error = failure(make(flavour, llm_server, http_client))
    assert error.code == code and error.status == status
    assert words in error.message
    assert KEY not in error.message and KEY not in str(error)


@FLAVOURS
def test_rate_limit_reports_retry_after(flavour: str, llm_server: LlmServer,
                                        http_client: httpx.Client) -> None:
    llm_server.script(Reply.http_error(429, "Rate limit reached", retry_after="20"))
    error = failure(make(flavour, llm_server, http_client))
    assert error.code == "rate_limited" and error.retry_after == 20
    assert "retry in 20 s" in error.message


@FLAVOURS
def test_cut_connection_mid_stream(flavour: str, llm_server: LlmServer,
                                   http_client: httpx.Client) -> None:
    llm_server.script(Reply(cut_after=2))
    provider = make(flavour, llm_server, http_client)
    received: list[str] = []
    with pytest.raises(ProviderError) as caught:
        for piece in provider.stream(REQUEST, cancel=Cancellation()):
            received.append(piece)
    assert caught.value.code == "disconnected" and "broke off" in caught.value.message
    assert received == ["Here ", "is "]


@FLAVOURS
def test_stream_that_ends_without_its_end_marker_is_a_disconnect_for_anthropic(
        flavour: str, llm_server: LlmServer, http_client: httpx.Client) -> None:
    llm_server.script(Reply(end_marker=False))
    provider = make(flavour, llm_server, http_client)
    if flavour == "openai":  # finish_reason arrived: compatible servers may omit [DONE]
        assert "".join(collect(provider)) == "Here is an answer."
    else:
        assert failure(provider).code == "disconnected"


def test_anthropic_error_event_mid_stream(llm_server: LlmServer,
                                          http_client: httpx.Client) -> None:
    llm_server.script(Reply(error_after=2))
    error = failure(make("anthropic", llm_server, http_client))
    assert error.code == "overloaded" and "overloaded" in error.message


def test_openai_error_chunk_mid_stream(llm_server: LlmServer, http_client: httpx.Client) -> None:
    llm_server.script(Reply(error_after=1))
    error = failure(make("openai", llm_server, http_client))
    assert error.code == "server_error" and "stopped the answer" in error.message


@FLAVOURS
def test_read_timeout(flavour: str, llm_server: LlmServer) -> None:
    llm_server.script(Reply(stall_after=1))
    with httpx.Client(timeout=httpx.Timeout(5.0, read=0.3)) as client:
        error = failure(make(flavour, llm_server, client))
    assert error.code == "timeout" and "in time" in error.message


@FLAVOURS
def test_wrong_base_url_answering_json(flavour: str, llm_server: LlmServer,
                                       http_client: httpx.Client) -> None:
    llm_server.script(Reply(json_instead=True))
    error = failure(make(flavour, llm_server, http_client))
    assert error.code == "bad_response" and "base URL" in error.message


def test_nothing_listening(http_client: httpx.Client) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = OpenAIChatProvider(client=http_client, model="m", api_key=KEY,
                                  base_url=f"http://127.0.0.1:{port}/v1", name="Ollama")
    error = failure(provider)
    assert error.code == "network" and "Cannot reach Ollama" in error.message


@FLAVOURS
def test_cancel_interrupts_a_blocked_read_at_once(flavour: str, llm_server: LlmServer) -> None:
    llm_server.script(Reply(stall_after=1))
    cancel = Cancellation()
    with httpx.Client(timeout=httpx.Timeout(5.0, read=30.0)) as client:
        provider = make(flavour, llm_server, client)
        pieces: list[str] = []
        started = 0.0
        for piece in provider.stream(REQUEST, cancel=cancel):
            pieces.append(piece)
            if len(pieces) == 1:  # the server now stalls: cancel while the read is blocked
                started = time.monotonic()
                threading.Timer(0.2, cancel.cancel).start()
    assert pieces == ["Here "]
    assert time.monotonic() - started < 5  # long before the 30 s read timeout


def test_openai_compatible_server_without_key(llm_server: LlmServer,
                                              http_client: httpx.Client) -> None:
    provider = OpenAIChatProvider(client=http_client, model="llama3", api_key=None,
                                  base_url=llm_server.openai_base_url + "/", name="local")
    assert "".join(collect(provider)) == "Here is an answer."
    assert "Authorization" not in llm_server.requests[0].headers


def test_retry_after_forms() -> None:
    assert parse_retry_after(httpx.Headers({"retry-after": "7"})) == 7
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "1500", "retry-after": "9"})) \
        == 1.5
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert parse_retry_after(httpx.Headers({"retry-after": date}), now=1445412470) == 10
    assert parse_retry_after(httpx.Headers({})) is None
