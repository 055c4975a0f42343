"""The server embedded in another process: starts on a free port, serves, stops."""

from __future__ import annotations

from pathlib import Path

import httpx

from smart_interview_server.embedded import start_embedded_server
from tests.server.harness import API, new_user


def test_embedded_server_serves_and_stops(tmp_path: Path) -> None:
    server = start_embedded_server(database_url=f"sqlite:///{tmp_path / 'local.db'}")
    try:
        assert server.url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get(f"{API}/health").json()["status"] == "ok"
            user = new_user(client)
            assert user.put("/cv", json={"text": "Python"}).status_code == 200
    finally:
        server.stop()
    assert (tmp_path / "jwt-secret").exists()  # kept next to the database, not in the user's home
    try:
        httpx.get(f"{server.url}{API}/health", timeout=1)
        raise AssertionError("server still answers after stop()")
    except httpx.TransportError:
        pass
