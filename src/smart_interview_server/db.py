"""Engine, sessions and migrations.

SQLite runs in WAL mode with ``secure_delete`` (freed pages are zeroed), foreign keys and a busy
timeout. Transactions that write start with ``BEGIN IMMEDIATE`` so two writers queue on the
busy timeout instead of failing when a reader upgrades to a writer; reads start a plain
``BEGIN``. After deleting CV text the WAL is checkpointed with TRUNCATE, so the deleted text is
in neither the .db nor the -wal file afterwards.

PostgreSQL is used as is; see docs/server.md for what it needs to forget deleted rows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

logger = logging.getLogger("smart_interview_server.db")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_LOCK_ID = 7_261_002_113  # pg_advisory_lock key: one instance migrates at a time


class Database:
    """The engine plus two session factories: ``reader()`` and ``writer()``."""

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        self.engine = _create_engine(url, pool_size=pool_size, is_sqlite=self.is_sqlite)
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock: contextlib.AbstractContextManager[object] = (
            threading.Lock() if self.is_sqlite else contextlib.nullcontext()
        )
        self._write_engine = self.engine.execution_options(sqlite_begin_immediate=True)
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)

    @contextmanager
    def reader(self) -> Iterator[Session]:
        with self._read_sessions() as session:
            yield session

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A plain Core connection for hot read paths (no ORM session around it)."""
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core connection in a write transaction (same locking as `writer`)."""
        with self._write_lock, self._write_engine.begin() as connection:
            yield connection

    @contextmanager
    def writer(self) -> Iterator[Session]:
        """A session that commits when the block ends without an error.

        On SQLite, writers of this process also queue on a lock: SQLite's own busy handler
        polls with sleeps of up to 100 ms, which under many concurrent writers wastes most of
        the time; the lock hands over at once. Other processes still meet the busy timeout.
        """
        with self._write_lock, self._write_sessions() as session, session.begin():
            yield session

    def forget_deleted_data(self) -> None:
        """Make deleted rows unreadable from the database files (SQLite: checkpoint the WAL)."""
        if not self.is_sqlite:
            return
        with self.engine.connect() as connection:
            connection.commit()  # no transaction may be open around a checkpoint
            busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if busy:
                logger.warning("WAL checkpoint was blocked by a reader; it completes later")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        return Path(database) if database and database != ":memory:" else None

    def dispose(self) -> None:
        self.engine.dispose()


def _create_engine(url: str, *, pool_size: int, is_sqlite: bool) -> Engine:
    if not is_sqlite:
        return create_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            hide_parameters=True,  # errors and logs never quote values (CV text, hashes)
        )
    database = make_url(url).database
    if database and database != ":memory:":
        _create_private_file(Path(database))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=pool_size,
        )
    else:
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool,
            hide_parameters=True,
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_begin_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _create_private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only, before SQLite first opens it. SQLite
    gives the -wal and -shm files the same mode as the database file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists() and companion.stat().st_mode & 0o077:
            companion.chmod(0o600)


def run_migrations(database: Database) -> None:
    """Bring the schema to the newest revision (``alembic upgrade head``), in-process."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    with database.engine.connect() as connection:
        if not database.is_sqlite:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_ID})
            connection.commit()
        try:
            before = _schema_revision(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
            after = _schema_revision(connection)
            if before != after:
                logger.info("schema upgraded from %s to %s", before or "nothing", after)
            else:
                logger.info("schema already at %s", after)
        finally:
            if not database.is_sqlite:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_ID}
                )
                connection.commit()


def _schema_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def affected_rows(result: object) -> int:
    """Rows an UPDATE/DELETE touched (``CursorResult.rowcount``, typed)."""
    return int(getattr(result, "rowcount", 0))
