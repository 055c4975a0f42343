"""Anthropic Messages streaming (`POST {base}/v1/messages`, `"stream": true`).

Events: `message_start`, `content_block_start`, `content_block_delta` (text in
`delta.text` when `delta.type` is "text_delta"), `content_block_stop`, `message_delta`,
`message_stop`, `ping`, and `error` (`{"type":"error","error":{"type","message"}}`), which can
arrive mid-stream (e.g. "overloaded_error").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from smart_interview.answers.context import AnswerRequest
from smart_interview.answers.errors import ProviderError
from smart_interview.answers.providers.base import Cancellation
from smart_interview.answers.providers.sse import event_json, post_sse, redact

ANTHROPIC_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"
_ERROR_CODES = {
    "overloaded_error": "overloaded",
    "rate_limit_error": "rate_limited",
    "api_error": "server_error",
    "authentication_error": "unauthorized",
    "permission_error": "forbidden",
    "not_found_error": "not_found",
    "invalid_request_error": "bad_request",
    "request_too_large": "bad_request",
}


class AnthropicMessagesProvider:
    def __init__(self, *, client: httpx.Client, model: str, api_key: str,
                 base_url: str = ANTHROPIC_BASE_URL, name: str = "Anthropic",
                 max_tokens: int = 500, temperature: float = 0.3) -> None:
        self.name = name
        self._client = client
        self._model = model
        self._api_key = api_key
        base = base_url.rstrip("/")
        self._url = base + ("/messages" if base.endswith("/v1") else "/v1/messages")
        self._max_tokens = max_tokens
        self._temperature = temperature

    def stream(self, request: AnswerRequest, *, cancel: Cancellation) -> Iterator[str]:
        headers = {"x-api-key": self._api_key, "anthropic-version": ANTHROPIC_VERSION,
                   "content-type": "application/json"}
        payload: dict[str, Any] = {
            "model": self._model,
            "max_tokens": self._max_tokens,
            "temperature": self._temperature,
            "stream": True,
            "system": request.system,
            "messages": [{"role": "user", "content": request.user}],
        }
        for event in post_sse(self._client, self._url, provider=self.name, model=self._model,
                              headers=headers, payload=payload, cancel=cancel,
                              secrets=(self._api_key,)):
            kind = event.event
            if kind == "ping":
                continue
            data = event_json(event, self.name)
            kind = kind if kind and kind != "message" else str(data.get("type", ""))
            if kind == "content_block_delta":
                delta = data.get("delta") or {}
                if delta.get("type") == "text_delta" and delta.get("text"):
                    yield str(delta["text"])
            elif kind == "message_stop":
                return
            elif kind == "error":
                raise self._stream_error(data.get("error") or {})
        if not cancel.cancelled:
            raise ProviderError("disconnected", f"The connection to {self.name} broke off "
                                "mid-answer.")

    def _stream_error(self, error: dict[str, Any]) -> ProviderError:
        kind = str(error.get("type") or "")
        code = _ERROR_CODES.get(kind, "server_error")
        message = redact(str(error.get("message") or kind or "unknown error"), (self._api_key,))
        if code == "overloaded":
            return ProviderError(code, f"{self.name} is overloaded and stopped the answer; try "
                                 "again in a moment.")
        return ProviderError(code, f"{self.name} stopped the answer: {message}")
