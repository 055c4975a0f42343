"""Secrets (tokens, API keys, the local account's password) in the OS keyring, nowhere else.

All entries live under the keyring service "smart-interview". The store works only on a
keyring backend known to keep secrets encrypted in an OS vault (`SECURE_BACKENDS`: the Secret
Service directly or through libsecret, KWallet, the macOS Keychain, the Windows Credential
Manager). Everything else is refused, named in the message: plain or home-made files
(keyrings.alt), wrappers around another store, cloud documents, keyring's fail/null backends,
and any backend this list does not know. A headless Linux with keyrings.alt installed would
otherwise put a token in a plain file without a word. Tests that run on such a file keyring on
purpose say so with `allow_insecure_backend=True`.

A keyring "chainer" (several backends by priority) silently falls back to the next backend when
one fails, possibly a plain-text one; the store therefore never talks to the chainer: it takes
the highest-priority secure backend in the chain, and refuses when there is none.
"""

from __future__ import annotations

import sys
from typing import Any

from smart_interview.sync.errors import SecretStoreError

SERVICE = "smart-interview"

SECURE_BACKENDS = frozenset({
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
})
"""Exact classes (a subclass is another backend and is not trusted)."""


def backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_secure_backend(backend: Any) -> bool:
    """True only for the backends in `SECURE_BACKENDS`, which keep secrets in an OS vault."""
    return backend_name(backend) in SECURE_BACKENDS


def resolve_backend(backend: Any) -> Any:
    """The backend the store will use: `backend` itself, or for a keyring chainer its
    highest-priority secure backend (else its first, so the refusal names it)."""
    from keyring.backends.chainer import ChainerBackend

    if not isinstance(backend, ChainerBackend):
        return backend
    chain = list(backend.backends)  # already sorted by priority, highest first
    secure = [member for member in chain if is_secure_backend(member)]
    return secure[0] if secure else (chain[0] if chain else backend)


def no_secure_store_message(backend: Any) -> str:
    if sys.platform.startswith("linux"):
        how = (
            "install and unlock GNOME Keyring (gnome-keyring) or KWallet, so the Secret Service "
            "is available in your session, then try again"
        )
    elif sys.platform == "darwin":
        how = "make sure the login Keychain is available and unlocked, then try again"
    else:
        how = "make sure Windows Credential Manager is available for your user, then try again"
    return (
        f"No secure password store is available (keyring backend: {backend_name(backend)}); "
        "Smart Interview keeps your sign-in and keys only in the system's own password store "
        f"(never a file, wrapper or cloud document). To fix it: {how}; if a keyring "
        "configuration (PYTHON_KEYRING_BACKEND or keyringrc.cfg) selects another backend, "
        "remove it."
    )


class SecretStore:
    """Named secrets in one keyring service. Values are strings; a missing name reads None."""

    def __init__(
        self,
        backend: Any,
        *,
        service: str = SERVICE,
        allow_insecure_backend: bool = False,
    ) -> None:
        resolved = resolve_backend(backend)
        if not allow_insecure_backend and not is_secure_backend(resolved):
            raise SecretStoreError(no_secure_store_message(resolved), code="no_secure_keyring")
        self._backend = resolved
        self._service = service

    @property
    def backend_description(self) -> str:
        return backend_name(self._backend)

    def get(self, name: str) -> str | None:
        try:
            value = self._backend.get_password(self._service, name)
        except Exception as exc:  # keyring backends raise their own types (dbus, OS errors)
            raise self._wrap("read", exc) from exc
        return None if value is None else str(value)

    def set(self, name: str, value: str) -> None:
        try:
            self._backend.set_password(self._service, name, value)
        except Exception as exc:
            raise self._wrap("save", exc) from exc

    def delete(self, name: str) -> bool:
        """Remove `name`; False when there was nothing to remove."""
        from keyring.errors import PasswordDeleteError

        try:
            if self._backend.get_password(self._service, name) is None:
                return False
            self._backend.delete_password(self._service, name)
        except PasswordDeleteError:
            return False
        except Exception as exc:
            raise self._wrap("delete", exc) from exc
        return True

    def _wrap(self, action: str, exc: Exception) -> SecretStoreError:
        from keyring.errors import KeyringLocked

        if isinstance(exc, KeyringLocked):
            return SecretStoreError(
                f"Could not {action} a secret: the system keyring is locked. Unlock it "
                "(e.g. sign in to your desktop session) and try again.",
                code="keyring_locked",
            )
        return SecretStoreError(
            f"Could not {action} a secret in the system keyring "
            f"({backend_name(self._backend)}: {type(exc).__name__}). Check that the keyring "
            "service is running and unlocked, then try again.",
            code="keyring_failed",
        )
