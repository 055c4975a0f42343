"""The httpx transport of a session on the shared local backend (see `app.sync_wiring`)."""

from __future__ import annotations

from collections.abc import Callable

import httpx


class LocalBackendTransport(httpx.BaseTransport):
    """Sends each request to where the shared local backend listens now (`current_url()`).
    A refused connection (the process that ran it has exited; the request never reached a
    server) calls `recover(failed_url)`, which finds or starts the backend that runs now, and
    the request is sent once more. `recover` raises a `NetworkError` that says why when the
    backend cannot be used; it reaches the caller as it is."""

    def __init__(self, *, current_url: Callable[[], str], recover: Callable[[str], str],
                 inner: httpx.BaseTransport) -> None:
        self._current_url = current_url
        self._recover = recover
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = self._current_url()
        try:
            return self._inner.handle_request(_aimed_at(request, url))
        except httpx.ConnectError:
            url = self._recover(url)
        return self._inner.handle_request(_aimed_at(request, url))

    def close(self) -> None:
        self._inner.close()


def _aimed_at(request: httpx.Request, base_url: str) -> httpx.Request:
    port = httpx.URL(base_url).port
    if request.url.port != port:
        request.url = request.url.copy_with(port=port)
        request.headers["Host"] = f"{request.url.host}:{port}"
    return request
