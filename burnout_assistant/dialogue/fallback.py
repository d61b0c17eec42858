"""Which reply to give when the assistant did not understand.

First miss: ask to rephrase, with topic buttons. A second miss in a row: stop asking and offer
a call-back or the free call, so a tired visitor never ends up in a loop. The result is the
value of the ``miss_reply`` slot; rules in data/rules/fallback.yml map it to a response.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from burnout_assistant.language.incoming import MessageKind

MISS_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})

_KIND_REPLIES = {
    MessageKind.EMPTY: "empty",
    MessageKind.EMOJI_ONLY: "emoji_only",
    MessageKind.FOREIGN: "foreign",
}


def consecutive_misses(user_intents: Iterable[str | None]) -> int:
    """How many of the latest user messages in a row were not understood (oldest first in)."""
    count = 0
    for intent in reversed(list(user_intents)):
        if intent not in MISS_INTENTS:
            break
        count += 1
    return count


def miss_reply(misses: int, kind: MessageKind | str = MessageKind.OK) -> str:
    """The kind of reply for this miss; a second miss always offers a person."""
    if misses >= 2:
        return "second_miss"
    return _KIND_REPLIES.get(MessageKind(kind), "rephrase")


# An erasure request the classifier missed (often English: "delete my data please") is still
# an erasure request: it is never refused because of its language.
_ERASURE = re.compile(
    r"\b(?:delete|erase|remove|wipe|verwijder\w*|wis|wissen)\b.*\b(?:data|information|info|"
    r"details|everything|account|chat|conversation|gegevens|alles|gesprek)\b",
    re.IGNORECASE,
)


def asks_erasure(text: str) -> bool:
    return bool(_ERASURE.search(text or ""))


def reply_for_miss(misses: int, kind: MessageKind | str, text: str) -> str:
    """``miss_reply`` plus one exception: a missed erasure request is answered as one."""
    return "erase" if asks_erasure(text) else miss_reply(misses, kind)
