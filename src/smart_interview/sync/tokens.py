"""The signed-in session's tokens, kept only in the OS keyring.

One keyring entry per backend (`session@<scope>`: the server URL, or "local" for the embedded
one), holding the access and refresh tokens and their expiry times as one JSON value, so the
pair is always replaced together (the server rotates refresh tokens: a half-written pair would
end the session). The local account's generated email
and password live next to it (`local-account@local`).

Each successful login also gives a device token for that e-mail (the server's "device cookie":
failed logins from elsewhere never lock out a device that has one). It is kept per (scope,
e-mail) in `device@<scope>#<e-mail>`, sent with the next login for that e-mail, and survives
sign-out on purpose; deleting the account removes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from smart_interview.sync.errors import SecretStoreError
from smart_interview.sync.secrets import SecretStore


@dataclass(frozen=True)
class TokenPair:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: float
    """Seconds since the epoch (the injected clock's scale)."""
    refresh_expires_at: float
    email: str = ""
    issued_at: float = 0.0

    @classmethod
    def from_response(cls, raw: dict[str, Any], *, now: float, email: str = "") -> TokenPair:
        expires_in = float(raw.get("expires_in", 0))
        refresh_in = float(raw.get("refresh_expires_in", 0))
        return cls(
            access_token=str(raw["access_token"]),
            refresh_token=str(raw["refresh_token"]),
            access_expires_at=now + expires_in,
            refresh_expires_at=now + refresh_in if refresh_in else 0.0,
            email=email,
            issued_at=now,
        )

    def needs_refresh(self, *, now: float, margin: float) -> bool:
        """True when the access token is expired or within `margin` (at most a quarter of its
        lifetime) of expiring."""
        lifetime = self.access_expires_at - self.issued_at if self.issued_at else margin * 4
        return self.access_expires_at - now <= min(margin, max(lifetime, 0.0) / 4)

    def refresh_expired(self, *, now: float) -> bool:
        return bool(self.refresh_expires_at) and self.refresh_expires_at <= now


@dataclass(frozen=True)
class LocalAccountCredentials:
    email: str
    password: str = field(repr=False)


class TokenStore:
    """Loads, saves and wipes the session for one backend (`scope`). Also keeps the local
    account's generated credentials and the key that encrypts the offline cache."""

    def __init__(self, secrets: SecretStore, *, scope: str) -> None:
        self._secrets = secrets
        self._scope = scope.rstrip("/")

    @property
    def session_key(self) -> str:
        return f"session@{self._scope}"

    @property
    def local_account_key(self) -> str:
        return f"local-account@{self._scope}"

    @property
    def cache_key_name(self) -> str:
        return f"cache-key@{self._scope}"

    def device_token_key(self, email: str) -> str:
        return f"device@{self._scope}#{email.strip().lower()}"

    def load_device_token(self, email: str) -> str | None:
        return self._secrets.get(self.device_token_key(email))

    def save_device_token(self, email: str, token: str) -> None:
        self._secrets.set(self.device_token_key(email), token)

    def clear_device_token(self, email: str) -> None:
        self._secrets.delete(self.device_token_key(email))

    def load(self) -> TokenPair | None:
        raw = self._secrets.get(self.session_key)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return TokenPair(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                access_expires_at=float(data["access_expires_at"]),
                refresh_expires_at=float(data.get("refresh_expires_at", 0.0)),
                email=str(data.get("email", "")),
                issued_at=float(data.get("issued_at", 0.0)),
            )
        except (ValueError, KeyError, TypeError):
            # A damaged entry is useless; forget it so the user can simply sign in again.
            self._secrets.delete(self.session_key)
            return None

    def save(self, tokens: TokenPair) -> None:
        value = json.dumps(
            {
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "access_expires_at": tokens.access_expires_at,
                "refresh_expires_at": tokens.refresh_expires_at,
                "email": tokens.email,
                "issued_at": tokens.issued_at,
            }
        )
        self._secrets.set(self.session_key, value)

    def clear(self) -> None:
        self._secrets.delete(self.session_key)

    def load_local_account(self) -> LocalAccountCredentials | None:
        raw = self._secrets.get(self.local_account_key)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return LocalAccountCredentials(email=str(data["email"]), password=str(data["password"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise SecretStoreError(
                "The local account's entry in the keyring is damaged; remove the "
                f"'{self.local_account_key}' entry of service 'smart-interview' and try again.",
                code="keyring_damaged",
            ) from exc

    def save_local_account(self, credentials: LocalAccountCredentials) -> None:
        self._secrets.set(
            self.local_account_key,
            json.dumps({"email": credentials.email, "password": credentials.password}),
        )

    def clear_local_account(self) -> None:
        self._secrets.delete(self.local_account_key)

    def load_cache_key(self) -> str | None:
        return self._secrets.get(self.cache_key_name)

    def save_cache_key(self, key: str) -> None:
        self._secrets.set(self.cache_key_name, key)

    def clear_cache_key(self) -> None:
        self._secrets.delete(self.cache_key_name)
