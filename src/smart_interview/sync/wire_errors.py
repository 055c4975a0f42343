"""How the backend's error answers (the `{"error": {"code", "message"}}` envelope, HTTP status,
`Retry-After`) map onto the sync exception tree, with messages a person can act on."""

from __future__ import annotations

import re

import httpx

from smart_interview.sync.errors import (
    AuthError,
    ConflictError,
    NotFoundError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    SyncError,
    ValidationError,
)

_TRY_AGAIN = re.compile(r"\s*Try again in \d+ seconds?\.?\s*$", re.IGNORECASE)


def error_from_response(response: httpx.Response) -> SyncError:
    """Map an error answer (the `{"error": {...}}` envelope) onto the exception tree."""
    status = response.status_code
    code, message, details = None, None, None
    try:
        envelope = response.json().get("error") or {}
        code = envelope.get("code")
        message = envelope.get("message")
        details = envelope.get("details")
    except (ValueError, AttributeError):
        pass
    if status == 429:
        wait = _retry_after(response)
        if code == "quota_exceeded":
            limit = _TRY_AGAIN.sub("", message or "").strip() or "The server's limit is reached."
            return QuotaExceededError(f"{limit} {_try_again(wait)}", code=code, status=status,
                                      retry_after=wait)
        return RateLimitedError(
            message or f"Too many attempts. {_try_again(wait)}",
            code=code or "too_many_attempts",
            status=status,
            retry_after=wait,
        )
    if status in (401, 403):
        return AuthError(
            message or "The server refused the request: please sign in again.",
            code=code,
            status=status,
        )
    if status == 404:
        return NotFoundError(message or "Not found on the server.", code=code, status=status)
    if status == 409:
        return ConflictError(message or "The request conflicts with what is stored.", code=code,
                             status=status, details=details)
    if status == 413:
        return ValidationError(
            message or "That is too large for the server; shorten it and try again.",
            code=code or "too_large",
            status=status,
            details=details,
        )
    if 400 <= status < 500:
        return ValidationError(
            message or f"The server refused the request (HTTP {status}).",
            code=code,
            status=status,
            details=details,
        )
    return ServerError(
        f"The server had a problem (HTTP {status}"
        + (f": {message}" if message else "")
        + "). Nothing on this device was changed; try again in a minute.",
        code=code,
        status=status,
    )


def _try_again(wait: float | None) -> str:
    """"Try again in 3 minutes." (or "later" when the server gave no time)."""
    if wait is None:
        return "Try again later."
    seconds = max(1, round(wait))
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size * 2 or (unit == "minute" and seconds >= 90):
            count = round(seconds / size)
            return f"Try again in about {count} {unit}{'s' if count != 1 else ''}."
    return f"Try again in {seconds} second{'s' if seconds != 1 else ''}."


def error_code(response: httpx.Response) -> str | None:
    try:
        code = (response.json().get("error") or {}).get("code")
    except (ValueError, AttributeError):
        return None
    return str(code) if code else None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
