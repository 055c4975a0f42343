"""The one place the desktop app builds HTTP clients, so every request it makes is counted.

`NetworkDoor.client(purpose=...)` returns an `httpx.Client` whose transport records each request
in the door's `NetworkLog`; `NetworkDoor.transport(...)` gives the same recording transport to
code that builds its client around an injected transport (the backend client). A purpose is
fixed per client, or decided per request by a function (one backend client serves the account,
the CV and the dossiers).

Counting happens where bytes cross the transport: the request body as the connection reads it,
the response body as the caller reads it. A streamed response's entry ends when its stream is
closed: "complete" when it was read to the end, "cancelled" when closed early, "failed" when reading
raised. A request that never got a response ends "failed" with the error's type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx

from smart_interview.app.network.log import NetworkLog, Outcome, Purpose

PurposeOf = Purpose | Callable[[httpx.Request], Purpose]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def backend_purpose(request: httpx.Request) -> Purpose:
    """The purpose of a request to the Smart Interview backend, from its API path."""
    parts = [p for p in request.url.path.split("/") if p]
    if "cv" in parts:
        return Purpose.CV
    if "dossiers" in parts:
        return Purpose.DOSSIER
    return Purpose.ACCOUNT


class NetworkDoor:
    """Makes the app's HTTP clients. `inner` builds the transport that really sends (tests may
    pass another real transport); by default an `httpx.HTTPTransport` without retries."""

    def __init__(self, *, log: NetworkLog | None = None,
                 inner: Callable[[], httpx.BaseTransport] | None = None) -> None:
        self.log = log if log is not None else NetworkLog()
        self._inner = inner or (lambda: httpx.HTTPTransport(retries=0))

    def transport(self, *, purpose: PurposeOf,
                  inner: httpx.BaseTransport | None = None) -> RecordingTransport:
        return RecordingTransport(inner if inner is not None else self._inner(),
                                  log=self.log, purpose=purpose)

    def client(self, *, purpose: PurposeOf, inner: httpx.BaseTransport | None = None,
               around: Callable[[httpx.BaseTransport], httpx.BaseTransport] | None = None,
               **options: Any) -> httpx.Client:
        """An `httpx.Client` (any of its options except `transport`) that records every
        request. Proxies and certificates from the environment are ignored unless
        `trust_env=True` is passed. `around` wraps the recording transport in one that
        decides where each request goes (the local backend's port), so the log keeps what
        was really sent."""
        if "transport" in options:
            raise TypeError("pass the real transport as `inner`; the door wraps it")
        options.setdefault("trust_env", False)
        sent: httpx.BaseTransport = self.transport(purpose=purpose, inner=inner)
        return httpx.Client(transport=around(sent) if around is not None else sent, **options)


class RecordingTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, *, log: NetworkLog,
                 purpose: PurposeOf) -> None:
        self._inner = inner
        self._log = log
        self._purpose = purpose

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        purpose = self._purpose if isinstance(self._purpose, Purpose) else self._purpose(request)
        url = request.url
        host = url.host if url.port in (None, _DEFAULT_PORTS.get(url.scheme)) \
            else f"{url.host}:{url.port}"
        entry = self._log.start(purpose=purpose, method=request.method, host=host,
                                path=url.path)
        self._log.update(entry.id, sent=_head_size(request))
        body = request.stream
        if isinstance(body, httpx.SyncByteStream):
            request.stream = _CountingRequestBody(body, lambda n: self._log.update(entry.id,
                                                                                    sent=n))
        try:
            response = self._inner.handle_request(request)
        except BaseException as exc:
            outcome = Outcome.CANCELLED if isinstance(exc, KeyboardInterrupt) else Outcome.FAILED
            self._log.finish(entry.id, outcome=outcome, error=type(exc).__name__)
            raise
        self._log.update(entry.id, status=response.status_code,
                         received=_response_head_size(response))
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CountingResponseBody(response.stream, log=self._log, entry_id=entry.id),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


class _CountingRequestBody(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, count: Callable[[int], None]) -> None:
        self._inner = inner
        self._count = count

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._count(len(chunk))
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _CountingResponseBody(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, *, log: NetworkLog, entry_id: int) -> None:
        self._inner = inner
        self._log = log
        self._entry_id = entry_id
        self._complete = False
        self._error = ""

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self._inner:
                self._log.update(self._entry_id, received=len(chunk))
                yield chunk
        except BaseException as exc:
            if not isinstance(exc, GeneratorExit):
                self._error = type(exc).__name__
            raise
        self._complete = True

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            if self._error:
                outcome = Outcome.FAILED
            else:
                outcome = Outcome.COMPLETE if self._complete else Outcome.CANCELLED
            self._log.finish(self._entry_id, outcome=outcome, error=self._error)


def _head_size(request: httpx.Request) -> int:
    target = request.url.raw_path
    line = len(request.method) + 1 + len(target) + len(b" HTTP/1.1\r\n")
    return line + sum(len(k) + len(v) + 4 for k, v in request.headers.raw) + 2


def _response_head_size(response: httpx.Response) -> int:
    reason = response.extensions.get("reason_phrase", b"")
    line = len(b"HTTP/1.1 000 \r\n") + len(reason)
    return line + sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2
