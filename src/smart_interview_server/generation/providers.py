"""What every AI provider client shares: errors, retries, the call shape.

    ProviderError (ServerError)      a call failed for good; ``reason`` is safe to show and log
    └── RetryableProviderError       429 / 5xx / 529 / timeout / connection error: try again

A provider gets the CV text only inside the prompts the worker builds for a CV summary or a
dossier; nothing else is ever sent to it. Messages of errors never quote the prompt.
"""

from __future__ import annotations

import email.utils
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from smart_interview_server.errors import ServerError


class ProviderError(ServerError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryableProviderError(ProviderError):
    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_seconds: float = 1.0
    max_wait_seconds: float = 60.0


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), never negative; None
    when absent or unreadable. An HTTP date without a zone (RFC 850, asctime, "-0000") is
    GMT, as HTTP dates always are, whatever the local time zone."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = datetime.now(timezone.utc) if now is None else datetime.fromtimestamp(
        now, timezone.utc
    )
    return max(0.0, (when - current).total_seconds())


class ChatProvider(ABC):
    """One text completion per call, retried on transient failures."""

    label: str  # "ai:openai" / "ai:anthropic"
    display_name: str

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str,
        client: httpx.Client,
        retry: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_key = api_key
        self.model = model
        self.base_url = base_url.rstrip("/")
        self._client = client
        self._retry = retry
        self._sleep = sleep

    def complete(self, *, system: str, prompt: str, max_tokens: int, want_json: bool) -> str:
        retrying = Retrying(
            retry=retry_if_exception_type(RetryableProviderError),
            stop=stop_after_attempt(self._retry.max_attempts),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(
                self._complete_once,
                system=system,
                prompt=prompt,
                max_tokens=max_tokens,
                want_json=want_json,
            )
        except RetryableProviderError as error:
            raise ProviderError(
                f"{error.reason} (gave up after {self._retry.max_attempts} attempts)"
            ) from None

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableProviderError) and error.retry_after is not None:
            return min(error.retry_after, self._retry.max_wait_seconds)
        return min(
            self._retry.backoff_seconds * (2 ** (state.attempt_number - 1)),
            self._retry.max_wait_seconds,
        )

    def _complete_once(self, *, system: str, prompt: str, max_tokens: int, want_json: bool) -> str:
        try:
            response = self._post(
                system=system, prompt=prompt, max_tokens=max_tokens, want_json=want_json
            )
        except httpx.TimeoutException:
            raise RetryableProviderError(f"{self.display_name} did not answer in time") from None
        except httpx.TransportError as error:
            raise RetryableProviderError(
                f"{self.display_name} could not be reached ({type(error).__name__})"
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableProviderError(
                self._describe_error(response),
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
        if response.status_code >= 400:
            raise ProviderError(self._describe_error(response))
        try:
            payload = response.json()
        except ValueError:
            raise ProviderError(f"{self.display_name} answered with something not JSON") from None
        return self._extract_text(payload)

    @abstractmethod
    def _post(
        self, *, system: str, prompt: str, max_tokens: int, want_json: bool
    ) -> httpx.Response: ...

    @abstractmethod
    def _extract_text(self, payload: object) -> str: ...

    @abstractmethod
    def _describe_error(self, response: httpx.Response) -> str: ...


def error_message_from(payload: object) -> tuple[str | None, str | None]:
    """(type or code, message) from {"error": {...}} bodies of both providers."""
    if not isinstance(payload, dict):
        return None, None
    error = payload.get("error")
    if not isinstance(error, dict):
        return None, None
    kind = error.get("code") or error.get("type")
    message = error.get("message")
    return (
        str(kind) if kind is not None else None,
        str(message)[:300] if message is not None else None,
    )


def describe_http_error(name: str, response: httpx.Response) -> str:
    try:
        kind, message = error_message_from(response.json())
    except ValueError:
        kind, message = None, None
    parts = [f"{name} answered HTTP {response.status_code}"]
    if kind:
        parts.append(f"({kind})")
    text = " ".join(parts)
    return f"{text}: {message}" if message else text
