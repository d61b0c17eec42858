"""Where to go after the direct crisis question was answered "nee".

The check-in ends any form before it asks (a "nee" must never be taken as a name or as a
consent), so the form to return to is read back from the conversation: the form that was
active when the unsure message came in. Rasa's rules cannot remember it across two user
messages, and a slot filled by a form-conditioned mapping is refused by Rasa's validator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from burnout_assistant.names import CHECK_IN_RESPONSE

DEACTIVATE_ACTION = "action_deactivate_loop"


def form_to_resume(events: Sequence[dict[str, Any]]) -> str | None:
    """The form that the latest direct question interrupted, or None if it interrupted none.

    ``events`` are Rasa tracker events as dicts, oldest first.
    """
    asked = _last_index(events, lambda e: _action(e) == CHECK_IN_RESPONSE)
    if asked is None:
        return None
    turn_start = _last_index(events[:asked], lambda e: e.get("event") == "user")
    if turn_start is None:
        return None
    in_turn = events[turn_start:asked]
    if not any(_action(e) == DEACTIVATE_ACTION for e in in_turn):
        return None
    active = None
    for event in events[:turn_start]:
        if event.get("event") == "active_loop":
            active = event.get("name")
    return active


def _action(event: dict[str, Any]) -> str | None:
    return event.get("name") if event.get("event") == "action" else None


def _last_index(events: Sequence[dict[str, Any]], match) -> int | None:
    for index in range(len(events) - 1, -1, -1):
        if match(events[index]):
            return index
    return None
