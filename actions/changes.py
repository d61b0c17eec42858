"""Cancelling or rescheduling a booking in the chat: adapters over ``dialogue.change_dialogue``.

The decisions and texts are in the package; these classes read slots, hand the package the
practice's store and calendar, and turn its replies into messages and slot events. The fixed
questions (booking code, phone number) are ``utter_ask_*`` responses in domain.yml.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import validate_slot_choice
from actions.common import (
    AnswersStayInForm,
    button_dicts,
    practice_now,
    say,
    send_mails,
    slot_events,
)
from burnout_assistant.apps.services import leads_store, practice_calendar
from burnout_assistant.booking.changes import (
    ChangeLookup,
    cancel_booking,
    find_booking,
    reschedule_booking,
)
from burnout_assistant.dialogue import change_dialogue as dialogue
from burnout_assistant.names import (
    BOOKING_SLOT,
    CHANGE_ACTION,
    CHANGE_BLOCKED,
    CHANGE_CONFIRM,
    CHANGE_PHONE,
    CHANGE_REFERENCE,
)
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.settings import current_settings


def _find(tracker: Tracker, phone: str | None = None) -> ChangeLookup:
    """The booking by the code and phone number given; raises LeadsUnavailable."""
    return find_booking(leads_store(), tracker.get_slot(CHANGE_REFERENCE) or "",
                        phone or tracker.get_slot(CHANGE_PHONE) or "", practice_now(),
                        current_settings())


class ActionStartChange(Action):
    def name(self) -> str:
        return "action_start_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return slot_events(dialogue.start(intent))


class ActionAskChangeConfirm(Action):
    def name(self) -> str:
        return "action_ask_change_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            current = _find(tracker).lead
        except LeadsUnavailable:  # asked without the time; action_change tells the visitor
            current = None
        text, buttons = dialogue.confirm_question(
            tracker.get_slot(CHANGE_ACTION), current.slot_start if current else None,
            tracker.get_slot(BOOKING_SLOT), current_settings().tz)
        dispatcher.utter_message(text=text, buttons=button_dicts(buttons))
        return []


class ValidateChangeForm(AnswersStayInForm, FormValidationAction):
    def name(self) -> str:
        return "validate_change_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        return dialogue.required_slots(domain_slots, tracker.get_slot(CHANGE_ACTION),
                                       bool(tracker.get_slot(CHANGE_BLOCKED)))

    async def validate_change_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if value is None:
            return {}
        return say(dispatcher, dialogue.reply_to_reference(
            str(value), current_settings().practice.phone))

    async def validate_change_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if value is None:
            return {}
        return say(dispatcher, dialogue.reply_to_phone(
            str(value), current_settings().practice.country, lambda phone: _find(tracker, phone)))

    async def validate_booking_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        return validate_slot_choice(value, dispatcher, tracker, dialogue.reply_to_new_time)


class ActionChange(Action):
    """Cancels or moves the booking, or explains why it has to go by phone."""

    def name(self) -> str:
        return "action_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = current_settings()
        end = dialogue.finish(
            tracker.get_slot(CHANGE_ACTION),
            bool(tracker.get_slot(CHANGE_BLOCKED)),
            bool(tracker.get_slot(CHANGE_CONFIRM)),
            tracker.get_slot(BOOKING_SLOT),
            lookup=lambda: _find(tracker),
            cancel=lambda lead: cancel_booking(lead, practice_calendar(), leads_store()),
            move=lambda lead, start: reschedule_booking(lead, start, practice_calendar(),
                                                        leads_store(), settings),
            settings=settings,
        )
        if end.staff_mail is not None:
            send_mails([end.staff_mail])
        say(dispatcher, end.reply)
        return slot_events(end.reply.slots)
