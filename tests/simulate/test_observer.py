"""simulate's observer reads a real strace of a real process: a client sending through the
network door to an HTTP server running in the same process, and a datagram sent without
connect(). The requests and bodies come back from the bytes alone; the server's responses
(on sockets it accepted) are not counted as sent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from smart_interview.app.commands.simulate_observer import TRACE_CALLS, http_requests, observe
from tests.privacy.observers import require_strace

ROOT = Path(__file__).resolve().parents[2]

CLIENT = r"""
import json, socket, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from smart_interview.app.network import Purpose
from smart_interview.app.network.door import NetworkDoor

class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self._reply(b"RESPONSE-" + body)
    def do_GET(self):
        self._reply(b"RESPONSE-GET")
    def _reply(self, data):
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
threading.Thread(target=server.serve_forever, daemon=True).start()
door = NetworkDoor()
base = f"http://127.0.0.1:{server.server_address[1]}"
with door.client(purpose=Purpose.ANSWER) as client:
    client.post(base + "/ask?secret=1", json={"question": "Why Reykjavik?"})
    client.get(base + "/models")
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
    udp.sendto(b"not http", ("127.0.0.1", 9))
server.shutdown()
print(json.dumps([[e.host, e.method, e.path, e.bytes_sent] for e in door.log.entries()]))
"""


def test_the_observer_reads_requests_and_bodies_from_a_real_trace(tmp_path: Path) -> None:
    strace = require_strace()
    trace = tmp_path / "trace"
    done = subprocess.run(
        [strace, "-f", "-qq", "-yy", "-xx", "-s", "1048576", "-e", "signal=none",
         "-e", f"trace={TRACE_CALLS}", "-o", str(trace), sys.executable, "-c", CLIENT],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    logged = json.loads(done.stdout.splitlines()[-1])
    seen = observe(trace.read_text(encoding="latin-1"))

    [(host, _, _, _), _] = logged
    assert set(seen["addresses"]) == {host, "127.0.0.1:9"}
    http = seen["addresses"][host]
    assert http["connects"] == 1 and http["unparsed"] == []
    assert [(r["method"], r["path"]) for r in http["requests"]] == [
        (method, path) for _, method, path, _ in logged] == [("POST", "/ask"), ("GET", "/models")]
    assert json.loads(http["requests"][0]["body"]) == {"question": "Why Reykjavik?"}
    # What was sent is what the door counted; the server's responses are not in it.
    assert http["bytes_sent"] == sum(sent for *_, sent in logged)
    assert all("RESPONSE" not in r["body"] for r in http["requests"])
    datagram = seen["addresses"]["127.0.0.1:9"]
    assert datagram["bytes_sent"] == len(b"not http") and datagram["requests"] == []


def test_bytes_that_are_not_http_are_reported_not_dropped() -> None:
    requests, problem = http_requests(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n\x16\x03\x01 tls")
    assert [r["method"] for r in requests] == ["GET"]
    assert problem.startswith("not HTTP/1.1")
