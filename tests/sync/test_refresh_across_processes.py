"""Two processes of the same user refreshing the same rotating refresh token at once (the app and
a CLI command, say). The server treats a spent refresh token as stolen and signs the whole
session out, so the processes must take turns: a file lock in the data dir, and whoever waited
uses the pair the other one stored in the keyring. Real processes, real backend on loopback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smart_interview.sync.client import refresh_lock_for
from smart_interview.sync.secrets import SecretStore
from tests.support.waiting import wait_until
from tests.sync.conftest import make_service
from tests.sync.server_process import ServerProcess

PASSWORD = "velvet quarry lantern 42"

CHILD = r"""
import sys
from pathlib import Path
import httpx
from keyrings.alt.file import PlaintextKeyring
from smart_interview.sync.client import BackendClient
from smart_interview.sync.secrets import SecretStore
from smart_interview.sync.tokens import TokenStore

url, keyring_path, lock = sys.argv[1:4]
backend = PlaintextKeyring()
backend.file_path = keyring_path
tokens = TokenStore(SecretStore(backend, allow_insecure_backend=True), scope=url)
client = BackendClient(base_url=url, tokens=tokens, http=httpx.Client(),
                       refresh_lock=Path(lock) if lock else None)
assert client.current_session() is not None  # both hold the same refresh token now
print("ready", flush=True)
sys.stdin.readline()
try:
    client.refresh()
    print("ok", client.get_account().email, flush=True)
except Exception as exc:
    print("failed", type(exc).__name__, getattr(exc, "code", ""), flush=True)
"""


def _race(url: str, keyring_path: Path, lock: Path | None) -> list[str]:
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, str(keyring_path), str(lock or "")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready", child.stderr
        for child in children:  # both go at once
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        return [child.communicate(timeout=60)[0].strip() for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()


@pytest.mark.parametrize("locked", [True, False], ids=["file-lock", "no-lock"])
def test_two_processes_refreshing_at_once(
    server: ServerProcess, secret_store: SecretStore, keyring_file: Path, tmp_path: Path,
    locked: bool,
) -> None:
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d")
    service.sign_up(email="twice@example.com", password=PASSWORD)
    wait_until(keyring_file.exists, timeout=5, message="the keyring file")
    lock = refresh_lock_for(tmp_path / "d", server.url) if locked else None

    results = _race(server.url, keyring_file, lock)

    if locked:
        assert results == ["ok twice@example.com"] * 2
        assert lock is not None and lock.parent.is_dir()
        again = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d")
        assert again.client.get_account().email == "twice@example.com"  # still signed in
    else:
        # Without the lock the second process spends the same token: the server signs the
        # session out (what the lock prevents).
        assert any(result.startswith("failed AuthError") for result in results), results
