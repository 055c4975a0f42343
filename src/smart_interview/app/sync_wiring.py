"""Builds the sync side: keyring store, backend client, offline cache, account service.

With a server URL in the settings the client talks to that server (https required unless it is
loopback). Without one, the backend package runs on 127.0.0.1 with a SQLite file in the user
data dir, and the app signs in to a "local account" whose generated credentials are kept in the
keyring, so every flow works on a fresh machine without a cloud.

That local backend is one per data dir, shared by every process of the user (the app and any
number of CLI commands): the first process runs it, the others connect to it
(`smart_interview_server.embedded.share_local_server`). When the process running it exits,
the next request of another one finds the connection refused, starts the backend there (or
finds the one a third process started) and is sent once more.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings

if TYPE_CHECKING:
    import httpx

    from smart_interview.app.network.door import NetworkDoor
    from smart_interview.sync.account_service import AccountService
    from smart_interview.sync.client import BackendClient
    from smart_interview_server.embedded import LocalServer

LOCAL_SCOPE = "local"
LOCAL_DATABASE_FILE = "local-server.db"


@dataclass
class SyncSession:
    service: AccountService
    client: BackendClient
    embedded_server: LocalServer | None
    """The shared local backend this session uses (None with a configured server URL)."""

    @property
    def local_account(self) -> bool:
        return self.embedded_server is not None

    def close(self) -> None:
        self.client.close()
        if self.embedded_server is not None:
            self.embedded_server.close()
            self.embedded_server = None

    def __enter__(self) -> SyncSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_sync(
    paths: AppPaths,
    settings: Settings,
    *,
    keyring_backend: Any | None = None,
    allow_insecure_keyring: bool = False,
    transport: httpx.BaseTransport | None = None,
    door: NetworkDoor | None = None,
) -> SyncSession:
    """Everything the account/CV/dossier flows need. Raises `SyncError` subclasses
    (SecretStoreError when no secure keyring exists, ConfigurationError for a bad URL,
    NetworkError when another process runs the local backend but it cannot be used).
    Every request goes through `door` (a new one when None), which logs it."""
    from smart_interview.app.network.door import NetworkDoor, backend_purpose
    from smart_interview.sync.account_service import AccountService
    from smart_interview.sync.cache import LocalCache, cache_dir_for
    from smart_interview.sync.client import (
        BackendClient,
        refresh_lock_for,
        validate_server_url,
    )
    from smart_interview.sync.secrets import SecretStore
    from smart_interview.sync.tokens import TokenStore

    if keyring_backend is None:
        import keyring

        keyring_backend = keyring.get_keyring()
    secrets = SecretStore(keyring_backend, allow_insecure_backend=allow_insecure_keyring)
    configured = settings.sync.server_url.strip()
    embedded = None
    # The door records what is really sent: the local backend's transport, outside it, sends
    # each request to the port the backend listens on now.
    around: Callable[[httpx.BaseTransport], httpx.BaseTransport] | None = None
    if configured:
        url = validate_server_url(configured)
        scope = url
    else:
        backend = share_local_backend(paths, jwt_secret=lambda: _local_jwt_secret(secrets))
        embedded, url, scope = backend, backend.url, LOCAL_SCOPE
        around = partial(_aimed_at_local_backend, backend)
    tokens = TokenStore(secrets, scope=scope)
    try:
        client = BackendClient(
            base_url=url,
            tokens=tokens,
            http=(door or NetworkDoor()).client(purpose=backend_purpose, inner=transport,
                                                around=around),
            clock=time.time,
            sleep=time.sleep,
            refresh_lock=refresh_lock_for(paths.data_dir, scope),
        )
    except Exception:
        if embedded is not None:
            embedded.close()
        raise
    cache = LocalCache(cache_dir_for(paths.data_dir, scope), tokens=tokens)
    service = AccountService(
        client=client, tokens=tokens, cache=cache, local_account=embedded is not None
    )
    return SyncSession(service=service, client=client, embedded_server=embedded)


def share_local_backend(paths: AppPaths, *, jwt_secret: Callable[[], str]) -> LocalServer:
    """The local backend on 127.0.0.1: the one another process of this user runs for this
    data dir, or a new one in this process on a free port. Its database file is made readable
    by this user only; its token-signing secret comes from the keyring (read only when it
    starts here). Raises NetworkError when another process runs it but it cannot be used."""
    import os

    from smart_interview.sync.errors import NetworkError
    from smart_interview_server.embedded import share_local_server
    from smart_interview_server.errors import ServerError

    paths.data_dir.mkdir(parents=True, exist_ok=True)
    database = paths.data_dir / LOCAL_DATABASE_FILE
    if not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))

    def start(identity_secret: bytes) -> Any:
        from smart_interview_server.embedded import start_embedded_server
        from smart_interview_server.settings import ServerSettings

        url = f"sqlite:///{database}"
        settings = ServerSettings(
            database_url=url, data_dir=paths.data_dir, jwt_secret=jwt_secret(), access_log=False
        )
        return start_embedded_server(database_url=url, settings=settings,
                                     identity_secret=identity_secret)

    try:
        return share_local_server(database=database, start=start)
    except ServerError as exc:  # busy in another process, or it failed to start here
        raise NetworkError(str(exc), code="local_server_unavailable") from exc


def _aimed_at_local_backend(backend: LocalServer,
                             sent: httpx.BaseTransport) -> httpx.BaseTransport:
    from smart_interview.app.local_backend_transport import LocalBackendTransport

    return LocalBackendTransport(current_url=lambda: backend.url,
                                 recover=partial(_recover, backend), inner=sent)


def _recover(backend: LocalServer, failed_url: str) -> str:
    from smart_interview.sync.errors import NetworkError
    from smart_interview_server.errors import ServerError

    try:
        return backend.recover(failed_url)
    except ServerError as exc:
        raise NetworkError(str(exc), code="local_server_unavailable") from exc


def _local_jwt_secret(secrets: Any) -> str:
    import secrets as random

    name = "local-server-jwt-secret"
    value = secrets.get(name)
    if value is None or len(value) < 32:
        value = random.token_urlsafe(48)
        secrets.set(name, value)
    return str(value)


@contextmanager
def cli_sync(*, sign_in_local: bool = True) -> Iterator[SyncSession]:
    """For CLI commands: the sync session, with every SyncError turned into a one-line
    CliError. On the embedded backend the local account is signed in first."""
    from smart_interview.app import wiring
    from smart_interview.app.errors import CliError
    from smart_interview.sync.errors import SyncError

    paths = wiring.app_paths()
    settings = wiring.load_settings(paths)
    try:
        session = open_sync(paths, settings)
    except SyncError as exc:
        raise CliError(str(exc)) from exc
    try:
        if session.local_account and sign_in_local:
            session.service.ensure_local_account()
        yield session
    except SyncError as exc:
        raise CliError(str(exc)) from exc
    finally:
        session.close()
