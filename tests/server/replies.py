"""Reading the assistant's REST replies in tests."""

from __future__ import annotations


def texts(replies: list[dict]) -> str:
    """All reply texts as one string."""
    return " ".join(r.get("text", "") for r in replies)


def buttons(replies: list[dict]) -> list[dict]:
    """All buttons of all replies, in order."""
    return [b for r in replies for b in r.get("buttons", [])]
