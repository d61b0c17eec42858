"""A tracker store as Rasa 3.6's SQLTrackerStore writes it: table ``events``, one row per event.

Rows are written with the same columns and JSON shapes Rasa uses (``intent_name`` for user
events, ``action_name`` = the event's ``name``), so the dashboard reads them through the real
ConversationStore exactly as it reads a running assistant's conversations.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlalchemy as sa

UTC = timezone.utc


class Tracker:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = sa.create_engine(url, future=True)
        metadata = sa.MetaData()
        self.events = sa.Table(
            "events", metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("sender_id", sa.String(255), nullable=False, index=True),
            sa.Column("type_name", sa.String(255), nullable=False),
            sa.Column("timestamp", sa.Float),
            sa.Column("intent_name", sa.String(255)),
            sa.Column("action_name", sa.String(255)),
            sa.Column("data", sa.Text),
        )  # fmt: skip
        metadata.create_all(self.engine)

    def _add(self, sender: str, type_name: str, at: datetime, data: dict,
             intent: str | None = None, name: str | None = None) -> None:
        data = {"event": type_name, "timestamp": at.timestamp(), **data}
        with self.engine.begin() as connection:
            connection.execute(self.events.insert().values(
                sender_id=sender, type_name=type_name, timestamp=at.timestamp(),
                intent_name=intent, action_name=name, data=json.dumps(data),
            ))

    def user(self, sender: str, text: str, at: datetime, intent: str = "greet",
             confidence: float = 0.95, faq: str | None = None) -> None:
        parse = {"text": text, "intent": {"name": intent, "confidence": confidence}}
        if faq:
            parse["intent"]["full_retrieval_intent_name"] = f"faq/{faq}"
        self._add(sender, "user", at, {"text": text, "parse_data": parse,
                                       "input_channel": "web"}, intent=intent)

    def bot(self, sender: str, text: str, at: datetime, buttons: list[dict] | None = None) -> None:
        self._add(sender, "bot", at, {"text": text, "data": {"buttons": buttons or []}})

    def action(self, sender: str, name: str, at: datetime) -> None:
        self._add(sender, "action", at, {"name": name}, name=name)

    def slot(self, sender: str, name: str, value: object, at: datetime) -> None:
        self._add(sender, "slot", at, {"name": name, "value": value}, name=name)

    def loop(self, sender: str, name: str, at: datetime) -> None:
        self._add(sender, "active_loop", at, {"name": name}, name=name)

    def count(self, sender: str) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(self.events)
                                     .where(self.events.c.sender_id == sender))

    def dispose(self) -> None:
        self.engine.dispose()


def now() -> datetime:
    return datetime.now(UTC)
