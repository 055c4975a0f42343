"""Run the server inside another process (the desktop app's local account server).

Reads no environment variables: everything comes from the caller.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from smart_interview_server.errors import ServerError
from smart_interview_server.settings import ServerSettings


class EmbeddedServer:
    def __init__(self, server: object, thread: threading.Thread, url: str) -> None:
        self._server = server
        self._thread = thread
        self.url = url

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
) -> EmbeddedServer:
    """Start uvicorn in a daemon thread; returns once it accepts connections.

    ``settings`` (optional) supplies everything else (AI provider, token lifetimes...);
    ``data_dir`` is where the generated JWT secret is kept (default: next to a SQLite file,
    else the platform data dir).
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
    config = uvicorn.Config(
        create_app(effective),
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
