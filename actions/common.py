"""Small translations every action needs: buttons, the faq topic of a message, the time now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from burnout_assistant.dialogue.check_flow import Button
from burnout_assistant.dialogue.form_answers import leaves_form
from burnout_assistant.names import FREE_TEXT_SLOTS
from burnout_assistant.settings import current_settings


def button_dicts(buttons: list[Button]) -> list[dict[str, str]]:
    """Package buttons as Rasa's ``{"title", "payload"}`` dicts."""
    return [{"title": b.title, "payload": b.payload} for b in buttons]


def practice_now() -> datetime:
    """The time now in the practice's time zone."""
    return datetime.now(current_settings().tz)


class AnswersStayInForm:
    """Mixin for a FormValidationAction: a typed reply to a free-text question is an answer.

    Only a clear command ("ik wil stoppen", "verwijder mijn gegevens") leaves: the validator
    then clears what the reply filled and rejects the form, so Rasa's rules for that intent
    answer it, exactly as when the slot mapping excluded the intent.
    """

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        if requested in FREE_TEXT_SLOTS and leaves_form(message.get("text") or "", intent):
            return [SlotSet(requested, None), ActionExecutionRejected(self.form_name())]
        return await super().run(dispatcher, tracker, domain)  # type: ignore[misc]
