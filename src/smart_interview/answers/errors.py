"""Errors of the answers package.

    AnswersError                 base of everything raised here
    ├── ProviderError            an LLM provider call failed; `code` is stable, `message` is
    │                            one sentence for the user and never contains the API key
    ├── ContextError             CV / job description / dossier input that cannot be used
    └── EmbeddingModelError      the sentence-embedding model's files cannot be read

`ProviderError.code` values: "timeout", "network", "unauthorized" (401), "forbidden" (403),
"not_found" (404: wrong model or base URL), "rate_limited" (429; `retry_after` in seconds when
the provider said so), "overloaded" (529 or an overloaded event), "server_error" (other 5xx),
"bad_request" (other 4xx), "disconnected" (the stream stopped before its end), "bad_response"
(the body was not the provider's documented format).
"""

from __future__ import annotations


class AnswersError(Exception):
    """Base of the answers package's errors."""


class ContextError(AnswersError):
    """Interview context (CV, job description, dossier) that cannot be read or used."""


class EmbeddingModelError(AnswersError):
    """The sentence-embedding model's files are missing, damaged or of an unknown layout."""


class ProviderError(AnswersError):
    def __init__(self, code: str, message: str, *, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.status = status
