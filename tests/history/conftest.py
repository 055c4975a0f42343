"""Fixtures for the history tests: a real keyring file in a temp HOME holds the history key."""

from __future__ import annotations

from pathlib import Path

import pytest

from smart_interview.app.history import KeyringKey
from smart_interview.sync.secrets import SecretStore


@pytest.fixture
def keyring_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    return home


def file_keyring(home: Path):  # type: ignore[no-untyped-def]
    """keyrings.alt's file keyring below `home` (a real keyring on disk, for tests only)."""
    from tests.support.keyrings import LockedPlaintextKeyring

    backend = LockedPlaintextKeyring()
    backend.file_path = str(home / ".local" / "share" / "python_keyring" / "keyring_pass.cfg")
    return backend


@pytest.fixture
def keys(keyring_home: Path) -> KeyringKey:
    return KeyringKey(SecretStore(file_keyring(keyring_home), allow_insecure_backend=True))
