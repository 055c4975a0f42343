"""The real backend (`python -m smart_interview_server`) as a subprocess on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.waiting import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


JWT_SECRET = "test-secret-" + "x" * 40


class ServerProcess:
    """Start, kill and restart one backend on a fixed port with one database (a SQLite file in
    `data_dir` unless `database_url` names another); `args` are extra server flags."""

    def __init__(
        self,
        data_dir: Path,
        *,
        access_token_ttl: int | None = None,
        database_url: str | None = None,
        args: list[str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_token_ttl = access_token_ttl
        self.database_url = database_url or f"sqlite:///{data_dir / 'server.db'}"
        self.args = list(args or [])
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "server.log"

    def start(self, *, timeout: float = 60.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "smart_interview_server",
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--data-dir", str(self.data_dir),
            "--database-url", self.database_url,
            "--ai-provider", "none",
            *self.args,
        ]
        if self.access_token_ttl:
            command += ["--access-token-ttl", str(self.access_token_ttl)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMART_INTERVIEW_SERVER_")}
        env.pop("DATABASE_URL", None)
        env["SMART_INTERVIEW_SERVER_JWT_SECRET"] = JWT_SECRET  # never on the command line
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        process = self.process

        def healthy() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                return httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        try:
            wait_until(healthy, timeout=timeout, interval=0.1, message="server start")
        except AssertionError:
            self.kill()
            raise RuntimeError("server did not start in time") from None

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None
