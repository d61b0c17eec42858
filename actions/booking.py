"""Booking the free intro call in Rasa: thin adapters over ``booking.appointments``.

The form asks slot, name, phone, email, consent and a final yes; every reply goes through
``booking_dialogue`` and the booking itself through ``booking.book``, which writes the lead,
the slot claim and the calendar event in the order that makes it exactly-once. The fixed
questions are ``utter_ask_*`` responses in domain.yml; which mails go out is
``notifications.mails_after_booking``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    AnswersStayInForm,
    button_dicts,
    practice_now,
    say,
    send_mails,
    slot_events,
)
from burnout_assistant.apps.services import leads_store, practice_calendar
from burnout_assistant.booking.appointments import (
    BookingOutcome,
    BookingRequest,
    BookingStatus,
    Offer,
    book,
    offer_slots,
)
from burnout_assistant.booking.notifications import mails_after_booking
from burnout_assistant.dialogue import booking_dialogue as dialogue
from burnout_assistant.dialogue.booking_dialogue import Reply
from burnout_assistant.dialogue.form_answers import is_question_aside
from burnout_assistant.dialogue.practice_facts import days_phrase
from burnout_assistant.language.contact import (
    extract_name,
    is_opt_out,
    normalise_email,
    normalise_phone,
)
from burnout_assistant.language.timewish import (
    parse_specific_wish,
    parse_time_wish,
    wish_from_dict,
    wish_to_dict,
)
from burnout_assistant.language.topics import faq_key
from burnout_assistant.names import (
    BOOKING_CONFIRM,
    BOOKING_CONSENT,
    BOOKING_FIRST_WISH,
    BOOKING_MODE,
    BOOKING_SLOT,
    BOOKING_STATUS,
    BOOKING_WISH,
    CHECK_ANSWERS,
    CHECK_BAND,
    CONTACT_EMAIL,
    CONTACT_NAME,
    CONTACT_PHONE,
    FAQ,
    SHARE_CHECK,
)
from burnout_assistant.privacy.consent import asked_topics, consented_topics
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.settings import current_settings


def _faq_aside(
    tracker: Tracker, dispatcher: CollectingDispatcher, text: str, accepted: bool
) -> bool:
    """A real question in the middle of the booking is answered; the form then asks again.
    ``accepted``: the reply is a usable answer (a name, a number), so it stays an answer."""
    message = tracker.latest_message
    if (message.get("intent") or {}).get("name") != FAQ or not is_question_aside(
            text, accepted):
        return False
    topic = faq_key(message)
    if topic:
        dispatcher.utter_message(response=f"utter_{topic}")
    return bool(topic)


def validate_slot_choice(
    value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
    adapt: Callable[[Reply], Reply] = lambda reply: reply,
) -> dict[str, Any]:
    """A clicked slot, "ander moment" or a typed wish; shared by booking and rescheduling,
    which ``adapt``s the package's reply to a move."""
    if value is None:
        return {}
    settings = current_settings()
    now = practice_now()
    typed = str(value)
    usable = dialogue.is_slot_choice(typed) or parse_time_wish(typed, now, settings.tz) is not None
    if _faq_aside(tracker, dispatcher, typed, usable):
        return {BOOKING_SLOT: None}
    reply = dialogue.reply_to_slot(
        typed, tracker.get_slot(BOOKING_MODE), now, settings,
        lambda wish: offer_slots(practice_calendar(), settings, now, wish),
    )
    return say(dispatcher, adapt(reply))


class ActionStartBooking(Action):
    """Clears what a previous booking left, keeps the check answers."""

    def name(self) -> str:
        return "action_start_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # "kunnen jullie me dinsdagmiddag bellen?": the first offer follows that wish
        wish = parse_specific_wish(tracker.latest_message.get("text") or "", practice_now(),
                                   current_settings().tz)
        return slot_events({**dict.fromkeys(dialogue.BOOKING_SLOTS), BOOKING_STATUS: None,
                            BOOKING_FIRST_WISH: wish_to_dict(wish) if wish else None})


class ActionAskBookingSlot(Action):
    def name(self) -> str:
        return "action_ask_booking_slot"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = current_settings()
        if tracker.get_slot(BOOKING_MODE) == dialogue.ASKED:
            # the validator just asked, with buttons
            return [SlotSet(BOOKING_MODE, dialogue.AGENDA)]
        wish = wish_from_dict(tracker.get_slot(BOOKING_FIRST_WISH))
        if tracker.get_slot(BOOKING_MODE) == dialogue.CALLBACK:
            offer = Offer([], calendar_ok=False)  # already known: ask for a call-back moment
        else:
            offer = offer_slots(practice_calendar(), settings, practice_now(), wish)
            if wish is not None and offer.calendar_ok and not offer.slots:
                offer, wish = offer_slots(practice_calendar(), settings, practice_now()), None
        slots = say(dispatcher, dialogue.ask_for_slot(offer, settings, wish))
        return slot_events({**slots, BOOKING_FIRST_WISH: None})


