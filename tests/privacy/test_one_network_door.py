"""Nothing in the desktop app opens a connection except through the network door.

The source of `src/smart_interview` is parsed (not imported) and every call is resolved through
the file's imports, so `import httpx as h; h.Client()` and `from socket import socket` are
caught as well as the plain spellings.
"""

from __future__ import annotations

import ast
from pathlib import Path

import smart_interview

PACKAGE = Path(smart_interview.__file__).parent
DOOR = "app/network/door.py"

FORBIDDEN = {
    "httpx.Client", "httpx.AsyncClient", "httpx.HTTPTransport", "httpx.AsyncHTTPTransport",
    "httpx.get", "httpx.post", "httpx.put", "httpx.patch", "httpx.delete", "httpx.head",
    "httpx.options", "httpx.request", "httpx.stream",
    "socket.socket", "socket.create_connection", "socket.socketpair", "socket.fromfd",
    "urllib.request.urlopen", "urllib.request.build_opener", "urllib.request.Request",
    "http.client.HTTPConnection", "http.client.HTTPSConnection",
}
FORBIDDEN_MODULES = ("requests", "aiohttp", "urllib3", "httpcore", "websockets")
"""Any call into these counts."""

ALLOWED_TODAY: dict[str, set[str]] = {}
"""Known offenders, each to be switched to the door and then removed from this list (the test
fails when an entry is no longer needed, so the list only shrinks)."""


def _aliases(tree: ast.AST) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def connection_calls(source: str) -> set[str]:
    """The forbidden calls in `source`, by their full names."""
    tree = ast.parse(source)
    aliases = _aliases(tree)
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name is None:
            continue
        head, _, rest = name.partition(".")
        if head not in aliases:
            continue
        full = aliases[head] + (f".{rest}" if rest else "")
        if full in FORBIDDEN or full.split(".")[0] in FORBIDDEN_MODULES:
            found.add(full)
    return found


def offenders() -> dict[str, set[str]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative == DOOR:
            continue
        calls = connection_calls(path.read_text(encoding="utf-8"))
        if calls:
            found[relative] = calls
    return found


def test_the_scanner_sees_every_spelling() -> None:
    source = """
import httpx as h
import socket
import requests
from socket import socket as raw
from urllib.request import urlopen
from http import client

def f():
    from httpx import AsyncClient
    h.Client(); raw(); urlopen("http://x"); client.HTTPConnection("x")
    socket.create_connection(("x", 1)); requests.get("x"); AsyncClient()
    h.Timeout(1.0); socket.gethostname()
"""
    assert connection_calls(source) == {
        "httpx.Client", "socket.socket", "urllib.request.urlopen",
        "http.client.HTTPConnection", "socket.create_connection", "requests.get",
        "httpx.AsyncClient"}


def test_only_the_network_door_opens_connections() -> None:
    found = offenders()
    unexpected = {path: calls - ALLOWED_TODAY.get(path, set())
                  for path, calls in found.items()}
    unexpected = {path: calls for path, calls in unexpected.items() if calls}
    assert unexpected == {}, "build clients with smart_interview.app.network.door.NetworkDoor"
    stale = {path: calls - found.get(path, set()) for path, calls in ALLOWED_TODAY.items()}
    assert {path: calls for path, calls in stale.items() if calls} == {}, (
        "these no longer open connections themselves: remove them from ALLOWED_TODAY")


def test_the_door_itself_is_found_by_the_scanner() -> None:
    assert "httpx.Client" in connection_calls((PACKAGE / DOOR).read_text(encoding="utf-8"))
