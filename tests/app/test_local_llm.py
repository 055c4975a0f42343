"""Finding model servers on this device: real HTTP servers on 127.0.0.1 that answer in each
server's documented format (Ollama's /api/tags, the OpenAI /v1/models list, llama.cpp's
/health), a closed port, a server that accepts and never answers, and one that floods."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from smart_interview.app.local_llm import (
    DEFAULT_CANDIDATES,
    Candidate,
    LocalServer,
    discover,
    probe_llama_cpp,
    probe_ollama,
    probe_openai_models,
)
from smart_interview.app.network import NetworkLog, Purpose
from smart_interview.app.network.door import NetworkDoor

OLLAMA_TAGS = {"models": [
    {"name": "llama3.2:latest", "model": "llama3.2:latest",
     "modified_at": "2025-05-04T17:37:44.706015396-07:00", "size": 2019393189,
     "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
     "details": {"parent_model": "", "format": "gguf", "family": "llama",
                 "families": ["llama"], "parameter_size": "3.2B",
                 "quantization_level": "Q4_K_M"}},
    {"name": "qwen2.5:7b", "model": "qwen2.5:7b", "modified_at": "2025-05-01T10:00:00Z",
     "size": 4683087332,
     "digest": "845dbda0ea48ed749caafd9e6037047aa19acfcfd82e704d7ca97d631a0b697e",
     "details": {"format": "gguf", "family": "qwen2", "parameter_size": "7.6B",
                 "quantization_level": "Q4_K_M"}}]}
LM_STUDIO_MODELS = {"object": "list", "data": [
    {"id": "qwen2.5-7b-instruct", "object": "model", "owned_by": "organization_owner"},
    {"id": "text-embedding-nomic-embed-text-v1.5", "object": "model",
     "owned_by": "organization_owner"}]}
LLAMA_CPP_MODELS = {"object": "list", "models": [{"name": "gemma-3-4b-it-Q4_K_M.gguf",
                                                  "model": "gemma-3-4b-it-Q4_K_M.gguf"}],
                    "data": [{"id": "gemma-3-4b-it-Q4_K_M.gguf", "object": "model",
                              "created": 1746000000, "owned_by": "llamacpp",
                              "meta": {"n_ctx_train": 131072, "n_params": 3880263168}}]}
LOADING = {"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}

Routes = dict[str, tuple[int, Any]]


class JsonServer:
    """A real HTTP server on 127.0.0.1 answering GETs from a route table; records paths."""

    def __init__(self, routes: Routes) -> None:
        self.routes = routes
        self.paths: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.paths.append(self.path)
                status, body = owner.routes.get(self.path, (404, {"error": "not found"}))
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[JsonServer] = []

    def start(routes: Routes) -> JsonServer:
        server = JsonServer(routes)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_defaults_are_the_documented_ports() -> None:
    assert [(c.kind, c.port) for c in DEFAULT_CANDIDATES] == [
        ("Ollama", 11434), ("LM Studio", 1234), ("llama.cpp server", 8080)]


def test_each_server_is_found_with_its_models_through_the_door(serve: Any) -> None:
    ollama = serve({"/api/tags": (200, OLLAMA_TAGS)})
    lm_studio = serve({"/v1/models": (200, LM_STUDIO_MODELS)})
    llama = serve({"/health": (200, {"status": "ok"}), "/v1/models": (200, LLAMA_CPP_MODELS)})
    log = NetworkLog()
    found = discover(door=NetworkDoor(log=log), candidates=(
        Candidate("Ollama", ollama.port, probe_ollama),
        Candidate("LM Studio", lm_studio.port, probe_openai_models),
        Candidate("llama.cpp server", llama.port, probe_llama_cpp)))
    assert found == [
        LocalServer("Ollama", f"http://127.0.0.1:{ollama.port}/v1",
                    ("llama3.2:latest", "qwen2.5:7b")),
        LocalServer("LM Studio", f"http://127.0.0.1:{lm_studio.port}/v1",
                    ("qwen2.5-7b-instruct", "text-embedding-nomic-embed-text-v1.5")),
        LocalServer("llama.cpp server", f"http://127.0.0.1:{llama.port}/v1",
                    ("gemma-3-4b-it-Q4_K_M.gguf",)),
    ]
    assert ollama.paths == ["/api/tags"] and lm_studio.paths == ["/v1/models"]
    assert sorted(llama.paths) == ["/health", "/v1/models"]
    entries = log.entries()
    assert len(entries) == 4
    assert {e.purpose for e in entries} == {Purpose.ANSWER}
    assert {e.method for e in entries} == {"GET"}
    assert {e.host.split(":")[0] for e in entries} == {"127.0.0.1"}
    assert "answers stay" not in found[0].describe()  # the UI adds that sentence
    assert found[0].describe() == (f"Ollama at http://127.0.0.1:{ollama.port}: "
                                   "llama3.2:latest, qwen2.5:7b")


def test_ollama_without_the_tags_endpoint_falls_back_to_the_openai_list(serve: Any) -> None:
    server = serve({"/v1/models": (200, {"object": "list", "data": [
        {"id": "llama3.2:latest", "object": "model", "created": 1, "owned_by": "library"}]})})
    [found] = discover(candidates=(Candidate("Ollama", server.port, probe_ollama),))
    assert found.models == ("llama3.2:latest",)


def test_a_llama_cpp_server_loading_its_model_is_offered_as_not_ready(serve: Any) -> None:
    server = serve({"/health": (503, LOADING), "/v1/models": (503, LOADING)})
    [found] = discover(candidates=(Candidate("llama.cpp server", server.port,
                                             probe_llama_cpp),))
    assert not found.ready and found.models == ()
    assert "still loading its model" in found.describe()


def test_other_servers_on_those_ports_are_not_offered(serve: Any) -> None:
    web = serve({"/": (200, b"<html>hello</html>"), "/health": (200, {"status": "ok"}),
                 "/v1/models": (200, b"<html>not json</html>")})
    odd = serve({"/api/tags": (200, {"tags": []}), "/v1/models": (200, {"models": "x"})})
    assert discover(candidates=(Candidate("llama.cpp server", web.port, probe_llama_cpp),
                                Candidate("Ollama", odd.port, probe_ollama))) == []


def test_an_endless_reply_is_cut_off(serve: Any) -> None:
    flood = serve({"/v1/models": (200, b'{"object":"list","data":[' + b" " * 2_000_000
                                  + b"]}")})
    assert discover(candidates=(Candidate("LM Studio", flood.port,
                                          probe_openai_models),)) == []


def test_a_closed_port_and_a_hanging_server_cost_no_more_than_the_timeout(serve: Any) -> None:
    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(8)  # the kernel completes the handshake; nobody ever answers
    good = serve({"/v1/models": (200, LM_STUDIO_MODELS)})
    try:
        started = time.monotonic()
        found = discover(timeout_s=0.3, candidates=(
            Candidate("Ollama", closed_port(), probe_ollama),
            Candidate("llama.cpp server", hanging.getsockname()[1], probe_llama_cpp),
            Candidate("LM Studio", good.port, probe_openai_models)))
        elapsed = time.monotonic() - started
    finally:
        hanging.close()
    assert [s.kind for s in found] == ["LM Studio"]
    assert elapsed < 1.2, f"discovery took {elapsed:.2f} s with a 0.3 s timeout"
