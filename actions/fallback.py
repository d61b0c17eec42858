"""Not understood: rephrase first, a person on the second miss, a kind word for odd messages."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from burnout_assistant.dialogue.fallback import consecutive_misses, reply_for_miss
from burnout_assistant.language.incoming import MessageKind
from burnout_assistant.names import MISS_REPLY


class ActionFallback(Action):
    """Sets ``miss_reply``; the rules turn it into the response, so texts stay in the domain."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intents = [
            (event.get("parse_data") or {}).get("intent", {}).get("name")
            for event in tracker.events
            if event.get("event") == "user"
        ]
        guard = tracker.latest_message.get("message_guard") or {}
        kind = guard.get("kind", MessageKind.OK.value)
        text = tracker.latest_message.get("text") or ""
        return [SlotSet(MISS_REPLY, reply_for_miss(consecutive_misses(intents), kind, text))]
