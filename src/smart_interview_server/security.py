"""Passwords (argon2id), access tokens (HS256 JWT), refresh tokens (opaque, stored hashed) and
device tokens (signed proof of an earlier login on a device)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from smart_interview_server.errors import ApiError

_ALGORITHM = "HS256"
_AUDIENCE = "smart-interview"
_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (a dummy hash stands in)."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_id() -> str:
    return str(uuid.uuid4())


def new_refresh_token() -> tuple[str, str]:
    """(token for the client, sha256 hex kept in the database)."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    account_id: str
    family_id: str


class TokenSigner:
    def __init__(self, secret: str, *, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds

    def issue(self, *, account_id: str, family_id: str, now: datetime) -> str:
        claims = {
            "sub": account_id,
            "fam": family_id,
            "aud": _AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=self.ttl_seconds)).timestamp()),
            "typ": "access",
        }
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    def verify(self, token: str, *, now: float | None = None) -> AccessClaims:
        """Signature, audience and type (cached per token), then expiry (checked every time)."""
        claims, expires = self._verify_signature(token)
        if (time.time() if now is None else now) >= expires:
            raise ApiError(401, "token_expired", "The access token has expired; refresh it.")
        return claims

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one signer per app, lives as long)
    def _verify_signature(self, token: str) -> tuple[AccessClaims, int]:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"require": ["exp", "sub", "aud"], "verify_exp": False},
            )
        except jwt.PyJWTError:
            raise ApiError(401, "invalid_token", "The access token is not valid.") from None
        account_id, family_id, expires = claims.get("sub"), claims.get("fam"), claims.get("exp")
        if (
            claims.get("typ") != "access"
            or not isinstance(account_id, str)
            or not isinstance(family_id, str)
            or not isinstance(expires, int)
        ):
            raise ApiError(401, "invalid_token", "The access token is not valid.")
        return AccessClaims(account_id=account_id, family_id=family_id), expires


_DEVICE_AUDIENCE = "smart-interview-device"
_DEVICE_TOKEN_DAYS = 365


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class DeviceTokens:
    """Proof that this device logged in to this account before (OWASP "device cookie").

    A token is a JWT signed with a key derived from the server secret, bound to the login name
    (its SHA-256) and holding a random nonce. Failed logins that present a valid token are
    counted per nonce, so guessing from elsewhere never locks the real owner's devices out.
    """

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), b"device-token", hashlib.sha256).hexdigest()

    def issue(self, *, email: str, now: datetime) -> str:
        claims = {
            "sub": _email_digest(email),
            "jti": secrets.token_urlsafe(16),
            "aud": _DEVICE_AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(days=_DEVICE_TOKEN_DAYS)).timestamp()),
            "typ": "device",
        }
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM)

    def nonce(self, token: str | None, *, email: str) -> str | None:
        """The token's nonce if it is valid and was issued for ``email``; else None."""
        if not token:
            return None
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                audience=_DEVICE_AUDIENCE,
                options={"require": ["exp", "sub", "jti", "aud"]},
            )
        except jwt.PyJWTError:
            return None
        if claims.get("typ") != "device" or not hmac.compare_digest(
            str(claims.get("sub")), _email_digest(email)
        ):
            return None
        nonce = claims.get("jti")
        return nonce if isinstance(nonce, str) else None
