"""The network door against a real HTTP server on 127.0.0.1: what the log records is what
crossed the wire."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from smart_interview.app.network import (
    NetworkEntry,
    Outcome,
    Purpose,
    render_report,
    render_table,
    summary,
)
from smart_interview.app.network.door import NetworkDoor, backend_purpose

CHUNK = b"x" * 1000


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    release_rest = threading.Event()
    received: list[tuple[str, bytes]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/stream"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._chunk(CHUNK)
            self.server.release_rest.wait(10)
            for _ in range(4):
                self._chunk(CHUNK)
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path.startswith("/drop"):
            self.close_connection = True
            self.connection.shutdown(2)
            return
        status = 500 if self.path.startswith("/broken") else 200
        body = b"hello"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, body))
        reply = str(len(body)).encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.release_rest = threading.Event()
    srv.received = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.release_rest.set()
    srv.shutdown()
    srv.server_close()


def _base(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_a_request_is_logged_with_host_purpose_path_without_query_and_bytes(
        server: _Server) -> None:
    door = NetworkDoor()
    seen: list[NetworkEntry] = []
    door.log.subscribe(seen.append)
    with door.client(purpose=Purpose.ANSWER, base_url=_base(server)) as client:
        response = client.get("/v1/chat", params={"api_key": "sk-secret", "q": "salary"})
    assert response.text == "hello"
    [entry] = door.log.entries()
    port = server.server_address[1]
    assert (entry.host, entry.purpose, entry.method, entry.path) == (
        f"127.0.0.1:{port}", Purpose.ANSWER, "GET", "/v1/chat")
    assert "sk-secret" not in repr(entry) and "salary" not in repr(entry)
    assert entry.status == 200 and entry.outcome is Outcome.COMPLETE
    head = (b"HTTP/1.1 200 OK\r\n" + b"".join(
        k + b": " + v + b"\r\n" for k, v in response.headers.raw) + b"\r\n")
    assert entry.bytes_received == len(head) + len(b"hello")
    assert entry.bytes_sent > len("GET /v1/chat?api_key=sk-secret&q=salary HTTP/1.1\r\n")
    assert entry.duration_s is not None and entry.duration_s >= 0
    assert [e.finished for e in seen] == [False, True] and seen[1] == entry


def test_request_bodies_are_counted_as_sent(server: _Server) -> None:
    door = NetworkDoor()
    body = b"question and its context " * 400
    with door.client(purpose=Purpose.DOSSIER) as client:
        response = client.post(f"{_base(server)}/upload", content=body)
        small = client.post(f"{_base(server)}/upload", json={"a": 1})
    assert response.status_code == 201 and response.text == str(len(body))
    big_entry, small_entry = door.log.entries()
    assert big_entry.bytes_sent == _wire_size(response.request) + len(body)
    assert small_entry.bytes_sent == _wire_size(small.request) + len(b'{"a":1}')
    assert server.received[0] == ("/upload", body)


def test_a_stream_counts_bytes_as_they_are_read_and_ends_when_closed(server: _Server) -> None:
    door = NetworkDoor()
    finished: list[NetworkEntry] = []
    door.log.subscribe(lambda e: finished.append(e) if e.finished else None)
    with door.client(purpose=Purpose.ANSWER) as client, \
            client.stream("GET", f"{_base(server)}/stream") as response:
        chunks = response.iter_raw()
        first = next(chunks)
        [entry] = door.log.entries()
        assert entry.outcome is Outcome.IN_PROGRESS and not finished
        head = entry.bytes_received - len(first)
        assert len(first) <= len(CHUNK)
        server.release_rest.set()
        rest = b"".join(chunks)
    assert len(first) + len(rest) == 5 * len(CHUNK)
    [entry] = door.log.entries()
    assert entry.outcome is Outcome.COMPLETE and finished == [entry]
    assert entry.bytes_received == head + 5 * len(CHUNK)


def test_a_stream_closed_early_is_recorded_as_cancelled(server: _Server) -> None:
    door = NetworkDoor()
    with door.client(purpose=Purpose.ANSWER) as client, \
            client.stream("GET", f"{_base(server)}/stream") as response:
        next(response.iter_raw())
    [entry] = door.log.entries()
    assert entry.outcome is Outcome.CANCELLED and entry.status == 200
    assert entry.duration_s is not None


def test_failed_requests_are_recorded_with_their_error(server: _Server) -> None:
    door = NetworkDoor()
    with door.client(purpose=Purpose.ACCOUNT, timeout=5) as client:
        assert client.get(f"{_base(server)}/broken").status_code == 500
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(f"{_base(server)}/drop")
        free = _free_port()
        with pytest.raises(httpx.ConnectError):
            client.get(f"http://127.0.0.1:{free}/nothing?token=abc")
    broken, dropped, refused = door.log.entries()
    assert (broken.status, broken.outcome) == (500, Outcome.COMPLETE)
    assert (dropped.outcome, dropped.error, dropped.status) == (
        Outcome.FAILED, "RemoteProtocolError", None)
    assert (refused.outcome, refused.error, refused.path) == (
        Outcome.FAILED, "ConnectError", "/nothing")


def test_concurrent_requests_each_get_one_entry(server: _Server) -> None:
    door = NetworkDoor()
    with door.client(purpose=Purpose.CV) as client, ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda i: client.get(f"{_base(server)}/item/{i}").status_code,
                              range(40)))
    entries = door.log.entries()
    assert codes == [200] * 40
    assert sorted(e.path for e in entries) == sorted(f"/item/{i}" for i in range(40))
    assert len({e.id for e in entries}) == 40 and all(e.finished for e in entries)


def test_backend_requests_get_their_purpose_from_the_path(server: _Server) -> None:
    door = NetworkDoor()
    transport = door.transport(purpose=backend_purpose)
    with httpx.Client(transport=transport, base_url=_base(server) + "/api/v1") as client:
        for path in ("/auth/login", "/cv", "/dossiers/42", "/account"):
            client.get(path)
    assert [e.purpose for e in door.log.entries()] == [
        Purpose.ACCOUNT, Purpose.CV, Purpose.DOSSIER, Purpose.ACCOUNT]


def test_summary_and_table_describe_what_happened(server: _Server) -> None:
    door = NetworkDoor()
    assert summary(door.log.entries(), label="This interview") == (
        "This interview: 0 requests to Smart Interview servers")
    with door.client(purpose=Purpose.ANSWER) as answers, \
            door.client(purpose=Purpose.DOSSIER) as backend:
        start = door.log.last_id()
        for _ in range(3):
            answers.get(f"{_base(server)}/v1/chat/completions?stream=true")
        backend.get(f"{_base(server)}/api/v1/dossiers")
    port = server.server_address[1]
    assert summary(door.log.entries(since=start), label="This interview") == (
        f"This interview: 1 request to Smart Interview servers · 3 to 127.0.0.1:{port} "
        "(answers)")
    table = render_table(door.log.entries()).splitlines()
    assert table[0].split() == ["time", "purpose", "method", "host", "path", "sent",
                                "received", "status", "ms", "result"]
    assert len(table) == 5 and "/v1/chat/completions" in table[1]
    assert "stream=true" not in "\n".join(table)
    assert render_table([]) == "No network requests."
    report = render_report(door.log.entries(), label="This interview").splitlines()
    assert report[:5] == table and report[5] == ""
    assert report[6] == summary(door.log.entries(), label="This interview")


def test_the_door_refuses_a_transport_it_would_not_wrap() -> None:
    with pytest.raises(TypeError, match="inner"):
        NetworkDoor().client(purpose=Purpose.MODEL, transport=httpx.HTTPTransport())


def _wire_size(request: httpx.Request) -> int:
    """The request line and headers exactly as HTTP/1.1 writes them."""
    head = request.method.encode() + b" " + request.url.raw_path + b" HTTP/1.1\r\n"
    head += b"".join(k + b": " + v + b"\r\n" for k, v in request.headers.raw) + b"\r\n"
    return len(head)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
