"""Rasa's SQL tracker store, made cheap per turn and able to survive a database restart.

``CachedSQLTrackerStore`` (the embedded default and the base of the scaled store): Rasa loads
the conversation from the database on every turn, decoding and replaying every event since the
session started, so a turn cost more the longer the conversation ran (bench/PROFILE.md). This
store keeps the trackers it last loaded or saved in memory (a bounded LRU) and, per turn, only
asks the database whether the conversation is still what it holds: the number of events and
the newest id of that sender, one indexed query. Anything else (another process or Sanic
worker that added events, retention or erasure that deleted them) makes it load from the
database as Rasa does. The lock store serialises the turns of one conversation, so no two
processes write the same conversation at once.

On SQLite (the embedded default) it also keeps its connections open and writes in WAL mode with
``synchronous=NORMAL``. Rasa's engine opens a new connection for every query (SQLAlchemy's
NullPool for SQLite files) and commits with a rollback journal: 3.3 ms per save, 0.6 ms per
load; pooled and in WAL mode 0.9 and 0.2 ms (bench/PROFILE.md, round 3). What WAL with NORMAL
gives up: after a power cut (not a crash of the process) the last turns before it may be
missing from the conversation history. Leads, consent and bookings live in the leads database,
which keeps SQLite's full durability.

``ReconnectingSQLTrackerStore`` for the scaled deployment:

Why not Rasa's own ``type: SQL``: its engine has no pool pre-ping, so after PostgreSQL restarts
the first query of every pooled connection fails. Rasa's ``FailSafeTrackerStore`` then answers
"no tracker" instead of failing: the visitor's next message runs on an empty conversation (a
confused reply, the running form forgotten) and its events are never stored, because the SQL
store only appends events beyond the count already in the table (measured in tests/scale).

This subclass changes two things and nothing else: pooled connections are checked before use
(``pool_pre_ping``), and a read or write that still meets an unreachable database is retried
for a bounded time, which covers a restart or fail-over of a few seconds. A longer outage
still ends in Rasa's own fallback, with the error in the log.

Used in ``endpoints.yml`` as ``type: deploy.tracker_store.CachedSQLTrackerStore`` and in
``endpoints.scaled.yml`` as ``type: deploy.tracker_store.ReconnectingSQLTrackerStore`` (Rasa puts
its working directory, the project root, on the import path). ``cache_size`` in either sets how
many conversations are kept (default 100; 0 turns the cache off).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, validate_port
from rasa.shared.core.events import SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

from burnout_assistant.bounded import LruDict

logger = logging.getLogger(__name__)

RETRY_SECONDS = 20.0
RETRY_PAUSE = 0.5
DEFAULT_CACHE_SIZE = 100  # conversations going on at once; a long one is a few hundred kB
T = TypeVar("T")
# (events stored for the sender, the oldest event's timestamp, the newest event's timestamp)
Stamp = tuple[int, float | None, float | None]
# Plain SQL, run on a pooled connection: the ORM query Rasa uses costs ~1 ms to build per call.
STAMP_SQL = sa.text(
    "SELECT count(*), min(timestamp), max(timestamp) FROM events WHERE sender_id = :sender")
# The newest rows of a sender, newest first (Rasa orders a conversation's events by id).
NEWEST_SQL = sa.text(
    "SELECT data FROM events WHERE sender_id = :sender ORDER BY id DESC LIMIT :count")


def _sqlite_settings(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (the jobs) do not block a turn's save
    cursor.execute("PRAGMA synchronous=NORMAL")  # no disk flush per commit; see module doc
    cursor.close()


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that loads a conversation from the database only when it changed.

    Per turn it asks one question, at load: how many events does this sender have, and when
    was the newest. What a turn then saves is known in memory (the events after those it
    loaded, as Rasa's own count would find), so saving needs no query either.
    """

    def __init__(self, *args: Any, cache_size: int | str = DEFAULT_CACHE_SIZE,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._pool_sqlite()
        size = int(cache_size)
        self._cache: LruDict[str, tuple[Stamp, DialogueStateTracker]] | None = (
            LruDict(size) if size > 0 else None)
        # Loaded this turn and not saved yet: the stamp then and how many events were loaded.
        self._loaded: LruDict[str, tuple[Stamp, int]] = LruDict(max(size, 1) * 2)

    def _replace_engine(self, **options: Any) -> None:
        """Rasa's engine for the same database, made again with these ``create_engine`` options."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, **options)
        self.sessionmaker = sessionmaker(bind=self.engine)

    def _pool_sqlite(self) -> None:
        """Open connections kept in a pool, in WAL mode with ``synchronous=NORMAL``."""
        # The pool hands a connection to one caller at a time, so it may move between threads.
        self._replace_engine(poolclass=QueuePool, connect_args={"check_same_thread": False})
        sa.event.listen(self.engine, "connect", _sqlite_settings)

    def _stamp(self, sender_id: str) -> Stamp:
        """What the database holds for this sender, in one indexed query."""
        with self.engine.connect() as connection:
            count, oldest, newest = connection.execute(STAMP_SQL, {"sender": sender_id}).one()
        return int(count), oldest, newest

    def _grown(self, sender_id: str, cached: tuple[Stamp, DialogueStateTracker],
               stamp: Stamp) -> DialogueStateTracker | None:
        """The cached conversation plus the events another process appended since, or None
        when anything else happened (erased, shortened, a new session, events out of order).

        Rows are only ever appended to a conversation or all deleted (erasure, retention), so
        the same oldest event and more rows mean the new rows are the newest ones by id, which
        is Rasa's order. With two Sanic workers about every other turn lands on the process
        that did not serve the one before; this loads a few rows instead of all of them.
        """
        (count, oldest, newest), tracker = cached
        if not (stamp[0] > count and stamp[1] == oldest and oldest is not None
                and newest is not None and stamp[2] is not None and stamp[2] >= newest):
            return None
        with self.engine.connect() as connection:
            rows = connection.execute(
                NEWEST_SQL, {"sender": sender_id, "count": stamp[0] - count}).all()
        added = deserialise_events([json.loads(row.data) for row in reversed(rows)])
        latest = tracker.events[-1].timestamp if tracker.events else newest
        if len(added) != stamp[0] - count or any(
                isinstance(e, SessionStarted) or e.timestamp < latest for e in added):
            return None  # a new session, or an event Rasa's session filter might leave out
        grown = tracker.copy()
        for event in added:
            grown.update(event)
        return grown

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if self._cache is None or fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        stamp = self._stamp(sender_id)
        cached = self._cache.get(sender_id)
        if cached is not None and cached[0] == stamp:
            tracker = cached[1].copy()  # the caller adds events to what it gets
        else:
            grown = self._grown(sender_id, cached, stamp) if cached is not None else None
            tracker = grown if grown is not None else await super()._retrieve(sender_id, False)
            if tracker is None:
                self._cache.pop(sender_id, None)
                self._loaded.pop(sender_id, None)
                return None
            if self._stamp(sender_id) != stamp:  # written while it loaded: trust nothing
                self._loaded.pop(sender_id, None)
                return tracker
            self._cache[sender_id] = (stamp, tracker.copy())
        self._loaded[sender_id] = (stamp, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self._cache is None:
            await super().save(tracker)
            return
        sender = tracker.sender_id
        loaded = self._loaded.peek(sender)
        new = list(tracker.events)[loaded[1]:] if loaded is not None else []
        try:
            if loaded is None:
                await super().save(tracker)  # Rasa's count query finds what is new
            else:
                await self.stream_events(tracker)
                self._insert(sender, new)
        except Exception:
            self._cache.pop(sender, None)
            raise
        finally:
            self._loaded.pop(sender, None)
        if loaded is None:
            stamp = self._stamp(sender)
        else:
            (count, oldest, newest), stamps = loaded[0], [e.timestamp for e in new]
            oldest = min([*stamps, *([oldest] if oldest is not None else [])], default=None)
            newest = max([*stamps, *([newest] if newest is not None else [])], default=None)
            stamp = (count + len(new), oldest, newest)
        self._cache[sender] = (stamp, self._as_loaded(tracker))

    def _insert(self, sender_id: str, events: list) -> None:
        """Rasa's rows for these events (as its ``save`` builds them), in one statement.

        The lock store holds the conversation for the whole turn, so the events after those
        loaded are exactly what is new. Rasa's ORM session writes one INSERT per event, each a
        round trip to PostgreSQL; one multi-row insert is one.
        """
        if not events:
            return
        rows = []
        for event in events:
            data = event.as_dict()
            rows.append({
                "sender_id": sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            })
        with self.engine.begin() as connection:
            connection.execute(self.SQLEvent.__table__.insert(), rows)

    def _as_loaded(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """The tracker as loading it would give: only the events of the latest session.

        Rasa's query keeps the events from the newest ``session_started`` on (by timestamp);
        a turn that began a new session holds the old session's events in memory too.
        """
        events = list(tracker.events)
        starts = [i for i, e in enumerate(events) if isinstance(e, SessionStarted)]
        if not starts or starts[-1] == 0:
            return tracker.copy()
        begun = events[starts[-1]].timestamp
        kept = [e for e in events[starts[-1]:] if e.timestamp >= begun]
        return DialogueStateTracker.from_events(
            tracker.sender_id, kept, self.domain.slots if self.domain else None)


# Any constant shared by all processes: the advisory lock under which the tables are created.
TABLES_LOCK_KEY = 0x7261736174726b  # "rasatrk"


def create_tables_one_at_a_time(params: dict[str, Any]) -> None:
    """Create Rasa's events table under a PostgreSQL advisory lock, before Rasa tries.

    Why: two Sanic workers or replicas starting on an empty database both run Rasa's
    ``create_all`` at once. The loser either logs "Could not create tables" as an ERROR, or
    meets a unique violation that Rasa logs as a WARNING, with the SQL, and then sleeps 5 s
    before it tries again. One at a time, the others find the table and Rasa's own
    ``create_all`` does nothing. When the database cannot be reached, Rasa's own start-up loop
    waits for it and says so, as before.
    """
    if params.get("dialect") != "postgresql" or params.get("login_db"):
        return  # Rasa creates the database itself first with login_db: leave that to it
    url = SQLTrackerStore.get_db_url(
        "postgresql", params.get("host"), validate_port(params.get("port")),
        params.get("db", "rasa.db"), params.get("username"), params.get("password"),
        None, params.get("query"))
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": TABLES_LOCK_KEY})
            SQLTrackerStore.Base.metadata.create_all(connection)
    except sa.exc.SQLAlchemyError as exc:
        logger.debug("tracker tables not created before start (%s)", type(exc).__name__)
    finally:
        engine.dispose()


class ReconnectingSQLTrackerStore(CachedSQLTrackerStore):
    """``SQLTrackerStore`` with pre-ping and a bounded retry while the database is away."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args:  # Rasa passes the endpoint's settings as keywords
            create_tables_one_at_a_time(kwargs)
        super().__init__(*args, **kwargs)
        self._replace_engine(pool_pre_ping=True, **create_engine_kwargs(self.engine.url))

    async def _retrying(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RETRY_SECONDS
        while True:
            try:
                return await call()
            except OperationalError as exc:
                if loop.time() >= deadline:
                    raise
                # The error's text can carry event data (message text): log only its type.
                logger.warning("tracker store unreachable during %s (%s); retrying", what,
                               type(exc.orig).__name__)
                await asyncio.sleep(RETRY_PAUSE)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        return await self._retrying(
            "retrieve",
            lambda: CachedSQLTrackerStore._retrieve(
                self, sender_id, fetch_events_from_all_sessions),
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        # Without an event broker the base save only writes; a retry appends exactly the
        # events not yet stored, since a failed commit wrote nothing.
        await self._retrying("save", lambda: CachedSQLTrackerStore.save(self, tracker))
