"""Finds answer servers already running on this device, so answers can stay on it.

Looks, in parallel and only on 127.0.0.1, at the default ports of three servers that speak the
OpenAI Chat Completions format:
- Ollama on 11434: `GET /api/tags` ({"models": [{"name": …}, …]}), else `GET /v1/models`;
- LM Studio on 1234: `GET /v1/models` ({"object": "list", "data": [{"id": …}, …]});
- a llama.cpp server on 8080: `GET /health` ({"status": "ok"}, or 503 while it loads a
  model) and `GET /v1/models`.
Every request goes through the app's `NetworkDoor` (purpose "answer"), with a short timeout and
a cap on the reply's size; nothing is sent but the GETs above. A port where nothing listens,
or where something answers in another format, is simply not offered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from smart_interview.app.network.door import NetworkDoor

LOOPBACK = "127.0.0.1"
MAX_REPLY_BYTES = 256 * 1024
"""A model list is a few kilobytes; anything longer is not one."""


@dataclass(frozen=True)
class LocalServer:
    kind: str
    """"Ollama", "LM Studio" or "llama.cpp server"."""
    base_url: str
    """The OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1."""
    models: tuple[str, ...]
    ready: bool = True
    """False while the server is still loading its model (llama.cpp)."""

    def describe(self) -> str:
        models = ", ".join(self.models) if self.models else "no model listed"
        state = "" if self.ready else " (still loading its model)"
        return f"{self.kind} at {self.base_url.removesuffix('/v1')}{state}: {models}"


Probe = Callable[["httpx.Client", str, str], "LocalServer | None"]
"""probe(client, origin, kind) → the server found at origin (http://127.0.0.1:PORT), or None."""


@dataclass(frozen=True)
class Candidate:
    kind: str
    port: int
    probe: Probe


def _get_json(client: httpx.Client, url: str) -> tuple[int, Any] | None:
    """(status, parsed body) or None when nothing usable came back."""
    import httpx

    try:
        with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
            body = bytearray()
            for chunk in response.iter_raw():
                body += chunk
                if len(body) > MAX_REPLY_BYTES:
                    return None
            return response.status_code, json.loads(bytes(body).decode("utf-8"))
    except (httpx.HTTPError, ValueError):
        return None


def _openai_models(client: httpx.Client, origin: str) -> tuple[str, ...] | None:
    reply = _get_json(client, f"{origin}/v1/models")
    if reply is None or reply[0] != 200 or not isinstance(reply[1], dict):
        return None
    data = reply[1].get("data")
    if not isinstance(data, list):
        return None
    return tuple(str(m["id"]) for m in data if isinstance(m, dict) and m.get("id"))


def probe_ollama(client: httpx.Client, origin: str, kind: str) -> LocalServer | None:
    reply = _get_json(client, f"{origin}/api/tags")
    models: tuple[str, ...] | None = None
    if reply is not None and reply[0] == 200 and isinstance(reply[1], dict) \
            and isinstance(reply[1].get("models"), list):
        models = tuple(str(m.get("name") or m.get("model")) for m in reply[1]["models"]
                       if isinstance(m, dict) and (m.get("name") or m.get("model")))
    if models is None:
        models = _openai_models(client, origin)
    return None if models is None else LocalServer(kind, f"{origin}/v1", models)


def probe_openai_models(client: httpx.Client, origin: str, kind: str) -> LocalServer | None:
    models = _openai_models(client, origin)
    return None if models is None else LocalServer(kind, f"{origin}/v1", models)


def probe_llama_cpp(client: httpx.Client, origin: str, kind: str) -> LocalServer | None:
    health = _get_json(client, f"{origin}/health")
    loading = health is not None and health[0] == 503
    models = _openai_models(client, origin)
    if models is None:
        if loading:  # the model list comes once the model is loaded
            return LocalServer(kind, f"{origin}/v1", (), ready=False)
        return None
    return LocalServer(kind, f"{origin}/v1", models, ready=not loading)


DEFAULT_CANDIDATES: tuple[Candidate, ...] = (
    Candidate("Ollama", 11434, probe_ollama),
    Candidate("LM Studio", 1234, probe_openai_models),
    Candidate("llama.cpp server", 8080, probe_llama_cpp),
)


def discover(*, door: NetworkDoor | None = None,
             candidates: Sequence[Candidate] = DEFAULT_CANDIDATES,
             timeout_s: float = 0.5) -> list[LocalServer]:
    """The servers found, in the order of `candidates`. Returns within about
    3 × `timeout_s` whatever the ports do (a server that accepts and never answers included)."""
    import httpx

    from smart_interview.app.network import Purpose
    from smart_interview.app.network.door import NetworkDoor

    door = door or NetworkDoor()
    client = door.client(purpose=Purpose.ANSWER, timeout=httpx.Timeout(timeout_s),
                         follow_redirects=False)
    pool = ThreadPoolExecutor(max_workers=max(1, len(candidates)),
                              thread_name_prefix="local-llm")
    try:
        futures = [pool.submit(c.probe, client, f"http://{LOOPBACK}:{c.port}", c.kind)
                   for c in candidates]
        deadline = time.monotonic() + 3 * timeout_s
        wait(futures, timeout=max(0.0, deadline - time.monotonic()))
        found = [f.result() for f in futures
                 if f.done() and not f.cancelled() and f.exception() is None]
        return [server for server in found if server is not None]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        client.close()
