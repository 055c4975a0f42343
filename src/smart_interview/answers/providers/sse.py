"""Shared HTTP streaming: POST, check the status, iterate server-sent events (httpx-sse), and
turn every failure into a `ProviderError` with a clear message that never holds the key."""

from __future__ import annotations

import contextlib
import email.utils
import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import timezone
from typing import Any

import httpx
from httpx_sse import EventSource, ServerSentEvent, SSEError

from smart_interview.answers.errors import ProviderError
from smart_interview.answers.providers.base import Cancellation

_KEY_LIKE = re.compile(r"\b(?:sk|key|gsk|sk-ant|sk-or)[-_][A-Za-z0-9_\-*.]{6,}")


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[key]")
    return _KEY_LIKE.sub("[key]", text)


def parse_retry_after(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms`, or `Retry-After` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
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
    if when.tzinfo is None:  # "-0000" and asctime dates carry no zone: HTTP dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_detail(body: bytes) -> tuple[str, str]:
    """(error type, message) from `{"error": {"type", "message"}}` bodies, else raw text."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return "", body.decode("utf-8", "replace").strip()[:300]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("type") or error.get("code") or ""), str(error.get("message") or "")
    if isinstance(error, str):
        return "", error
    return "", str(data)[:300]


def status_error(provider: str, response: httpx.Response, *, model: str,
                 secrets: tuple[str, ...]) -> ProviderError:
    status = response.status_code
    _, detail = error_detail(response.content)
    detail = redact(detail, secrets)
    suffix = f": {detail}" if detail else "."
    if status == 401:
        return ProviderError("unauthorized", f"{provider} rejected the API key (401). Check the "
                             "key in Settings → Answers.", status=status)
    if status == 403:
        return ProviderError("forbidden", f"{provider} refused access (403){suffix}", status=status)
    if status == 404:
        return ProviderError("not_found", f"{provider} found no such model or endpoint (404): "
                             f"check the model name '{model}' and the base URL.", status=status)
    if status == 429:
        wait = parse_retry_after(response.headers)
        when = f"retry in {wait:.0f} s" if wait is not None else "try again shortly"
        return ProviderError("rate_limited", f"Rate limited by {provider}; {when}.",
                             retry_after=wait, status=status)
    if status == 529:
        return ProviderError("overloaded", f"{provider} is overloaded (529); try again in a "
                             "moment.", status=status)
    if status >= 500:
        return ProviderError("server_error", f"{provider} had a server error ({status}); try "
                             "again in a moment.", status=status)
    return ProviderError("bad_request", f"{provider} rejected the request ({status}){suffix}",
                         status=status)


def post_sse(client: httpx.Client, url: str, *, provider: str, model: str,
             headers: dict[str, str], payload: dict[str, Any], cancel: Cancellation,
             secrets: tuple[str, ...]) -> Iterator[ServerSentEvent]:
    """Yields the events of a streamed POST. Stops quietly once `cancel` is set."""
    headers = {**headers, "Accept": "text/event-stream", "Cache-Control": "no-store"}
    try:
        with client.stream("POST", url, headers=headers, json=payload) as response:
            cancel.on_cancel(lambda: _interrupt(response))
            if response.status_code != 200:
                response.read()
                raise status_error(provider, response, model=model, secrets=secrets)
            try:
                for event in EventSource(response).iter_sse():
                    if cancel.cancelled:
                        return
                    yield event
            except SSEError as exc:
                response.read()
                raise ProviderError("bad_response", f"{provider} did not answer with an event "
                                    "stream; check the base URL.") from exc
    except ProviderError:
        raise
    except httpx.TimeoutException as exc:
        if cancel.cancelled:
            return
        raise ProviderError("timeout", f"{provider} did not answer in time ({_phase(exc)}).") \
            from None
    except httpx.ConnectError as exc:
        if cancel.cancelled:
            return
        raise ProviderError("network", f"Cannot reach {provider}: "
                            f"{redact(str(exc), secrets) or 'connection refused'}.") from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.StreamError) as exc:
        if cancel.cancelled:
            return
        raise ProviderError("disconnected", f"The connection to {provider} broke off "
                            "mid-answer.") from exc
    except httpx.HTTPError as exc:
        if cancel.cancelled:
            return
        raise ProviderError("network", f"{provider}: {redact(str(exc), secrets)}") from None
    except Exception:
        if cancel.cancelled:  # the connection was closed under the reader on purpose
            return
        raise


def _interrupt(response: httpx.Response) -> None:
    """Wakes a read blocked in another thread: shut the socket down (httpx's documented
    `network_stream` extension); that thread then sees end-of-stream and closes the response."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _phase(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connecting"
    if isinstance(exc, httpx.ReadTimeout):
        return "waiting for the next part of the answer"
    return "sending the request"


def event_json(event: ServerSentEvent, provider: str) -> Any:
    try:
        return json.loads(event.data)
    except ValueError:
        raise ProviderError("bad_response", f"{provider} sent an event that is not JSON.") \
            from None