class ActionAskBookingConsent(Action):
    def name(self) -> str:
        return "action_ask_booking_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = current_settings()
        text, buttons = dialogue.consent_question(
            tracker.get_slot(CONTACT_EMAIL) not in (None, dialogue.NO_EMAIL),
            bool(asked_topics(tracker.events)),
            settings.practice.name,
            days_phrase(settings.retention.lead_days),
        )
        dispatcher.utter_message(text=text, buttons=button_dicts(buttons))
        return []


class ActionAskBookingConfirm(Action):
    def name(self) -> str:
        return "action_ask_booking_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text, buttons = dialogue.summary(tracker.current_slot_values(), current_settings())
        dispatcher.utter_message(text=text, buttons=button_dicts(buttons))
        return []


def _before_answer(
    tracker: Tracker, dispatcher: CollectingDispatcher, text: str, slot: str, accepted: bool,
    *, wish_may_change: bool = True,
) -> dict[str, Any] | None:
    """What a typed contact reply does before it is read as the answer to ``slot``.

    A question asked in between is answered in place; a reply that is no usable answer but a
    new time wish ("liever donderdag") goes back to the moment, and the offer follows it.
    None: read the reply as the answer. ``accepted``: it is a usable answer (a name, a number).
    """
    if _faq_aside(tracker, dispatcher, text, accepted):
        return {slot: None}
    if accepted or not wish_may_change:
        return None
    wish = parse_specific_wish(text, practice_now(), current_settings().tz)
    if wish is None:
        return None
    return {slot: None, BOOKING_SLOT: None, BOOKING_MODE: None,
            BOOKING_FIRST_WISH: wish_to_dict(wish)}


class ValidateBookingForm(AnswersStayInForm, FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        return dialogue.required_slots(domain_slots, tracker.get_slot(BOOKING_CONSENT),
                                       bool(tracker.get_slot(CHECK_ANSWERS)))

    async def validate_booking_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        return validate_slot_choice(value, dispatcher, tracker)

    async def validate_contact_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if value is None:
            return {}
        text = str(value)
        aside = _before_answer(tracker, dispatcher, text, CONTACT_NAME,
                               extract_name(text) is not None)
        return aside if aside is not None else say(dispatcher, dialogue.reply_to_name(text))

    async def validate_contact_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if value is None:
            return {}
        text, country = str(value), current_settings().practice.country
        aside = _before_answer(tracker, dispatcher, text, CONTACT_PHONE,
                               normalise_phone(text, country) is not None)
        return aside if aside is not None else say(
            dispatcher, dialogue.reply_to_phone(text, country))

    async def validate_contact_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if value is None:
            return {}
        text = str(value)
        aside = _before_answer(tracker, dispatcher, text, CONTACT_EMAIL,
                               normalise_email(text) is not None or is_opt_out(text),
                               wish_may_change=False)
        return aside if aside is not None else say(dispatcher, dialogue.reply_to_email(text))


class ActionBook(Action):
    """Books, or stores a call-back request, or stores nothing when consent was not given."""

    def name(self) -> str:
        return "action_book"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = current_settings()
        slots = tracker.current_slot_values()
        reset = dict.fromkeys(dialogue.BOOKING_SLOTS)
        if slots.get(BOOKING_CONSENT) is not True or slots.get(BOOKING_CONFIRM) is not True:
            text, buttons = dialogue.declined_message(slots.get(BOOKING_CONSENT) is False,
                                                      settings)
            dispatcher.utter_message(text=text, buttons=button_dicts(buttons))
            return slot_events({**reset, BOOKING_STATUS: "declined"})
        chosen = slots.get(BOOKING_SLOT)
        email = slots.get(CONTACT_EMAIL)
        shared = slots.get(SHARE_CHECK) is True  # a separate yes, never implied by consent
        request = BookingRequest(
            sender_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "rest",
            name=slots[CONTACT_NAME],
            phone=slots[CONTACT_PHONE],
            consent_at=practice_now(),
            start=None if chosen in (None, dialogue.CALLBACK) else datetime.fromisoformat(chosen),
            email=None if email in (None, dialogue.NO_EMAIL) else email,
            wish_text=slots.get(BOOKING_WISH),
            check_answers=(slots.get(CHECK_ANSWERS) or None) if shared else None,
            check_band=slots.get(CHECK_BAND) if shared else None,
            topics=consented_topics(tracker.events),
        )
        try:
            store = leads_store()  # first use migrates, and fails if the database is down
        except LeadsUnavailable:
            outcome = BookingOutcome(BookingStatus.UNAVAILABLE)
        else:
            outcome = book(request, practice_calendar(), store, settings, practice_now())
        text, buttons = dialogue.outcome_message(outcome, request.phone, settings)
        dispatcher.utter_message(text=text, buttons=button_dicts(buttons))
        if outcome.status is BookingStatus.SLOT_TAKEN:
            return slot_events({BOOKING_SLOT: None, BOOKING_CONFIRM: None,
                                BOOKING_STATUS: "taken"})
        if outcome.lead is not None:
            send_mails(mails_after_booking(outcome.lead, settings))
        status = {BookingStatus.BOOKED: "booked", BookingStatus.CALLBACK: "callback"}.get(
            outcome.status, "unavailable")
        return slot_events({**reset, BOOKING_STATUS: status})
