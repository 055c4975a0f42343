"""The app's sync wiring: embedded local backend with a local account, configured server URL,
and the refusals (no secure keyring, plain http to a remote host)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings, SyncSettings
from smart_interview.app.sync_wiring import open_sync
from smart_interview.sync.errors import ConfigurationError, SecretStoreError
from tests.sync.server_process import ServerProcess

CV = "Tamsin Oyelaran\nBackend Engineer at Soylent Systems\nSkills: Elixir, PostgreSQL\n"


def test_embedded_backend_local_account_survives_restart(keyring_backend, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = AppPaths.under(tmp_path / "si").ensure()
    with open_sync(paths, Settings(), keyring_backend=keyring_backend,
                   allow_insecure_keyring=True) as sync:
        assert sync.local_account and sync.client.base_url.startswith("http://127.0.0.1:")
        account = sync.service.ensure_local_account()
        assert account.email.endswith("@device.invalid")
        sync.service.upload_cv(sync.service.preview_cv_text(CV))

    database = paths.data_dir / "local-server.db"
    assert database.exists() and database.stat().st_mode & 0o077 == 0
    assert not (paths.data_dir / "jwt-secret").exists()  # the signing key is in the keyring

    with open_sync(paths, Settings(), keyring_backend=keyring_backend,
                   allow_insecure_keyring=True) as sync:
        assert sync.service.ensure_local_account().email == account.email
        cv = sync.service.cv()
        assert cv is not None and cv.text == sync.service.preview_cv_text(CV).text


def test_local_account_is_recreated_when_the_local_database_is_reset(
    keyring_backend, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    paths = AppPaths.under(tmp_path / "si").ensure()
    with open_sync(paths, Settings(), keyring_backend=keyring_backend,
                   allow_insecure_keyring=True) as sync:
        email = sync.service.ensure_local_account().email
    (paths.data_dir / "local-server.db").unlink()
    with open_sync(paths, Settings(), keyring_backend=keyring_backend,
                   allow_insecure_keyring=True) as sync:
        assert sync.service.ensure_local_account().email == email
        assert sync.service.cv() is None


def test_configured_server_url_is_used(keyring_backend, server: ServerProcess,  # type: ignore[no-untyped-def]
                                       tmp_path: Path) -> None:
    settings = Settings(sync=SyncSettings(server_url=server.url + "/"))
    with open_sync(AppPaths.under(tmp_path / "si"), settings, keyring_backend=keyring_backend,
                   allow_insecure_keyring=True) as sync:
        assert not sync.local_account and sync.client.base_url == server.url
        assert sync.service.sign_up(email="cfg@example.com", password="long enough").email


def test_insecure_keyring_and_plain_http_are_refused(keyring_backend, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = AppPaths.under(tmp_path / "si")
    with pytest.raises(SecretStoreError, match="No secure password store"):
        open_sync(paths, Settings(), keyring_backend=keyring_backend)
    remote = Settings(sync=SyncSettings(server_url="http://interview.example.com"))
    with pytest.raises(ConfigurationError, match="https"):
        open_sync(paths, remote, keyring_backend=keyring_backend, allow_insecure_keyring=True)
    assert not (paths.data_dir / "local-server.db").exists()  # nothing was started


def test_cli_tells_the_user_when_no_secure_keyring_exists(keyring_file: Path,
                                                          tmp_path: Path) -> None:
    env = dict(os.environ, SMART_INTERVIEW_HOME=str(tmp_path / "si"),
               PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring")
    done = subprocess.run([sys.executable, "-m", "smart_interview.app.cli", "account", "login"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "No secure password store is available" in done.stderr
    assert "GNOME Keyring" in done.stderr and "Traceback" not in done.stderr
    assert not keyring_file.exists()
