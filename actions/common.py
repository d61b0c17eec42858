"""Small translations every action needs: buttons, replies, mails, the time now."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from burnout_assistant.apps.services import mailer
from burnout_assistant.booking.notifications import MailUnavailable
from burnout_assistant.dialogue.booking_dialogue import Reply
from burnout_assistant.dialogue.check_flow import Button
from burnout_assistant.dialogue.form_answers import leaves_form
from burnout_assistant.names import FREE_TEXT_SLOTS
from burnout_assistant.settings import current_settings

logger = logging.getLogger(__name__)


def button_dicts(buttons: list[Button]) -> list[dict[str, str]]:
    """Package buttons as Rasa's ``{"title", "payload"}`` dicts."""
    return [{"title": b.title, "payload": b.payload} for b in buttons]


def say(dispatcher: CollectingDispatcher, reply: Reply) -> dict[str, Any]:
    """Utter what a package reply says (if anything); its slots, for a validator to return."""
    if reply.say:
        dispatcher.utter_message(text=reply.say, buttons=button_dicts(reply.buttons))
    return reply.slots


def slot_events(slots: dict[str, Any]) -> list[EventType]:
    """``{"booking_slot": None}`` as SlotSet events, for an action that is no validator."""
    return [SlotSet(name, value) for name, value in slots.items()]


def practice_now() -> datetime:
    """The time now in the practice's time zone."""
    return datetime.now(current_settings().tz)


def send_mails(mails: Iterable[EmailMessage]) -> None:
    """Send each mail; a mail failure loses nothing, the lead is stored and visible to staff."""
    for message in mails:
        try:
            mailer().send(message)
        except MailUnavailable:
            logger.warning("mail unavailable; the lead is stored and visible to staff")


class AnswersStayInForm:
    """Mixin for a FormValidationAction: a typed reply to a free-text question is an answer.

    Only a clear command ("ik wil stoppen", "verwijder mijn gegevens") leaves: the validator
    then clears what the reply filled and rejects the form, so Rasa's rules for that intent
    answer it, exactly as when the slot mapping excluded the intent.
    """

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        if requested in FREE_TEXT_SLOTS and leaves_form(message.get("text") or "", intent):
            return [SlotSet(requested, None), ActionExecutionRejected(self.form_name())]
        return await super().run(dispatcher, tracker, domain)  # type: ignore[misc]
