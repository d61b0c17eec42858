"""Session start: put the practice's contact details into slots the responses use."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from burnout_assistant.settings import current_settings


def practice_slots() -> list[EventType]:
    """Slot events with the practice's name and contact details from practice.yml."""
    practice = current_settings().practice
    return [
        SlotSet("practice_name", practice.name),
        SlotSet("practice_phone", practice.phone),
        SlotSet("practice_email", practice.email),
        SlotSet("practice_website", practice.website),
    ]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        carried = [
            SlotSet(key, value)
            for key, value in tracker.current_slot_values().items()
            if value is not None and not key.startswith("practice_")
        ]
        return [SessionStarted(), *carried, *practice_slots(), ActionExecuted("action_listen")]
