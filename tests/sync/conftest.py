"""Fixtures for the sync tests: a real file keyring in a temp dir, the real backend process."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from smart_interview.sync.account_service import AccountService
from smart_interview.sync.cache import LocalCache, cache_dir_for
from smart_interview.sync.client import BackendClient
from smart_interview.sync.secrets import SecretStore
from smart_interview.sync.tokens import TokenStore
from tests.server.harness import postgres_schema
from tests.support.services import postgres_url, require
from tests.sync.server_process import ServerProcess


@pytest.fixture
def keyring_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the test keyring writes; HOME/XDG dirs point into the temp dir too."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    return home / ".local" / "share" / "python_keyring" / "keyring_pass.cfg"


@pytest.fixture
def keyring_backend(keyring_file: Path):  # type: ignore[no-untyped-def]
    """keyrings.alt's PlaintextKeyring: a real keyring on disk (tests only)."""
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(keyring_file)  # type: ignore[misc]
    return backend


@pytest.fixture
def secret_store(keyring_backend) -> SecretStore:  # type: ignore[no-untyped-def]
    return SecretStore(keyring_backend, allow_insecure_backend=True)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "server")
    process.start()
    yield process
    process.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def own_server(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., ServerProcess]]:
    """A private backend process with extra flags, on SQLite or on a fresh PostgreSQL schema:
    ``own_server("--flag", "value", ...)``."""
    started: list[ServerProcess] = []
    with contextlib.ExitStack() as stack:
        url = None
        if request.param == "postgres":
            base_url = postgres_url()
            require(base_url is not None, "PostgreSQL is not running (source .ci/services.sh)")
            assert base_url is not None
            url = stack.enter_context(postgres_schema(base_url))

        def start(*args: str) -> ServerProcess:
            process = ServerProcess(tmp_path / f"server-{len(started)}", database_url=url,
                                    args=list(args))
            started.append(process)
            process.start()
            return process

        try:
            yield start
        finally:
            for process in started:
                process.stop()


class RecordingSleep:
    """Injected into the client's retry loop: records the backoff and runs hooks."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.hooks: list = []  # type: ignore[type-arg]

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        while self.hooks:
            self.hooks.pop(0)()
        time.sleep(min(seconds, 0.05))


def make_service(
    *,
    url: str,
    secrets: SecretStore,
    data_dir: Path,
    transport: httpx.BaseTransport | None = None,
    sleep: RecordingSleep | None = None,
    max_attempts: int = 4,
    local_account: bool = False,
    refresh_lock: Path | None = None,
) -> AccountService:
    tokens = TokenStore(secrets, scope=url)
    client = BackendClient(
        base_url=url,
        tokens=tokens,
        http=httpx.Client(transport=transport or httpx.HTTPTransport()),
        sleep=sleep or RecordingSleep(),
        max_attempts=max_attempts,
        backoff_initial=0.05,
        backoff_max=0.5,
        timeout=10,
        refresh_lock=refresh_lock,
    )
    cache = LocalCache(cache_dir_for(data_dir, url), tokens=tokens)
    return AccountService(client=client, tokens=tokens, cache=cache, local_account=local_account)
