"""Throttle counters that limit nothing any more are deleted by the housekeeping pass."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from smart_interview_server.db import Database, run_migrations
from smart_interview_server.models import Throttle, utc_now
from smart_interview_server.rate_limit import purge_stale_throttles


def test_stale_counters_are_purged(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        run_migrations(database)
        now = utc_now()
        with database.writer() as session:
            session.add_all([
                Throttle(key="a" * 64, count=3, window_started_at=now - timedelta(days=3)),
                Throttle(key="b" * 64, count=3, window_started_at=now - timedelta(hours=20)),
            ])  # fmt: skip
        purge_stale_throttles(database)
        with database.reader() as session:
            assert session.scalars(select(Throttle.key)).all() == ["b" * 64]
    finally:
        database.dispose()
