"""Small translations every action needs: buttons, the faq topic of a message, the time now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from burnout_assistant.check_flow import Button
from burnout_assistant.settings import current_settings


def button_dicts(buttons: list[Button]) -> list[dict[str, str]]:
    """Package buttons as Rasa's ``{"title", "payload"}`` dicts."""
    return [{"title": b.title, "payload": b.payload} for b in buttons]


def faq_topic(message: dict[str, Any]) -> str | None:
    """``faq/cortisol`` when the message was a faq question, else None.

    The response selector names a topic for every message (a check answer like "vaak" comes
    back as some faq key), so only the intent says whether a question was asked.
    """
    if (message.get("intent") or {}).get("name") != "faq":
        return None
    selected = (message.get("response_selector") or {}).get("faq", {}).get("response", {})
    return (selected or {}).get("intent_response_key")


def practice_now() -> datetime:
    """The time now in the practice's time zone."""
    return datetime.now(current_settings().tz)
