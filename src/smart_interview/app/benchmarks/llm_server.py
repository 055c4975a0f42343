"""A benchmark helper: a real HTTP server on 127.0.0.1 only that speaks the LLM providers'
documented streaming wire formats, errors included, so `smart-interview bench answers` (and the
provider tests) run over real sockets without a paid cloud model.

`POST /v1/chat/completions` answers like OpenAI Chat Completions (`data: {"choices":[{"delta":
{"content":…}}]}` … `data: [DONE]`), `POST /v1/messages` like Anthropic Messages (`event:
message_start` … `content_block_delta` … `message_stop`, with `ping` and mid-stream `error`
events). Error statuses carry each provider's documented error body (`{"error": {"message",
"type", …}}` for OpenAI, `{"type": "error", "error": {…}}` for Anthropic) and any scripted
headers such as `Retry-After`. Bodies are sent with chunked transfer encoding, as the providers
do, so a cut connection is a real incomplete chunked body. Replies are scripted per request with
`LlmServer.script(Reply…)`; unscripted requests get `default_reply` (`LlmServer(ttft_s=…)` sets
its time to first token). Every request is recorded with what became of its stream
(`RecordedRequest.stream`): pieces sent, finished, or hung up by the client before the end —
noticed while the server waits (the socket reads end-of-file) or when a write fails.
Standard library only; nothing is imported or started until `LlmServer()` is built.
"""

from __future__ import annotations

import json
import queue
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_STATUS_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                 403: "permission_error", 404: "not_found_error", 429: "rate_limit_error",
                 500: "api_error", 503: "api_error", 529: "overloaded_error"}


@dataclass
class Reply:
    pieces: tuple[str, ...] = ("Here ", "is ", "an ", "answer.")
    ttft_s: float = 0.0
    """Delay before the first text piece (the provider's time to first token)."""
    gap_s: float = 0.0
    status: int = 200
    error_message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None
    """Close the socket after this many pieces, without ending the body."""
    error_after: int | None = None
    """Send a provider error event after this many pieces (Anthropic `event: error`)."""
    error_type: str = "overloaded_error"
    stall_after: int | None = None
    """Stop sending (connection open) after this many pieces, until the server stops."""
    json_instead: bool = False
    """Answer 200 with a JSON body instead of an event stream (wrong base URL)."""
    end_marker: bool = True
    """OpenAI: send `data: [DONE]`; Anthropic: send `message_stop`."""

    @classmethod
    def text(cls, text: str, *, ttft_s: float = 0.0, gap_s: float = 0.0) -> Reply:
        words = text.split(" ")
        return cls(pieces=tuple(w + (" " if i < len(words) - 1 else "")
                                for i, w in enumerate(words)), ttft_s=ttft_s, gap_s=gap_s)

    @classmethod
    def http_error(cls, status: int, message: str = "", **headers: str) -> Reply:
        return cls(status=status, error_message=message or f"error {status}",
                   headers={k.replace("_", "-"): v for k, v in headers.items()})


@dataclass
class StreamLog:
    """What became of one streamed reply."""

    pieces_sent: int = 0
    finished: bool = False
    """The whole body was sent (end marker included)."""
    hung_up_at: float | None = None
    """`time.monotonic()` when the client was seen closing the stream before its end."""
    first_piece_at: float | None = None

    @property
    def hung_up(self) -> bool:
        return self.hung_up_at is not None


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float
    stream: StreamLog = field(default_factory=StreamLog)


class _HungUp(Exception):
    pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # a client hanging up is normal


class LlmServer:
    def __init__(self, *, ttft_s: float = 0.0) -> None:
        self.default_reply = Reply(ttft_s=ttft_s)
        self.requests: list[RecordedRequest] = []
        self._scripted: queue.Queue[Reply] = queue.Queue()
        self._stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.02}, name="llm-server",
                                        daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def openai_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> None:
        for reply in replies:
            self._scripted.put(reply)

    def next_reply(self) -> Reply:
        try:
            return self._scripted.get_nowait()
        except queue.Empty:
            return self.default_reply

    def start(self) -> LlmServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LlmServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait(self, seconds: float) -> bool:
        return self._stopping.wait(seconds)

    @property
    def hung_up(self) -> list[RecordedRequest]:
        """Requests whose client closed the stream before its end."""
        return [r for r in list(self.requests) if r.stream.hung_up]


