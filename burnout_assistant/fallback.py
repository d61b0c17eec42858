"""Which reply to give when the assistant did not understand.

First miss: ask to rephrase, with topic buttons. A second miss in a row: stop asking and offer
a call-back or the free call, so a tired visitor never ends up in a loop.
"""

from __future__ import annotations

from collections.abc import Iterable

from burnout_assistant.incoming import MessageKind

MISS_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})

_KIND_RESPONSES = {
    MessageKind.EMPTY: "utter_empty_message",
    MessageKind.EMOJI_ONLY: "utter_emoji_only",
    MessageKind.FOREIGN: "utter_other_language",
}


def consecutive_misses(user_intents: Iterable[str | None]) -> int:
    """How many of the latest user messages in a row were not understood (oldest first in)."""
    count = 0
    for intent in reversed(list(user_intents)):
        if intent not in MISS_INTENTS:
            break
        count += 1
    return count


def fallback_response(misses: int, kind: MessageKind | str = MessageKind.OK) -> str:
    """Name of the response for this miss; a second miss always offers a person."""
    if misses >= 2:
        return "utter_second_miss"
    return _KIND_RESPONSES.get(MessageKind(kind), "utter_rephrase")
