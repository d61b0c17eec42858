"""Single events in a tracker store shaped like Rasa 3.6's, for the dashboard's page tests.

The table and event shapes come from ``tests/unit/tracker_rows.py`` (copied from a real
tracker.db); this adapter only lets a test place one event of any sender at any moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from tests.records.tracker_rows import EVENTS, Conversation, TrackerDB

UTC = timezone.utc
_STEP = timedelta(milliseconds=20)  # Conversation stamps each event one step after its clock


class Tracker:
    def __init__(self, url: str) -> None:
        self.url = url
        self.db = TrackerDB(url)

    def _at(self, sender: str, at: datetime) -> Conversation:
        return self.db.conversation(sender, at - _STEP, session_start=False)

    def user(self, sender: str, text: str, at: datetime, intent: str = "greet",
             confidence: float = 0.95, faq: str | None = None) -> None:
        self._at(sender, at).user(text, intent, confidence, faq=faq)

    def bot(self, sender: str, text: str, at: datetime, buttons: list[dict] | None = None) -> None:
        self._at(sender, at).bot(text, [(b["title"], b["payload"]) for b in buttons or []])

    def action(self, sender: str, name: str, at: datetime) -> None:
        self._at(sender, at).action(name)

    def slot(self, sender: str, name: str, value: object, at: datetime) -> None:
        self._at(sender, at).slot(name, value)

    def loop(self, sender: str, name: str, at: datetime) -> None:
        self._at(sender, at).loop(name)

    def count(self, sender: str) -> int:
        with self.db.engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(EVENTS)
                                     .where(EVENTS.c.sender_id == sender))

    def dispose(self) -> None:
        self.db.dispose()


def now() -> datetime:
    return datetime.now(UTC)
