"""OpenAI Chat Completions: ``POST /v1/chat/completions`` with a Bearer key."""

from __future__ import annotations

import httpx

from smart_interview_server.generation.providers import (
    ChatProvider,
    ProviderError,
    describe_http_error,
)


class OpenAIProvider(ChatProvider):
    label = "ai:openai"
    display_name = "OpenAI"

    def _post(
        self, *, system: str, prompt: str, max_tokens: int, want_json: bool
    ) -> httpx.Response:
        body: dict[str, object] = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": prompt},
            ],
            "max_tokens": max_tokens,
        }
        if want_json:
            body["response_format"] = {"type": "json_object"}
        return self._client.post(
            f"{self.base_url}/v1/chat/completions",
            json=body,
            headers={"Authorization": f"Bearer {self.api_key}"},
        )

    def _extract_text(self, payload: object) -> str:
        try:
            content = payload["choices"][0]["message"]["content"]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            raise ProviderError("OpenAI answered without choices[0].message.content") from None
        if not isinstance(content, str) or not content.strip():
            raise ProviderError("OpenAI answered with an empty message")
        return content

    def _describe_error(self, response: httpx.Response) -> str:
        return describe_http_error(self.display_name, response)
