"""Which FAQ topic a message asked about: one reading for the actions, the lead and the dashboard.

The response selector names a topic for every message (a check answer like "vaak" comes back
as some faq key), so only the intent says whether a question was asked; the topic itself is
the retrieval label's second half.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from burnout_assistant.names import FAQ


def faq_topic(parse_data: dict[str, Any]) -> str | None:
    """``cortisol`` for a message classified as ``faq``; None for every other intent."""
    intent = parse_data.get("intent") or {}
    name = intent.get("name") or ""
    if name != FAQ and not name.startswith(f"{FAQ}/"):
        return None
    full = intent.get("full_retrieval_intent_name") or (
        ((parse_data.get("response_selector") or {}).get(FAQ) or {}).get("response") or {}
    ).get("intent_response_key") or name
    topic = full.split("/", 1)[1] if "/" in full else ""
    return topic or None


def faq_key(parse_data: dict[str, Any]) -> str | None:
    """``faq/cortisol`` (the response key) for a faq question, else None."""
    topic = faq_topic(parse_data)
    return f"{FAQ}/{topic}" if topic else None


def topics_asked(parse_data: Iterable[dict[str, Any]]) -> list[str]:
    """The faq topics of a run of user messages, in order, each once."""
    topics = (faq_topic(data) for data in parse_data)
    return list(dict.fromkeys(t for t in topics if t))
