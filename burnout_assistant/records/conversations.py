"""Reading conversations from Rasa's SQL tracker store for the staff dashboard.

One conversation is one ``sender_id``: the dashboard shows its transcript beside the lead,
and whether it reached the crisis answer. The counts over all conversations are in
``insights.py``, the table itself and deleting from it in ``tracker_events.py``; a
:class:`ConversationStore` does all three over one connection. Nothing here logs message text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from burnout_assistant.language.topics import faq_key, topics_asked
from burnout_assistant.names import CRISIS_ANSWER
from burnout_assistant.records.insights import CRISIS_QUESTION, ConversationInsights, asked_faq
from burnout_assistant.records.tracker_events import event_data, moment, tracker_store_url

VISITOR = "bezoeker"
ASSISTANT = "assistent"


@dataclass(frozen=True)
class Turn:
    """One line of the transcript."""

    at: datetime  # aware UTC
    who: str  # VISITOR | ASSISTANT
    text: str  # a clicked button shows its title when it can be found, else the payload
    buttons: tuple[str, ...] = ()  # titles offered with an assistant message
    intent: str | None = None  # visitor turns; faq as "faq/<topic>"


class ConversationStore(ConversationInsights):
    """What the dashboard reads from the tracker store: one conversation, or all of them."""

    @classmethod
    def from_endpoints(cls, endpoints: Path, tz: ZoneInfo) -> ConversationStore | None:
        """The store named in ``endpoints.yml``; None when the tracker store is not SQL."""
        url = tracker_store_url(endpoints)
        return cls(url, tz) if url else None

    def transcript(self, sender_id: str) -> list[Turn]:
        """The messages of one conversation in order; [] for an unknown or erased one."""
        events = self._table()
        if events is None:
            return []
        query = (
            select(events.c.type_name, events.c.timestamp, events.c.data)
            .where(events.c.sender_id == sender_id, events.c.type_name.in_(("user", "bot")))
            .order_by(events.c.id)
        )
        turns: list[Turn] = []
        offered: dict[str, str] = {}  # payload -> title of the buttons since the last visitor turn
        with self._engine.connect() as connection:
            for type_name, seconds, data in connection.execute(query):
                event = event_data(data)
                if type_name == "bot":
                    buttons = [b for b in ((event.get("data") or {}).get("buttons") or [])
                               if isinstance(b, dict)]
                    titles = tuple(str(b.get("title") or b.get("payload") or "") for b in buttons)
                    for button in buttons:
                        if button.get("payload") is not None:
                            offered[str(button["payload"])] = str(button.get("title") or "")
                    text = event.get("text") or ""
                    if text or titles:
                        turns.append(Turn(moment(seconds), ASSISTANT, text, titles))
                    continue
                typed = event.get("text") or ""
                shown = offered.get(typed) or typed
                offered = {}
                turns.append(Turn(moment(seconds), VISITOR, shown, (),
                                  _intent_label(event.get("parse_data") or {})))
        return turns

    def safety_moments(self, sender_id: str) -> tuple[int, int]:
        """How often this conversation got the crisis answer and the direct question."""
        events = self._table()
        if events is None:
            return 0, 0
        query = (select(events.c.action_name, func.count())
                 .where(events.c.sender_id == sender_id, events.c.type_name == "action",
                        events.c.action_name.in_((CRISIS_ANSWER, CRISIS_QUESTION)))
                 .group_by(events.c.action_name))
        with self._engine.connect() as connection:
            counts = dict(connection.execute(query).all())
        return counts.get(CRISIS_ANSWER, 0), counts.get(CRISIS_QUESTION, 0)

    def topics(self, sender_id: str) -> list[str]:
        """The faq topics this visitor asked about, in order, each once."""
        events = self._table()
        if events is None:
            return []
        query = (
            select(events.c.data)
            .where(events.c.sender_id == sender_id, events.c.type_name == "user",
                   asked_faq(events))
            .order_by(events.c.id)
        )
        with self._engine.connect() as connection:
            return topics_asked(event_data(data).get("parse_data") or {}
                                for data, in connection.execute(query))


def _intent_label(parse_data: dict[str, Any]) -> str | None:
    return faq_key(parse_data) or (parse_data.get("intent") or {}).get("name")
