"""Writes conversations into an ``events`` table shaped like Rasa 3.6's SQLTrackerStore.

Column layout and event JSON copied from a tracker.db written by the real Rasa server (see
tests/server/test_conversations.py for the same reading against Rasa itself). Note what Rasa
really does: the response selector names a faq key for EVERY message, and ``action_name`` holds
``data["name"]`` of any event (the slot name of a slot event, the form of an active_loop).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    select,
)

METADATA = MetaData()
EVENTS = Table(
    "events", METADATA,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
META = {"model_id": "90f9fac37b08421d8f1e9945218ecc13",
        "assistant_id": "praktijk-burnout-assistent"}


class TrackerDB:
    """A tracker database (SQLite or PostgreSQL) with Rasa's ``events`` table."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url, future=True)
        METADATA.create_all(self.engine)

    def conversation(
        self, sender_id: str, start: datetime, session_start: bool = True
    ) -> Conversation:
        return Conversation(self, sender_id, start, session_start)

    def insert(self, rows: list[dict[str, Any]]) -> None:
        with self.engine.begin() as connection:
            connection.execute(EVENTS.insert(), rows)

    def senders(self) -> set[str]:
        with self.engine.connect() as connection:
            return set(connection.scalars(select(EVENTS.c.sender_id).distinct()))

    def dispose(self) -> None:
        self.engine.dispose()


class Conversation:
    """Events of one sender, each a few milliseconds after the previous one."""

    def __init__(
        self, db: TrackerDB, sender_id: str, start: datetime, session_start: bool = True
    ) -> None:
        self.db, self.sender_id, self.clock = db, sender_id, start
        if session_start:
            self.session_start()

    def at(self, moment: datetime) -> Conversation:
        """Continue at ``moment`` (a visitor who comes back later)."""
        self.clock = moment
        return self

    def _event(self, type_name: str, data: dict[str, Any], intent: str | None = None) -> None:
        self.clock += timedelta(milliseconds=20)
        ts = self.clock.timestamp()
        data = {"event": type_name, "timestamp": ts, "metadata": META, **data}
        self.db.insert([{
            "sender_id": self.sender_id, "type_name": type_name, "timestamp": ts,
            "intent_name": intent, "action_name": data.get("name"), "data": json.dumps(data),
        }])

    def action(self, name: str) -> Conversation:
        self._event("action", {"name": name, "policy": "RulePolicy", "confidence": 1.0,
                               "action_text": None, "hide_rule_turn": False})
        return self

    def session_start(self) -> Conversation:
        self.action("action_session_start")
        self._event("session_started", {})
        for name, value in (("practice_name", "Praktijk Veerkracht"),
                            ("practice_phone", "+31 20 123 4567")):
            self.slot(name, value)
        return self.action("action_listen")

    def slot(self, name: str, value: Any) -> Conversation:
        self._event("slot", {"name": name, "value": value})
        return self

    def loop(self, name: str | None) -> Conversation:
        self._event("active_loop", {"name": name})
        return self

    def user(self, text: str, intent: str, confidence: float = 0.98,
             faq: str | None = None, selector: str = "faq/tekorten") -> Conversation:
        """A visitor message; ``faq`` is the topic when the intent is faq."""
        intent_data: dict[str, Any] = {"name": intent, "confidence": confidence}
        if faq:
            intent_data["full_retrieval_intent_name"] = f"faq/{faq}"
        key = f"faq/{faq}" if faq else selector
        parse_data = {
            "intent": intent_data, "entities": [], "text": text, "message_id": "m",
            "metadata": {}, "message_guard": {"kind": "ok", "truncated": False, "crisis": False},
            "intent_ranking": [intent_data],
            "response_selector": {"all_retrieval_intents": ["faq"], "faq": {
                "response": {"id": 1, "responses": [{"text": "..."}], "response_templates":
                             [{"text": "..."}], "confidence": 0.9, "intent_response_key": key,
                             "utter_action": f"utter_{key}", "template_name": f"utter_{key}"},
                "ranking": []}},
        }
        self._event("user", {"text": text, "parse_data": parse_data, "input_channel": "web",
                             "message_id": "m"}, intent=intent)
        self._event("user_featurization", {"use_text_for_featurization": False})
        return self

    def bot(self, text: str | None, buttons: Sequence[tuple[str, str]] = (),
            custom: dict | None = None) -> Conversation:
        """An assistant message; ``buttons`` as (title, payload)."""
        self._event("bot", {"text": text, "data": {
            "elements": None, "quick_replies": None,
            "buttons": [{"title": t, "payload": p} for t, p in buttons] or None,
            "attachment": None, "image": None, "custom": custom}})
        return self

    def listen(self) -> Conversation:
        return self.action("action_listen")
