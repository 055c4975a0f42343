"""Run the server inside another process (the desktop app's local account server), and share
that one server between every process of this user that uses the same database file.

Sharing (`share_local_server`): the app and the CLI may run at once, and two servers on one
SQLite file would each run migrations and a generation worker on it. So one process runs the
server and the others use it:

- `<db>.owner.lock` is held by the process that runs the server, for as long as it runs it (the
  operating system lets go of it when that process dies, so it is never stale);
- `<db>.start.lock` is held while a process decides whether to start or attach, so two starting
  at once never both start one;
- `<db>.endpoint.json` (mode 0600) says where the running server listens: port, pid and a
  per-run secret. A process that attaches proves it reached that server, not whatever took
  the port since, by an HMAC challenge on the secret. A file left by a dead process is ignored
  (its owner lock is free) and replaced.

When the process that runs the server exits, the others find out on their next request (the
connection is refused) and call `LocalServer.recover()`, which starts the server in their own
process or attaches to the one another process started first.

Reads no environment variables: everything comes from the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smart_interview_server.errors import ServerError
from smart_interview_server.settings import ServerSettings

IDENTITY_PATH = "/.local-server/identity"
ANSWER_TIMEOUT_S = 5.0
"""How long an attaching process waits for the running server to prove itself."""


class EmbeddedServer:
    def __init__(self, server: object, thread: threading.Thread, url: str) -> None:
        self._server = server
        self._thread = thread
        self.url = url

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True  # type: ignore[attr-defined]
        self._thread.join(timeout)


def start_embedded_server(
    *,
    database_url: str,
    host: str = "127.0.0.1",
    port: int = 0,
    settings: ServerSettings | None = None,
    data_dir: Path | None = None,
    startup_timeout: float = 30.0,
    identity_secret: bytes | None = None,
) -> EmbeddedServer:
    """Start uvicorn in a daemon thread; returns once it accepts connections.

    ``settings`` (optional) supplies everything else (AI provider, token lifetimes...);
    ``data_dir`` is where the generated JWT secret is kept (default: next to a SQLite file,
    else the platform data dir). With ``identity_secret`` the server also answers the
    attach challenge of `share_local_server`.
    """
    import uvicorn

    from smart_interview_server.app import create_app
    from smart_interview_server.settings import default_data_dir

    if data_dir is None:
        data_dir = settings.data_dir if settings else _data_dir_for(database_url)
    if data_dir is None:
        data_dir = default_data_dir()
    base = settings or ServerSettings(database_url=database_url, data_dir=data_dir)
    effective = base.with_overrides(
        database_url=database_url, host=host, port=port, data_dir=data_dir
    )
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    app: Any = create_app(effective)
    if identity_secret is not None:
        app = _IdentityAnswer(app, identity_secret)
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=effective.access_log,
        log_level=effective.log_level,
        lifespan="on",
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="smart-interview-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise ServerError("The embedded server failed to start; see the log for why.")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise ServerError("The embedded server did not start in time.")
        time.sleep(0.02)
    shown_host = f"[{host}]" if ":" in host else host
    return EmbeddedServer(server, thread, f"http://{shown_host}:{bound_port}")


def _data_dir_for(database_url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent
    return None


# -- one server per database, shared between processes ---------------------------------------


class LocalServerBusyError(ServerError):
    """Another process runs the server for this database but it cannot be used."""


class _IdentityAnswer:
    """ASGI wrapper: `GET /.local-server/identity` with `x-nonce` → HMAC-SHA256(secret, nonce),
    so an attaching process knows it reached this server. Everything else goes to the app."""

    def __init__(self, app: Any, secret: bytes) -> None:
        self._app = app
        self._secret = secret

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != IDENTITY_PATH:
            await self._app(scope, receive, send)
            return
        nonce = dict(scope["headers"]).get(b"x-nonce", b"")[:128]
        body = json.dumps({"pid": os.getpid(), "proof": _proof(self._secret, nonce)}).encode()
        status = 200 if len(nonce) >= 16 else 400
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _proof(secret: bytes, nonce: bytes) -> str:
    return hmac.new(secret, nonce, hashlib.sha256).hexdigest()


class LocalServer:
    """This process's use of the one local server for a database: run here, or attached."""

    def __init__(self, database: Path, start: Callable[[bytes], EmbeddedServer],
                 lock_timeout: float) -> None:
        self._database = database
        self._start = start
        self._lock_timeout = lock_timeout
        self._guard = threading.Lock()
        self._users = 0
        self._server: EmbeddedServer | None = None
        self._owner_lock: Any = None
        self.url = ""
        self.owner_pid = 0

    @property
    def owned(self) -> bool:
        """True when the server runs in this process."""
        return self._server is not None

    def _path(self, suffix: str) -> Path:
        return self._database.with_name(self._database.name + suffix)

    def recover(self, failed_url: str) -> str:
        """The server at `failed_url` refused a connection: use the one that runs now, starting
        it here if no process runs one. Raises `LocalServerBusyError` when it cannot."""
        with self._guard:
            if self.url != failed_url:
                return self.url  # another thread of this process has recovered already
            if self._server is not None and self._server.running:
                return self.url
            self._stop_own()
            self._attach_or_start()  # on failure the old address stays: the next request retries
            return self.url

    def _attach_or_start(self) -> None:
        from filelock import FileLock, Timeout

        try:
            with FileLock(self._path(".start.lock"), timeout=self._lock_timeout, mode=0o600,
                          thread_local=False):
                owner = FileLock(self._path(".owner.lock"), mode=0o600, thread_local=False)
                try:
                    owner.acquire(timeout=0)
                except Timeout:
                    self._attach()
                    return
                try:
                    self._start_here()
                except BaseException:
                    owner.release()
                    raise
                self._owner_lock = owner
        except Timeout as exc:
            raise LocalServerBusyError(
                "Another Smart Interview process has been starting the local account server "
                f"for more than {self._lock_timeout:.0f} s. Close the other Smart Interview "
                "windows and commands, then try again.") from exc

    def _start_here(self) -> None:
        secret = secrets.token_bytes(32)
        server = self._start(secret)
        try:
            _write_private(self._path(".endpoint.json"), json.dumps(
                {"port": server.port, "pid": os.getpid(), "secret": secret.hex()}))
        except BaseException:
            server.stop()
            raise
        self._server, self.url, self.owner_pid = server, server.url, os.getpid()

    def _attach(self) -> None:
        endpoint = self._path(".endpoint.json")
        try:
            info = json.loads(endpoint.read_text(encoding="utf-8"))
            port, pid, secret = int(info["port"]), int(info["pid"]), bytes.fromhex(info["secret"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LocalServerBusyError(
                "Another Smart Interview process holds the local account database but has not "
                f"said where its server listens ({endpoint}). Close the other Smart Interview "
                "windows and commands, then try again.") from exc
        url = f"http://127.0.0.1:{port}"
        if not _answers_as(url, secret):
            raise LocalServerBusyError(
                f"Another Smart Interview process (pid {pid}) runs the local account server "
                "for this data, but its server does not answer. Wait for it or close it, then "
                "try again.")
        self.url, self.owner_pid = url, pid

    def _stop_own(self) -> None:
        """Stop a server that runs here; under the start lock, so a process deciding whether to
        attach sees it either running with its endpoint file or gone with its lock free."""
        from filelock import FileLock, Timeout

        if self._server is None and self._owner_lock is None:
            return
        start_lock: Any = FileLock(self._path(".start.lock"), mode=0o600, thread_local=False)
        try:
            start_lock.acquire(timeout=self._lock_timeout)
        except Timeout:
            start_lock = None  # stopping must not wait forever on a stuck process
        try:
            if self._server is not None:
                self._server.stop()
                self._server = None
                self._path(".endpoint.json").unlink(missing_ok=True)
            if self._owner_lock is not None:
                self._owner_lock.release()
                self._owner_lock = None
        finally:
            if start_lock is not None:
                start_lock.release()

    def close(self) -> None:
        """This user is done; the last one in the process stops a server that runs here (the
        other processes that use it start or find another on their next request)."""
        with _SHARED_GUARD:
            self._users -= 1
            if self._users > 0:
                return
            _SHARED.pop(self._database, None)
            with self._guard:
                self._stop_own()


def _answers_as(url: str, secret: bytes) -> bool:
    import http.client
    from urllib.parse import urlsplit

    nonce = secrets.token_hex(16)
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                            timeout=ANSWER_TIMEOUT_S)
    try:
        connection.request("GET", IDENTITY_PATH, headers={"x-nonce": nonce})
        response = connection.getresponse()
        answer = json.loads(response.read(4096)) if response.status == 200 else {}
    except (OSError, ValueError):
        return False
    finally:
        connection.close()
    return hmac.compare_digest(str(answer.get("proof", "")), _proof(secret, nonce.encode()))


def _write_private(path: Path, text: str) -> None:
    """Atomically, readable by this user only."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


_SHARED: dict[Path, LocalServer] = {}
_SHARED_GUARD = threading.Lock()


def share_local_server(
    *,
    database: Path,
    start: Callable[[bytes], EmbeddedServer],
    lock_timeout: float = 60.0,
) -> LocalServer:
    """The local server for `database`: the one another process (or this one) runs, or a new
    one started here by `start(identity_secret)` (which must pass the secret on to
    `start_embedded_server`). Call `close()` on the result when done with it.

    Raises `LocalServerBusyError` when another process runs it but it cannot be used.
    """
    key = database.resolve()
    with _SHARED_GUARD:
        shared = _SHARED.get(key)
        if shared is None:
            shared = _SHARED[key] = LocalServer(key, start, lock_timeout)
        shared._users += 1
    try:
        with shared._guard:
            if not shared.url:
                shared._attach_or_start()
    except BaseException:
        shared.close()
        raise
    return shared
