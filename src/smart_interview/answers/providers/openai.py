"""OpenAI Chat Completions streaming (`POST {base}/chat/completions`, `"stream": true`).

Wire format: `data: {"choices":[{"delta":{"content":"…"}}]}` events, ending `data: [DONE]`.
The same class serves any OpenAI-compatible server (Ollama, LM Studio, llama.cpp server, Groq,
OpenRouter) through its base URL; such servers may have no key and may stop after the last
`finish_reason` without `[DONE]`, which counts as a complete answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from smart_interview.answers.context import AnswerRequest
from smart_interview.answers.errors import ProviderError
from smart_interview.answers.providers.base import Cancellation
from smart_interview.answers.providers.sse import event_json, post_sse, redact

OPENAI_BASE_URL = "https://api.openai.com/v1"


class OpenAIChatProvider:
    def __init__(self, *, client: httpx.Client, model: str, api_key: str | None = None,
                 base_url: str = OPENAI_BASE_URL, name: str = "OpenAI", max_tokens: int = 500,
                 temperature: float = 0.3) -> None:
        self.name = name
        self._client = client
        self._model = model
        self._api_key = api_key or ""
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._max_tokens = max_tokens
        self._temperature = temperature

    def stream(self, request: AnswerRequest, *, cancel: Cancellation) -> Iterator[str]:
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        payload: dict[str, Any] = {
            "model": self._model,
            "stream": True,
            "max_tokens": self._max_tokens,
            "temperature": self._temperature,
            "messages": [{"role": "system", "content": request.system},
                         {"role": "user", "content": request.user}],
        }
        finished = False
        for event in post_sse(self._client, self._url, provider=self.name, model=self._model,
                              headers=headers, payload=payload, cancel=cancel,
                              secrets=(self._api_key,)):
            if event.data.strip() == "[DONE]":
                return
            data = event_json(event, self.name)
            if isinstance(data, dict) and data.get("error"):
                raise self._stream_error(data["error"])
            for choice in data.get("choices") or () if isinstance(data, dict) else ():
                content = (choice.get("delta") or {}).get("content")
                if content:
                    yield content
                if choice.get("finish_reason"):
                    finished = True
        if not finished and not cancel.cancelled:
            raise ProviderError("disconnected", f"The connection to {self.name} broke off "
                                "mid-answer.")

    def _stream_error(self, error: Any) -> ProviderError:
        message = error.get("message") if isinstance(error, dict) else str(error)
        text = redact(str(message or "unknown error"), (self._api_key,))
        return ProviderError("server_error", f"{self.name} stopped the answer: {text}")
