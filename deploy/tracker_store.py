"""PostgreSQL tracker store for the scaled deployment that survives a database restart.

Why not Rasa's own ``type: SQL``: its engine has no pool pre-ping, so after PostgreSQL restarts
the first query of every pooled connection fails. Rasa's ``FailSafeTrackerStore`` then answers
"no tracker" instead of failing: the visitor's next message runs on an empty conversation (a
confused reply, the running form forgotten) and its events are never stored, because the SQL
store only appends events beyond the count already in the table (measured in tests/scale).

This subclass changes two things and nothing else: pooled connections are checked before use
(``pool_pre_ping``), and a read or write that still meets an unreachable database is retried
for a bounded time, which covers a restart or fail-over of a few seconds. A longer outage
still ends in Rasa's own fallback, with the error in the log.

Used in ``endpoints.scaled.yml`` as ``type: deploy.tracker_store.ReconnectingSQLTrackerStore``
(Rasa puts its working directory, the project root, on the import path).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

logger = logging.getLogger(__name__)

RETRY_SECONDS = 20.0
RETRY_PAUSE = 0.5
T = TypeVar("T")


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with pre-ping and a bounded retry while the database is away."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)

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
            lambda: SQLTrackerStore._retrieve(self, sender_id, fetch_events_from_all_sessions),
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        # Without an event broker the base save only writes; a retry appends exactly the
        # events not yet stored, since a failed commit wrote nothing.
        await self._retrying("save", lambda: SQLTrackerStore.save(self, tracker))
