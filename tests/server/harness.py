"""Start the real `smart-interview-server` process on loopback and talk to it over HTTP."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.support.waiting import wait_until

API = "/api/v1"
JWT_SECRET = "test-secret-" + "x" * 40
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command() -> list[str]:
    script = Path(sys.executable).with_name("smart-interview-server")
    if script.exists():
        return [str(script)]
    found = shutil.which("smart-interview-server")
    return [found] if found else [sys.executable, "-m", "smart_interview_server"]


def clean_environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SMART_INTERVIEW_SERVER_") and key != "DATABASE_URL"
    }


@dataclass
class ServerProcess:
    """One server process; its stdout+stderr go to ``log_path``."""

    database_url: str
    data_dir: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "server.log"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        return self.launch().wait_ready(timeout)

    def launch(self) -> ServerProcess:
        """Start the process without waiting for it (see `wait_ready`)."""
        self.port = free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            *server_command(),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--database-url",
            self.database_url,
            "--data-dir",
            str(self.data_dir),
            *self.args,
        ]
        environment = clean_environment()
        environment.update(self.env)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=environment
        )
        log.close()
        return self

    def wait_ready(self, timeout: float = 30.0) -> ServerProcess:
        try:
            wait_until(self._ready, timeout=timeout, message="server start")
        except AssertionError:
            self.stop()
            raise RuntimeError(f"server did not start:\n{self.log_text()}") from None
        return self

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{self.log_text()}")
        try:
            return httpx.get(f"{self.url}{API}/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def log_text(self) -> str:
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )


@dataclass
class Backend:
    """A running server plus direct access to its database for inspection."""

    kind: str  # "sqlite" | "postgres"
    server: ServerProcess

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def sqlite_path(self) -> Path | None:
        if self.kind != "sqlite":
            return None
        return Path(make_url(self.server.database_url).database or "")

    def query(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        engine = create_engine(self.server.database_url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                rows = [tuple(row) for row in connection.execute(text(sql), params)]
        finally:
            engine.dispose()
        return rows

    def text_columns(self) -> list[tuple[str, str]]:
        """(table, column) of every text-like column of the schema."""
        if self.kind == "sqlite":
            tables = [
                row[0]
                for row in self.query(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            columns = []
            for table in tables:
                for row in self.query(f"PRAGMA table_info({table})"):
                    if str(row[2]).upper().startswith(("TEXT", "VARCHAR")):
                        columns.append((table, row[1]))
            return columns
        return [
            (row[0], row[1])
            for row in self.query(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() "
                "AND data_type IN ('text', 'character varying')"
            )
        ]

    def rows_containing(self, marker: str) -> list[tuple[str, str]]:
        """Every (table, column) where some row holds ``marker``."""
        hits = []
        for table, column in self.text_columns():
            found = self.query(
                f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" LIKE :pattern',
                pattern=f"%{marker}%",
            )
            if found[0][0]:
                hits.append((table, column))
        return hits


@dataclass
class User:
    client: httpx.Client
    email: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def _merged(self, kwargs: dict[str, Any]) -> dict[str, str]:
        return {**self.headers, **kwargs.pop("headers", {})}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(API + path, headers=self._merged(kwargs), **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.put(API + path, headers=self._merged(kwargs), **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.post(API + path, headers=self._merged(kwargs), **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.delete(API + path, headers=self._merged(kwargs), **kwargs)

    def delete_account(self, password: str = PASSWORD) -> httpx.Response:
        """DELETE /account, re-authenticating with ``password``."""
        return self.client.request(
            "DELETE", f"{API}/account", headers=self.headers, json={"password": password}
        )

    def wait_for(
        self, path: str, done: Callable[[dict[str, Any]], bool], timeout: float = 20.0
    ) -> dict[str, Any]:
        """Poll ``GET path`` until ``done(body)``; the server's generation runs in background."""
        last: dict[str, Any] = {}

        def finished() -> dict[str, Any] | None:
            response = self.get(path)
            assert response.status_code == 200, response.text
            last.update(body=response.json())
            return last["body"] if done(last["body"]) else None

        try:
            return wait_until(finished, timeout=timeout, message=f"{path} done")
        except AssertionError:
            raise AssertionError(f"{path} never got done: {last.get('body')}") from None


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def register(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post(f"{API}/auth/register", json={"email": email, "password": password})


def login(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post(f"{API}/auth/login", json={"email": email, "password": password})


def new_user(client: httpx.Client, prefix: str = "user") -> User:
    email = unique_email(prefix)
    assert register(client, email).status_code == 202
    response = login(client, email)
    assert response.status_code == 200, response.text
    tokens = response.json()
    return User(client, email, tokens["access_token"], tokens["refresh_token"])


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A database of its own for one test (CREATE DATABASE, dropped afterwards)."""
    name = f"si_scale_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A fresh schema for one run; yields a URL whose search_path points at it."""
    schema = f"si_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
