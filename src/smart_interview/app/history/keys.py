"""The key that encrypts saved interviews: a Fernet key kept in the OS keyring.

It lives in the app's keyring service beside the sync cache key, under its own name, so
signing out (which wipes the cache key) does not make the history unreadable, and deleting the
whole history can remove the key too.
"""

from __future__ import annotations

from typing import Any, Protocol

KEY_NAME = "history-key"


class KeySource(Protocol):
    def load(self) -> str | None: ...

    def save(self, key: str) -> None: ...

    def delete(self) -> None: ...


class KeyringKey:
    """The history key in a `sync.secrets.SecretStore` (the OS keyring)."""

    def __init__(self, secrets: Any, *, name: str = KEY_NAME) -> None:
        self._secrets = secrets
        self._name = name

    def load(self) -> str | None:
        return self._secrets.get(self._name)  # type: ignore[no-any-return]

    def save(self, key: str) -> None:
        self._secrets.set(self._name, key)

    def delete(self) -> None:
        self._secrets.delete(self._name)


def fernet_for(keys: KeySource, *, create: bool) -> Any | None:
    """The Fernet cipher for `keys`, making and saving a new key when allowed; None when
    there is no key and `create` is False."""
    from cryptography.fernet import Fernet

    key = keys.load()
    if key is None:
        if not create:
            return None
        key = Fernet.generate_key().decode()
        keys.save(key)
    return Fernet(key.encode())
