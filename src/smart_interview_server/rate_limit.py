"""Login rate limiting per account and per client IP, kept in the database.

Because failures are rows in the shared database, the limit holds across every instance behind a
load balancer. Keys are hashed, so the table holds neither e-mail addresses nor IP addresses.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smart_interview_server.errors import ApiError
from smart_interview_server.models import LoginFailure


def account_key(email: str) -> str:
    return hashlib.sha256(f"account:{email.strip().lower()}".encode()).hexdigest()


def ip_key(address: str) -> str:
    return hashlib.sha256(f"ip:{address}".encode()).hexdigest()


class LoginLimiter:
    def __init__(self, *, per_account: int, per_ip: int, window_seconds: int) -> None:
        self._limits = {"account": per_account, "ip": per_ip}
        self._window = timedelta(seconds=window_seconds)

    def check(self, session: Session, *, email: str, ip: str, now: datetime) -> None:
        """Raise 429 ``too_many_attempts`` with Retry-After when either key is over its limit."""
        waits = [
            self._wait(session, key=account_key(email), limit=self._limits["account"], now=now),
            self._wait(session, key=ip_key(ip), limit=self._limits["ip"], now=now),
        ]
        wait = max(waits)
        if wait > 0:
            raise ApiError(
                429,
                "too_many_attempts",
                f"Too many failed logins; try again in {wait} seconds.",
                headers={"Retry-After": str(wait)},
            )

    def record_failure(self, session: Session, *, email: str, ip: str, now: datetime) -> None:
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - self._window))
        session.add_all(
            [LoginFailure(key=account_key(email), at=now), LoginFailure(key=ip_key(ip), at=now)]
        )

    def forget_account(self, session: Session, *, email: str) -> None:
        session.execute(delete(LoginFailure).where(LoginFailure.key == account_key(email)))

    def _wait(self, session: Session, *, key: str, limit: int, now: datetime) -> int:
        times = session.scalars(
            select(LoginFailure.at)
            .where(LoginFailure.key == key, LoginFailure.at >= now - self._window)
            .order_by(LoginFailure.at)
        ).all()
        if len(times) < limit:
            return 0
        frees_at = times[len(times) - limit] + self._window
        return max(1, math.ceil((frees_at - now).total_seconds()))
