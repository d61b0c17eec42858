"""Session start: put the practice's contact details into slots the responses use."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from burnout_assistant.dialogue.practice_facts import english_note, response_slots
from burnout_assistant.settings import current_settings


def practice_slots() -> list[EventType]:
    """Slot events with the practice facts the responses quote, from practice.yml."""
    return [SlotSet(name, value) for name, value in response_slots(current_settings()).items()]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        facts = response_slots(current_settings())  # always fresh from practice.yml
        carried = [
            SlotSet(key, value)
            for key, value in tracker.current_slot_values().items()
            if value is not None and key not in facts
        ]
        return [SessionStarted(), *carried, *practice_slots(), ActionExecuted("action_listen")]


class ActionEnglishNote(Action):
    """One English line before the Dutch answer when the visitor wrote in English.

    Runs before the answers to erasure, booking, bot and person questions (data/rules); for a
    Dutch message it says nothing.
    """

    def name(self) -> str:
        return "action_english_note"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        guard = tracker.latest_message.get("message_guard") or {}
        if guard.get("english") or guard.get("kind") == "foreign":
            dispatcher.utter_message(text=english_note(current_settings()))
        return []