def _handler_for(server: LlmServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            self._record = RecordedRequest(self.path, dict(self.headers.items()), body,
                                           time.monotonic())
            server.requests.append(self._record)
            if self.path.endswith("/chat/completions"):
                flavour = "openai"
            elif self.path.endswith("/v1/messages"):
                flavour = "anthropic"
            else:
                self._send_json(404, {"error": {"message": f"no route {self.path}",
                                                "type": "not_found_error"}})
                return
            reply = server.next_reply()
            if reply.status != 200:
                self._send_error(flavour, reply, body)
            elif reply.json_instead:
                self._send_json(200, {"object": "list", "data": []})
            else:
                self._stream(flavour, reply, body)

        # -- wire formats -------------------------------------------------------------

        def _send_error(self, flavour: str, reply: Reply, body: dict[str, Any]) -> None:
            kind = _STATUS_TYPES.get(reply.status, "api_error")
            if flavour == "openai":
                payload: dict[str, Any] = {"error": {
                    "message": reply.error_message, "type": kind, "param": None,
                    "code": "rate_limit_exceeded" if reply.status == 429 else None}}
            else:
                payload = {"type": "error", "error": {"type": kind,
                                                      "message": reply.error_message}}
            self._send_json(reply.status, payload, reply.headers)

        def _send_json(self, status: int, payload: dict[str, Any],
                       headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _chunk(self, text: str) -> None:
            data = text.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _stream(self, flavour: str, reply: Reply, body: dict[str, Any]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache")
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            model = str(body.get("model", "test-model"))
            try:
                if flavour == "openai":
                    self._stream_openai(reply, model)
                else:
                    self._stream_anthropic(reply, model)
            except (BrokenPipeError, ConnectionResetError, _HungUp):
                self._record.stream.hung_up_at = time.monotonic()
                return  # the client hung up (cancelled): that is allowed

        def _wait(self, seconds: float) -> bool:
            """Sleeps up to `seconds` (True: the server stops); raises `_HungUp` as soon as
            the client closes the connection."""
            deadline = time.monotonic() + seconds
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                if server.wait(0):
                    return True
                readable, _, _ = select.select([self.connection], [], [], min(left, 0.02))
                if readable:
                    try:
                        data = self.connection.recv(1, socket.MSG_PEEK)
                    except OSError as exc:
                        raise _HungUp from exc
                    if not data:
                        raise _HungUp

        def _pieces(self, reply: Reply) -> Any:
            """Yields pieces with the scripted timing; returns early for cut/stall/error."""
            if reply.ttft_s and self._wait(reply.ttft_s):
                return
            for index, piece in enumerate(reply.pieces):
                if reply.cut_after is not None and index == reply.cut_after:
                    self._cut()
                    return
                if reply.stall_after is not None and index == reply.stall_after:
                    self._wait(3600)
                    return
                if reply.error_after is not None and index == reply.error_after:
                    yield None
                    return
                if index and reply.gap_s and self._wait(reply.gap_s):
                    return
                log = self._record.stream
                if log.first_piece_at is None:
                    log.first_piece_at = time.monotonic()
                yield piece
                log.pieces_sent += 1

        def _cut(self) -> None:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)

        def _stream_openai(self, reply: Reply, model: str) -> None:
            base = {"id": "chatcmpl-test", "object": "chat.completion.chunk",
                    "created": int(time.time()), "model": model}
            first = {**base, "choices": [{"index": 0, "delta": {"role": "assistant",
                                                                 "content": ""},
                                          "finish_reason": None}]}
            self._chunk(f"data: {json.dumps(first)}\n\n")
            for piece in self._pieces(reply):
                if piece is None:
                    error = {"error": {"message": "The server had an error while processing "
                                       "your request.", "type": "server_error"}}
                    self._chunk(f"data: {json.dumps(error)}\n\n")
                    self._chunk("")
                    return
                event = {**base, "choices": [{"index": 0, "delta": {"content": piece},
                                              "finish_reason": None}]}
                self._chunk(f"data: {json.dumps(event)}\n\n")
            else:
                if not self._finished_normally(reply):
                    return
                last = {**base, "choices": [{"index": 0, "delta": {},
                                             "finish_reason": "stop"}]}
                self._chunk(f"data: {json.dumps(last)}\n\n")
                if reply.end_marker:
                    self._chunk("data: [DONE]\n\n")
                self._chunk("")
                self._record.stream.finished = True

        def _finished_normally(self, reply: Reply) -> bool:
            count = len(reply.pieces)
            return not any(limit is not None and limit < count for limit in
                           (reply.cut_after, reply.stall_after)) and not server._stopping.is_set()

        def _event(self, name: str, data: dict[str, Any]) -> None:
            self._chunk(f"event: {name}\ndata: {json.dumps(data)}\n\n")

        def _stream_anthropic(self, reply: Reply, model: str) -> None:
            self._event("message_start", {"type": "message_start", "message": {
                "id": "msg_test", "type": "message", "role": "assistant", "content": [],
                "model": model, "stop_reason": None, "stop_sequence": None,
                "usage": {"input_tokens": 25, "output_tokens": 1}}})
            self._event("content_block_start", {"type": "content_block_start", "index": 0,
                                                "content_block": {"type": "text", "text": ""}})
            self._event("ping", {"type": "ping"})
            for piece in self._pieces(reply):
                if piece is None:
                    self._event("error", {"type": "error", "error": {
                        "type": reply.error_type, "message": "Overloaded"}})
                    self._chunk("")
                    return
                self._event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                    "delta": {"type": "text_delta",
                                                              "text": piece}})
            else:
                if not self._finished_normally(reply):
                    return
                self._event("content_block_stop", {"type": "content_block_stop", "index": 0})
                self._event("message_delta", {"type": "message_delta", "delta": {
                    "stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": len(reply.pieces)}})
                if reply.end_marker:
                    self._event("message_stop", {"type": "message_stop"})
                self._chunk("")
                self._record.stream.finished = True

    return Handler
