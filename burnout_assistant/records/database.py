"""The leads database: its engine, its transactions, its migrations and its one error.

Every failure to use the database (down, locked, not migrated) reaches the caller as
:class:`LeadsUnavailable`, so an action can answer the visitor ("bel ons even") and the
dashboard can show staff a Dutch page instead of crashing; error texts never carry the bound
values (names, phone numbers) of the statement that failed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, TypeDecorator, create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (
    InterfaceError,
    InternalError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

UTC = timezone.utc
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Our own version table, so the leads migrations can share a database (the SQLite file of the
# embedded default, or a PostgreSQL database) with anything else that uses Alembic.
VERSION_TABLE = "leads_alembic_version"
SQLITE_BUSY_SECONDS = 15  # how long a writer waits for another one before giving up
# Errors that mean "the database cannot be used now" (down, locked, not migrated).
_UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    InternalError,
    ProgrammingError,
    PoolTimeoutError,
)


class LeadsUnavailable(Exception):
    """The leads database cannot be reached or used; the caller offers the phone instead."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is refused because its instant is a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware datetime (e.g. Europe/Amsterdam or UTC)")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """Stores instants in UTC and returns aware UTC datetimes on SQLite and PostgreSQL alike.

    SQLite keeps no offset, PostgreSQL returns the session's zone: both are normalised here so
    comparisons and the unique slot start behave the same on either database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def engine_for(url: str) -> Engine:
    """An engine that waits for a busy SQLite file and gives up fast on an absent server."""
    if url.startswith("postgres://"):  # the form many hosting platforms hand out
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    options: dict[str, Any] = {"future": True, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        options["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
        database = parsed.database or ""
        if database in ("", ":memory:"):
            options["poolclass"] = StaticPool  # one shared connection, or each sees no tables
        else:
            # If this fails, connecting fails too and says so as LeadsUnavailable.
            with suppress(OSError):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **options)
        _serialise_sqlite_writes(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": 5}
    options["pool_pre_ping"] = True  # a restarted database must not cost one failed request
    return create_engine(parsed, **options)


def _serialise_sqlite_writes(engine: Engine) -> None:
    """``BEGIN IMMEDIATE`` for every transaction: writers queue on the busy timeout.

    pysqlite's default deferred transactions can deadlock two writers that both read first
    (neither can upgrade its lock) and fail one at once with "database is locked".
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The leads database; each store built on it reads and writes in short transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = engine_for(url)
        self._sessions = sessionmaker(bind=self._engine, future=True, expire_on_commit=False)

    def dispose(self) -> None:
        """Close pooled connections (tests, shutdown)."""
        self._engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A short transaction; any database failure in it becomes :class:`LeadsUnavailable`."""
        try:
            with self._sessions.begin() as session:
                yield session
        except _UNAVAILABLE as exc:
            log.warning("leads database unavailable: %s", type(getattr(exc, "orig", exc)).__name__)
            raise LeadsUnavailable("de leads-database is niet bereikbaar") from exc

    def migrate(self) -> None:
        """Bring the schema to the newest migration (``alembic upgrade head``)."""
        try:
            with self._engine.connect() as connection:
                if connection.dialect.name == "sqlite":
                    with _foreign_keys_off(connection):
                        self._upgrade(connection)
                else:
                    self._upgrade(connection)
        except _UNAVAILABLE as exc:
            log.warning("leads migration failed: %s", type(exc).__name__)
            raise LeadsUnavailable("de leads-database is niet bereikbaar") from exc

    def _upgrade(self, connection: Connection) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        config.attributes["configure_logger"] = False  # keep the host application's logging
        with connection.begin():
            if connection.dialect.name == "postgresql":
                # Two replicas starting together must not both create the tables.
                connection.execute(text("SELECT pg_advisory_xact_lock(742017)"))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:  # rolls the whole migration back
                    raise RuntimeError(f"migration broke a foreign key of {broken[0]}")


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite without foreign key enforcement while the migrations run.

    A batch migration copies a table and drops the original; with enforcement on, dropping
    ``leads`` would cascade to the claims and audit trail that refer to it. The pragma only
    takes effect outside a transaction, so it goes to the driver's connection directly.
    """
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")
