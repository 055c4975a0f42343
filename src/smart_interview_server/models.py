"""Database tables. The schema itself is created by the Alembic migrations in migrations/.

Deleting is real deleting: there is no ``deleted`` flag anywhere. Child rows go with their
account through ``ON DELETE CASCADE``. The CV summary lives in the CV row, so deleting the CV
deletes its summary in the same statement.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TokenFamily(Base):
    """One login session: every refresh token rotated from one login shares the family."""

    __tablename__ = "token_families"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)


class RefreshToken(Base):
    """Only the SHA-256 of a refresh token is stored; ``used_at`` set = spent (rotated)."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    family_id: Mapped[str] = mapped_column(
        ForeignKey("token_families.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Cv(Base):
    """The one CV of an account, with its summary; ``revision`` grows on every upload."""

    __tablename__ = "cvs"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text())
    file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    characters: Mapped[int] = mapped_column(Integer())
    revision: Mapped[int] = mapped_column(Integer())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    summary_status: Mapped[str] = mapped_column(String(16))
    summary_text: Mapped[str | None] = mapped_column(Text(), nullable=True)
    summary_method: Mapped[str] = mapped_column(String(32))
    summary_error: Mapped[str | None] = mapped_column(Text(), nullable=True)
    summary_updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    summary_lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Dossier(Base):
    __tablename__ = "dossiers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    job_title: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200))
    job_description: Mapped[str] = mapped_column(Text())
    cv_snapshot: Mapped[str] = mapped_column(Text())
    status: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text(), nullable=True)
    match_json: Mapped[str | None] = mapped_column(Text(), nullable=True)
    cover_letter: Mapped[str | None] = mapped_column(Text(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Throttle(Base):
    """One counter of a limit, keyed by a SHA-256 of what it counts (never the e-mail or IP).

    Login: failures of one (account, client) or one trusted device, with ``blocked_until`` for
    the backoff. Registrations per IP and dossiers per account per day: ``count`` within the
    window that began at ``window_started_at``. Rows are shared by every instance.
    """

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer())
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
