"""Anthropic Messages: ``POST /v1/messages`` with ``x-api-key`` and ``anthropic-version``."""

from __future__ import annotations

import httpx

from smart_interview_server.generation.providers import (
    ChatProvider,
    ProviderError,
    describe_http_error,
)

ANTHROPIC_VERSION = "2023-06-01"


class AnthropicProvider(ChatProvider):
    label = "ai:anthropic"
    display_name = "Anthropic"

    def _post(
        self, *, system: str, prompt: str, max_tokens: int, want_json: bool
    ) -> httpx.Response:
        body = {
            "model": self.model,
            "max_tokens": max_tokens,
            "system": system,
            "messages": [{"role": "user", "content": prompt}],
        }
        return self._client.post(
            f"{self.base_url}/v1/messages",
            json=body,
            headers={"x-api-key": self.api_key, "anthropic-version": ANTHROPIC_VERSION},
        )

    def _extract_text(self, payload: object) -> str:
        blocks = payload.get("content") if isinstance(payload, dict) else None
        if not isinstance(blocks, list):
            raise ProviderError("Anthropic answered without a content list")
        text = "".join(
            block.get("text", "")
            for block in blocks
            if isinstance(block, dict) and block.get("type") == "text"
        )
        if not text.strip():
            raise ProviderError("Anthropic answered without text")
        if isinstance(payload, dict) and payload.get("stop_reason") == "max_tokens":
            raise ProviderError("Anthropic stopped at max_tokens; the answer is incomplete")
        return text

    def _describe_error(self, response: httpx.Response) -> str:
        return describe_http_error(self.display_name, response)
