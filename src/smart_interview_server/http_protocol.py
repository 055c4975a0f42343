"""uvicorn's h11 protocol with a deadline for reading each request and a size limit on its head.

uvicorn only times out idle keep-alive connections after a response. A client that opens a
connection and sends its headers slowly (or never finishes them) is held for ever, so a few
hundred such connections exhaust the server. Here every request (headers and body) must arrive
within ``request_read_timeout`` seconds of the connection opening or of the previous response;
otherwise the connection is closed.

h11's ``max_incomplete_event_size`` only applies to a head that arrives in pieces; a head that
arrives in one read is accepted at any size. Here a head (request line and headers) longer than
``max_head_bytes`` is answered 431 and the connection closed, however it arrives.
"""

from __future__ import annotations

import asyncio
import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from smart_interview_server.errors import error_body

_END_OF_HEAD = b"\r\n\r\n"


def _head_too_large_response() -> bytes:
    body = json.dumps(
        error_body("headers_too_large", "The request headers are too large.")
    ).encode()
    return (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
        b"content-type: application/json\r\nconnection: close\r\n"
        + f"content-length: {len(body)}\r\n\r\n".encode()
        + body
    )


class DeadlineH11Protocol(H11Protocol):
    request_read_timeout: float = 10.0
    max_head_bytes: int = 16_384
    _read_deadline: asyncio.TimerHandle | None = None
    _head_bytes: int = 0
    _head_tail: bytes = b""

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._head_too_large(data):
            self._disarm_read_deadline()
            self.transport.write(_head_too_large_response())
            self.transport.close()
            return
        super().data_received(data)

    def _head_too_large(self, data: bytes) -> bool:
        """Count the bytes of the request head seen so far (up to its blank line)."""
        window = self._head_tail + data
        end = window.find(_END_OF_HEAD)
        if end >= 0:
            counted = max(0, end + len(_END_OF_HEAD) - len(self._head_tail))
            too_large = self._head_bytes + counted > self.max_head_bytes
            self._head_bytes, self._head_tail = 0, b""
            return too_large
        self._head_bytes += len(data)
        self._head_tail = window[-3:]
        return self._head_bytes > self.max_head_bytes

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_read_deadline()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            self._disarm_read_deadline()  # the whole request is in

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_read_deadline()

    def _arm_read_deadline(self) -> None:
        self._disarm_read_deadline()
        self._read_deadline = self.loop.call_later(self.request_read_timeout, self._read_timed_out)

    def _disarm_read_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_timed_out(self) -> None:
        self._read_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(*, read_timeout: float, max_head_bytes: int) -> type[DeadlineH11Protocol]:
    return type(
        "DeadlineH11Protocol",
        (DeadlineH11Protocol,),
        {"request_read_timeout": read_timeout, "max_head_bytes": max_head_bytes},
    )
