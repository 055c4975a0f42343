"""Fixtures: the real server process on 127.0.0.1, on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.harness import JWT_SECRET, Backend, ServerProcess, postgres_schema
from tests.support.services import postgres_url, require

# Generous per-IP limit: the whole suite logs in from 127.0.0.1. test_short_lived.py checks the
# per-IP limit on its own server.
MAIN_SERVER_ARGS = [
    "--login-max-failures-per-ip",
    "1000",
    "--registrations-per-ip",
    "100000",
    "--log-level",
    "debug",
    "--generation-workers",
    "2",
]


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    data_dir = tmp_path_factory.mktemp(f"server-{request.param}")
    env = {"SMART_INTERVIEW_SERVER_JWT_SECRET": JWT_SECRET}
    if request.param == "sqlite":
        server = ServerProcess(
            database_url=f"sqlite:///{data_dir / 'server.db'}",
            data_dir=data_dir,
            args=MAIN_SERVER_ARGS,
            env=env,
        ).start()
        try:
            yield Backend("sqlite", server)
        finally:
            server.stop()
        return
    base_url = postgres_url()
    require(base_url is not None, "PostgreSQL is not running (source .ci/services.sh)")
    assert base_url is not None
    with postgres_schema(base_url) as url:
        server = ServerProcess(
            database_url=url, data_dir=data_dir, args=MAIN_SERVER_ARGS, env=env
        ).start()
        try:
            yield Backend("postgres", server)
        finally:
            server.stop()


@pytest.fixture
def client(backend: Backend) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=backend.url, timeout=30) as http:
        yield http


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A private SQLite server for tests that need their own settings; call .start()."""
    server = ServerProcess(
        database_url=f"sqlite:///{tmp_path / 'server.db'}",
        data_dir=tmp_path,
        env={"SMART_INTERVIEW_SERVER_JWT_SECRET": JWT_SECRET},
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def own_server(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., ServerProcess]]:
    """Start a private server with extra flags, on SQLite or on a fresh PostgreSQL schema:
    ``own_server("--flag", "value", ...)``."""
    started: list[ServerProcess] = []
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'server.db'}"
        else:
            base_url = postgres_url()
            require(base_url is not None, "PostgreSQL is not running (source .ci/services.sh)")
            assert base_url is not None
            url = stack.enter_context(postgres_schema(base_url))

        def start(*args: str) -> ServerProcess:
            server = ServerProcess(
                database_url=url,
                data_dir=tmp_path / f"instance-{len(started)}",
                args=list(args),
                env={"SMART_INTERVIEW_SERVER_JWT_SECRET": JWT_SECRET},
            )
            started.append(server)
            return server.start()

        try:
            yield start
        finally:
            for server in started:
                server.stop()
