"""What every channel checks before a message reaches the assistant: size and rate."""

from __future__ import annotations

from functools import lru_cache

from burnout_assistant.apps.limits import (
    FAILED_TEXT,
    RATE_LIMITED_TEXT,
    RateLimiter,
    too_long_reply,
)
from burnout_assistant.settings import current_settings


@lru_cache(maxsize=1)
def rate_limiter() -> RateLimiter:
    """One set of buckets per Rasa server process, shared by all channels (senders differ)."""
    limits = current_settings().limits
    return RateLimiter(limits.messages_per_minute, burst=limits.burst)


def refusal(sender: str, text: str) -> str | None:
    """A friendly Dutch reply when the message may not pass; None when it may."""
    limit = current_settings().limits.max_message_chars
    if len(text) > limit:
        return too_long_reply(len(text), limit)
    if not rate_limiter().allow(sender):
        return RATE_LIMITED_TEXT
    return None


def answered(messages: list[dict]) -> list[dict]:
    """The assistant's replies, or a friendly line when it produced none.

    Every message of ours gets an answer; none means something behind the Rasa server failed
    (Rasa logs a failed custom action and carries on silently), and silence would leave the
    visitor waiting.
    """
    return messages or [{"text": FAILED_TEXT}]
