"""Cancelling or rescheduling a booking in the chat: adapters over ``booking.changes``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import tell_staff, validate_slot_choice
from actions.common import AnswersStayInForm, practice_now
from burnout_assistant.apps.services import leads_store, practice_calendar
from burnout_assistant.booking.changes import (
    Lookup,
    SlotTaken,
    cancel_booking,
    find_booking,
    reschedule_booking,
)
from burnout_assistant.booking.notifications import staff_change_message
from burnout_assistant.language.contact import format_phone_nl, normalise_phone
from burnout_assistant.language.dutch_time import long_when
from burnout_assistant.records.leads import LeadsUnavailable, normalise_reference
from burnout_assistant.settings import current_settings

CANCEL, MOVE = "annuleren", "verzetten"
CHANGE_SLOTS = ("change_reference", "change_phone", "change_confirm", "change_action",
                "change_blocked", "booking_slot", "booking_mode", "booking_offer")


def _lookup(tracker: Tracker):
    return find_booking(leads_store(), tracker.get_slot("change_reference") or "",
                        tracker.get_slot("change_phone") or "", practice_now(), current_settings())


class ActionStartChange(Action):
    def name(self) -> str:
        return "action_start_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        action = MOVE if intent == "reschedule_appointment" else CANCEL
        return [*(SlotSet(name, None) for name in CHANGE_SLOTS),
                SlotSet("change_status", None), SlotSet("change_action", action)]


class ActionAskChangeReference(Action):
    def name(self) -> str:
        return "action_ask_change_reference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(
            text="Wat is je boekingscode? Die staat in de bevestiging, bijvoorbeeld K7M3QP."
        )
        return []


class ActionAskChangePhone(Action):
    def name(self) -> str:
        return "action_ask_change_phone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text="En op welk telefoonnummer zouden we je bellen?",
                                 json_message={"input": "phone"})
        return []


class ActionAskChangeConfirm(Action):
    def name(self) -> str:
        return "action_ask_change_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        tz = current_settings().tz
        lookup = _lookup(tracker)
        when = long_when(lookup.lead.slot_start, tz) if lookup.lead else "?"
        if tracker.get_slot("change_action") == CANCEL:
            text = f"Wil je je kennismakingsgesprek op {when} annuleren?"
        else:
            new = long_when(datetime.fromisoformat(tracker.get_slot("booking_slot")), tz)
            text = f"Wil je je gesprek verzetten van {when} naar {new}?"
        dispatcher.utter_message(text=text, buttons=[
            {"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}])
        return []


class ValidateChangeForm(AnswersStayInForm, FormValidationAction):
    def name(self) -> str:
        return "validate_change_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if tracker.get_slot("change_blocked"):
            return []  # too late to change in the chat: the form ends, action_change explains
        if tracker.get_slot("change_action") == CANCEL:
            return [s for s in domain_slots if s != "booking_slot"]
        return domain_slots

    async def validate_change_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if value is None:
            return {}
        reference = normalise_reference(str(value))
        if reference is None:
            dispatcher.utter_message(text="Een boekingscode heeft zes tekens, zoals K7M3QP. "
                                          "Kijk in je bevestiging, of bel de praktijk.")
        return {"change_reference": reference}

    async def validate_change_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if value is None:
            return {}
        phone = normalise_phone(str(value), current_settings().practice.country)
        if phone is None:
            dispatcher.utter_message(text="Dat telefoonnummer herken ik niet. Typ het "
                                          "bijvoorbeeld zo: 06 12345678.")
            return {"change_phone": None}
        try:
            lookup = find_booking(leads_store(), tracker.get_slot("change_reference"), phone,
                                  practice_now(), current_settings())
        except LeadsUnavailable:
            return {"change_phone": phone, "change_blocked": True}
        if lookup.status is Lookup.NOT_FOUND:
            dispatcher.utter_message(text="Ik vind geen afspraak bij die code en dat nummer. "
                                          "Probeer het nog eens.")
            return {"change_reference": None, "change_phone": None}
        return {"change_phone": phone, "change_blocked": lookup.status is Lookup.TOO_LATE}

    async def validate_booking_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        return validate_slot_choice(value, dispatcher, tracker)


class ActionChange(Action):
    """Cancels or moves the booking, or explains why it has to go by phone."""

    def name(self) -> str:
        return "action_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = current_settings()
        reset = [SlotSet(name, None) for name in CHANGE_SLOTS]
        by_phone = f"Bel de praktijk op {settings.practice.phone}, dan regelen we het samen."
        try:
            lookup = _lookup(tracker)
        except LeadsUnavailable:
            dispatcher.utter_message(text=f"Het lukt nu niet om je afspraak te openen. {by_phone}")
            return [*reset, SlotSet("change_status", "unavailable")]
        if tracker.get_slot("change_blocked") or lookup.status is Lookup.TOO_LATE:
            dispatcher.utter_message(
                text=f"Zo kort voor het gesprek kan ik het niet meer via de chat wijzigen. "
                     f"{by_phone}")
            return [*reset, SlotSet("change_status", "blocked")]
        if not tracker.get_slot("change_confirm") or lookup.lead is None:
            dispatcher.utter_message(text="Oké, ik laat je afspraak zoals hij is.")
            return [*reset, SlotSet("change_status", "kept")]
        lead = lookup.lead
        if tracker.get_slot("change_action") == CANCEL:
            cancel_booking(lead, practice_calendar(), leads_store())
            tell_staff(staff_change_message(lead, "geannuleerd", tz=settings.tz))
            dispatcher.utter_message(
                text=f"Je kennismakingsgesprek op {long_when(lead.slot_start, settings.tz)} is "
                     "geannuleerd. Wil je later toch een gesprek, dan kun je hier opnieuw "
                     "plannen.",
                buttons=[{"title": "Nieuw moment plannen", "payload": "/book_intro_call"}])
            return [*reset, SlotSet("change_status", "done")]
        start = datetime.fromisoformat(tracker.get_slot("booking_slot"))
        try:
            moved = reschedule_booking(lead, start, practice_calendar(), leads_store(), settings)
        except SlotTaken:
            dispatcher.utter_message(text="Dat moment is net door iemand anders geboekt. "
                                          "Kies een ander moment:")
            return [SlotSet("booking_slot", None), SlotSet("change_confirm", None),
                    SlotSet("change_status", "taken")]
        tell_staff(staff_change_message(moved, "verzet", previous_start=lead.slot_start,
                                        tz=settings.tz))
        dispatcher.utter_message(
            text=f"Je gesprek is verzet naar {long_when(moved.slot_start, settings.tz)}. "
                 f"We bellen je op {format_phone_nl(moved.phone)}.")
        return [*reset, SlotSet("change_status", "done")]
