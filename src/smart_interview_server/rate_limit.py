"""Limits kept in the database, so they hold across every instance on one database.

- Login: failures are counted per (account, client IP) for clients without a device token, per
  device token for clients that logged in before, and per client IP (a higher limit) for
  password spraying from untrusted clients. Past the free failures each further failure doubles
  the wait. An attempt is counted *before* its password is checked (under a row lock), so N
  parallel guesses cannot slip past the limit; a correct password takes its count back.
- Fixed windows: registrations per IP per hour, dossiers per account per day.

Keys are SHA-256 hex digests, so the table holds neither e-mail addresses nor IP addresses.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smart_interview_server.db import Database
from smart_interview_server.errors import ApiError
from smart_interview_server.models import Throttle, utc_now

# Longer than every window and wait (a day for quotas, an hour of backoff): older rows are spent.
_STALE_AFTER = timedelta(days=2)


def throttle_key(kind: str, *parts: str) -> str:
    return hashlib.sha256("\x1f".join((kind, *parts)).encode()).hexdigest()


def _locked(session: Session, key: str, now: datetime) -> Throttle:
    """The counter row of ``key``, created if missing and locked until the transaction ends
    (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: writers already hold the database lock)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(Throttle)
        .values(key=key, count=0, window_started_at=now, blocked_until=None)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return session.scalars(
        select(Throttle)
        .where(Throttle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


@dataclass(frozen=True)
class LoginKeys:
    """The counters one login attempt is charged to."""

    client: str  # (account, IP) for an untrusted client, or the device token's nonce
    network: str | None  # the client IP, for untrusted clients only

    @classmethod
    def for_attempt(cls, *, email: str, ip: str, device_nonce: str | None) -> LoginKeys:
        if device_nonce is not None:
            return cls(client=throttle_key("login-device", device_nonce), network=None)
        return cls(
            client=throttle_key("login", email.strip().lower(), ip),
            network=throttle_key("login-ip", ip),
        )


class LoginThrottle:
    def __init__(
        self,
        *,
        free_failures: int,
        free_failures_per_ip: int,
        backoff_seconds: float,
        max_backoff_seconds: float,
        window_seconds: int,
    ) -> None:
        self._free = free_failures
        self._free_per_ip = free_failures_per_ip
        self._backoff = backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._window = timedelta(seconds=window_seconds)

    def reserve(self, session: Session, keys: LoginKeys, *, now: datetime) -> None:
        """Count this attempt as a failure now, or raise 429 ``too_many_attempts``."""
        limits = [(keys.client, self._free)]
        if keys.network is not None:
            limits.append((keys.network, self._free_per_ip))
        rows = [(_locked(session, key, now), free) for key, free in sorted(limits)]
        blocked = [
            row.blocked_until for row, _ in rows if row.blocked_until and row.blocked_until > now
        ]
        if blocked:
            wait = _seconds_until(max(blocked), now)
            raise ApiError(
                429,
                "too_many_attempts",
                f"Too many failed logins from here; try again in {wait} seconds. A device "
                "that logged in to this account before is not affected.",
                headers={"Retry-After": str(wait)},
            )
        for row, free in rows:
            if now - row.window_started_at > self._window:
                row.count = 0
            row.count += 1
            row.window_started_at = now
            if row.count >= free:
                delay = min(self._backoff * 2 ** (row.count - free), self._max_backoff)
                row.blocked_until = now + timedelta(seconds=delay)

    def succeeded(self, session: Session, keys: LoginKeys) -> None:
        """The password was right: forget this client's failures, hand back the IP's count."""
        session.execute(delete(Throttle).where(Throttle.key == keys.client))
        if keys.network is not None:
            self.release(session, [keys.network])

    def release(self, session: Session, keys: Sequence[str]) -> None:
        """Take back one counted attempt (it was never checked, or it was right)."""
        session.execute(
            update(Throttle)
            .where(Throttle.key.in_(keys), Throttle.count > 0)
            .values(count=Throttle.count - 1, blocked_until=None)
        )

    def unchecked(self, session: Session, keys: LoginKeys) -> None:
        """The attempt was counted but its password was never checked (server busy)."""
        self.release(session, [key for key in (keys.client, keys.network) if key])


def consume_quota(
    session: Session,
    key: str,
    *,
    limit: int,
    window_seconds: int,
    now: datetime,
    what: str,
) -> None:
    """Count one use of a fixed-window quota, or raise 429 with Retry-After and ``what``
    (a sentence naming the limit) in the message."""
    row = _locked(session, key, now)
    window = timedelta(seconds=window_seconds)
    if now - row.window_started_at >= window:
        row.count, row.window_started_at = 0, now
    if row.count >= limit:
        wait = _seconds_until(row.window_started_at + window, now)
        raise ApiError(
            429,
            "quota_exceeded",
            f"{what} Try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    row.count += 1


def purge_stale_throttles(database: Database) -> None:
    """Delete counters nobody has touched for two days (they limit nothing any more)."""
    with database.writer() as session:
        session.execute(
            delete(Throttle).where(Throttle.window_started_at < utc_now() - _STALE_AFTER)
        )
