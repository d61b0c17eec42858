"""Rasa's tracker store as one table: where it is, how to connect, and deleting conversations.

Rasa 3.6's ``SQLTrackerStore`` keeps every event as one row of the table ``events``: ``id``
(insertion order), ``sender_id``, ``type_name``, ``timestamp`` (unix seconds), ``intent_name``
(user events), ``action_name`` (``data["name"]`` of any event: the action, the slot or the form)
and ``data`` (the whole event as JSON). The table is reflected, not imported from Rasa, so this
works without Rasa installed.

Every deletion of tracker events goes through :meth:`TrackerEvents.delete_conversations`: the
erasure job, staff erasing a lead in the dashboard, and retention.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, and_, create_engine, delete, func, select
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import NoSuchTableError

from burnout_assistant.config_files import load_yaml
from burnout_assistant.records.database import SQLITE_BUSY_SECONDS

UTC = timezone.utc
_CHUNK = 500  # ids per IN (...): well below every database's parameter limit


def tracker_store_url(endpoints: Path) -> str | None:
    """SQLAlchemy URL of Rasa's SQL tracker store as configured in ``endpoints.yml``.

    Understands what Rasa understands there: ``${VAR}`` placeholders filled from the
    environment, and subclasses of Rasa's SQLTrackerStore (the scaled deployment's
    reconnecting store) named by their import path. None when the tracker store is not SQL.
    A relative SQLite path is relative to the working directory, as for Rasa itself.
    """
    config = (load_yaml(endpoints.read_text()) or {}).get("tracker_store") or {}
    config = {k: os.path.expandvars(v) if isinstance(v, str) else v for k, v in config.items()}
    kind = str(config.get("type", "")).lower()
    if kind != "sql" and not kind.endswith("sqltrackerstore"):
        return None
    dialect = config.get("dialect", "sqlite")
    if dialect == "sqlite":
        return f"sqlite:///{config.get('db', 'rasa.db')}"
    return URL.create(
        dialect, username=config.get("username") or None,
        password=config.get("password") or None, host=config.get("url"),
        port=int(config["port"]) if config.get("port") else None, database=config.get("db"),
    ).render_as_string(hide_password=False)


def tracker_engine(tracker_url: str) -> Engine:
    """An engine that waits while Rasa writes to a SQLite file, and gives up fast on a server."""
    url = make_url(tracker_url)
    options: dict[str, Any] = {"future": True, "hide_parameters": True}
    if url.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": SQLITE_BUSY_SECONDS}
    elif url.get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": 5}
        options["pool_pre_ping"] = True
    return create_engine(url, **options)


class TrackerEvents:
    """The ``events`` table of one tracker store; only this class deletes from it."""

    def __init__(self, tracker_url: str) -> None:
        self._url = make_url(tracker_url)
        self._engine: Engine = tracker_engine(tracker_url)
        self._events: Table | None = None

    def dispose(self) -> None:
        self._engine.dispose()

    def _table(self) -> Table | None:
        """The reflected ``events`` table; None while Rasa has not stored anything yet."""
        if self._events is not None:
            return self._events
        if self._url.get_backend_name() == "sqlite":
            database = self._url.database or ""
            if database not in ("", ":memory:") and not Path(database).exists():
                return None  # do not create an empty database file by connecting
        try:
            self._events = Table("events", MetaData(), autoload_with=self._engine)
        except NoSuchTableError:
            return None
        return self._events

    def idle_senders(self, days: int, now: datetime) -> list[str]:
        """Conversations whose last event is more than ``days`` days before ``now``."""
        if days < 0:
            raise ValueError("days must not be negative")
        events = self._table()
        if events is None:
            return []
        cutoff = timestamp(now - timedelta(days=days))
        query = (
            select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(func.max(events.c.timestamp) < cutoff)
        )
        with self._engine.connect() as connection:
            return sorted(connection.scalars(query))

    def known_senders(self, sender_ids: Iterable[str]) -> set[str]:
        """Which of these conversations have events in the store."""
        events = self._table()
        senders = sorted(set(sender_ids))
        if events is None or not senders:
            return set()
        found: set[str] = set()
        with self._engine.connect() as connection:
            for chunk in chunks(senders):
                found.update(connection.scalars(
                    select(events.c.sender_id).where(events.c.sender_id.in_(chunk)).distinct()))
        return found

    def delete_older_than(self, days: int, keep: set[str], now: datetime) -> int:
        """Delete conversations idle for more than ``days`` days, except those in ``keep``.

        A conversation that gets a new event between the check and the delete is left alone.
        Returns how many conversations were deleted.
        """
        senders = [s for s in self.idle_senders(days, now) if s not in keep]
        return self.delete_conversations(senders, idle_before=now - timedelta(days=days))

    def delete_conversations(
        self, sender_ids: Iterable[str], idle_before: datetime | None = None
    ) -> int:
        """Delete these conversations (only those idle since ``idle_before``, if given).

        Returns how many conversations had events; 0 when Rasa never stored any.
        """
        events = self._table()
        senders = sorted(set(sender_ids))
        if events is None or not senders:
            return 0
        deleted = 0
        for chunk in chunks(senders):
            condition = events.c.sender_id.in_(chunk)
            if idle_before is not None:
                active = select(events.c.sender_id).where(
                    events.c.timestamp >= timestamp(idle_before))
                condition = and_(condition, events.c.sender_id.not_in(active))
            with self._engine.begin() as connection:
                found = list(connection.scalars(
                    select(events.c.sender_id).where(condition).distinct()))
                if found:
                    connection.execute(delete(events).where(events.c.sender_id.in_(found)))
                deleted += len(found)
        return deleted


def moment(seconds: float | None) -> datetime:
    """An event's ``timestamp`` column as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds or 0.0, UTC)


def timestamp(value: datetime) -> float:
    """The ``timestamp`` column's unix seconds for an aware datetime; naive is refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return value.timestamp()


def event_data(data: str | None) -> dict[str, Any]:
    """An event's ``data`` column as a dict; {} when it is not a JSON object."""
    try:
        loaded = json.loads(data or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]
