"""The tests' file keyring: keyrings.alt's PlaintextKeyring, one call at a time.

PlaintextKeyring rewrites its whole file in place (`open(path, "w")`) with no lock. When the
app's background jobs (the account's tokens) and the test (an API key, the history key) use
it from two threads at once, a reader can find the file empty for a moment ("not in the
keyring") and one writer can drop the other's entry. The OS keyrings the app uses for real
store each entry on its own, so the tests serialise the calls instead.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from keyrings.alt.file import PlaintextKeyring

_CALLS = threading.RLock()


class LockedPlaintextKeyring(PlaintextKeyring):  # type: ignore[misc]
    def get_password(self, service: str, username: str) -> Any:
        with _CALLS:
            return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with _CALLS:
            super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        with _CALLS:
            super().delete_password(service, username)

    def get_credential(self, service: str, username: str | None) -> Any:
        with _CALLS:
            return super().get_credential(service, username)


def file_keyring_at(path: Path) -> LockedPlaintextKeyring:
    """A real file keyring writing `path` (created on first write)."""
    backend = LockedPlaintextKeyring()
    backend.file_path = str(path)
    return backend
