"""Booking the free intro call in Rasa: thin adapters over ``booking.appointments``.

The form asks slot, name, phone, email, consent and a final yes; every reply goes through
``booking_dialogue`` and the booking itself through ``booking.book``, which writes the lead,
the slot claim and the calendar event in the order that makes it exactly-once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import AnswersStayInForm, button_dicts, practice_now
from burnout_assistant.apps.services import leads_store, mailer, practice_calendar
from burnout_assistant.booking.appointments import (
    BookingOutcome,
    BookingRequest,
    BookingStatus,
    Offer,
    book,
    offer_slots,
)
from burnout_assistant.booking.notifications import (
    MailUnavailable,
    staff_new_lead_message,
    visitor_confirmation_message,
)
from burnout_assistant.dialogue import booking_dialogue as dialogue
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
from burnout_assistant.language.topics import faq_key, topics_asked
from burnout_assistant.records.leads import LeadsUnavailable
from burnout_assistant.settings import current_settings

logger = logging.getLogger(__name__)

BOOKING_SLOTS = ("booking_slot", "contact_name", "contact_phone", "contact_email",
                 "booking_consent", "share_check", "booking_confirm", "booking_mode",
                 "booking_offer", "booking_wish")


def _say(dispatcher: CollectingDispatcher, reply: dialogue.Reply) -> dict[str, Any]:
    if reply.say:
        dispatcher.utter_message(text=reply.say, buttons=button_dicts(reply.buttons))
    return reply.slots


def _faq_aside(
    tracker: Tracker, dispatcher: CollectingDispatcher, text: str, accepted: bool
) -> bool:
    """A real question in the middle of the booking is answered; the form then asks again.
    ``accepted``: the reply is a usable answer (a name, a number), so it stays an answer."""
    message = tracker.latest_message
    if (message.get("intent") or {}).get("name") != "faq" or not is_question_aside(
            text, accepted):
        return False
    topic = faq_key(message)
    if topic:
        dispatcher.utter_message(response=f"utter_{topic}")
    return bool(topic)


def validate_slot_choice(
    value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """A clicked slot, "ander moment" or a typed wish; shared by booking and rescheduling."""
    if value is None:
        return {}
    settings = current_settings()
    now = practice_now()
    typed = str(value)
    usable = dialogue.is_slot_choice(typed) or parse_time_wish(typed, now, settings.tz) is not None
    if _faq_aside(tracker, dispatcher, typed, usable):
        return {"booking_slot": None}
    reply = dialogue.reply_to_slot(
        str(value), tracker.get_slot("booking_mode"), now, settings,
        lambda wish: offer_slots(practice_calendar(), settings, now, wish),
    )
    return _say(dispatcher, reply)


class ActionStartBooking(Action):
    """Clears what a previous booking left, keeps the check answers."""

    def name(self) -> str:
        return "action_start_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reset = [SlotSet(name, None) for name in BOOKING_SLOTS] + [SlotSet("booking_status", None)]
        # "kunnen jullie me dinsdagmiddag bellen?": the first offer follows that wish
        wish = parse_specific_wish(tracker.latest_message.get("text") or "", practice_now(),
                                   current_settings().tz)
        return [*reset, SlotSet("booking_first_wish", wish_to_dict(wish) if wish else None)]


class ActionAskBookingSlot(Action):
    def name(self) -> str:
        return "action_ask_booking_slot"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = current_settings()
        if tracker.get_slot("booking_mode") == dialogue.ASKED:
            return [SlotSet("booking_mode", "agenda")]  # the validator just asked, with buttons
        wish = wish_from_dict(tracker.get_slot("booking_first_wish"))
        if tracker.get_slot("booking_mode") == dialogue.CALLBACK:
            offer = Offer([], calendar_ok=False)  # already known: ask for a call-back moment
        else:
            offer = offer_slots(practice_calendar(), settings, practice_now(), wish)
            if wish is not None and offer.calendar_ok and not offer.slots:
                offer, wish = offer_slots(practice_calendar(), settings, practice_now()), None
        slots = _say(dispatcher, dialogue.ask_for_slot(offer, settings, wish))
        return [SlotSet(name, value) for name, value in slots.items()] + [
            SlotSet("booking_first_wish", None)]


class _AskFromDialogue(Action):
    """Ask actions that say one fixed line."""

    slot = ""
    text = ""
    # Tells channels what kind of answer comes next (INPUT_HINTS): the widget switches to
    # a phone keyboard, Telegram offers its share-contact button.
    input_hint: str | None = None

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        custom = {"input": self.input_hint} if self.input_hint else None
        dispatcher.utter_message(text=self.text, json_message=custom)
        return []


class ActionAskContactName(_AskFromDialogue):
    slot = "contact_name"
    text = "Fijn. Hoe mag de therapeut je noemen?"


class ActionAskContactPhone(_AskFromDialogue):
    slot = "contact_phone"
    text = "Op welk telefoonnummer kunnen we je bellen?"
    input_hint = "phone"


class ActionAskContactEmail(Action):
    def name(self) -> str:
        return "action_ask_contact_email"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(
            text="Wil je een bevestiging per e-mail? Typ je e-mailadres, of kies \"Geen e-mail\".",
            buttons=[{"title": "Geen e-mail", "payload": dialogue.NO_EMAIL}],
        )
        return []


class ActionAskBookingConsent(Action):
    def name(self) -> str:
        return "action_ask_booking_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        email = tracker.get_slot("contact_email")
        settings = current_settings()
        text, buttons = dialogue.consent_question(
            email not in (None, dialogue.NO_EMAIL),
            bool(_topics(tracker)),
            settings.practice.name,
            days_phrase(settings.retention.lead_days),
        )
        dispatcher.utter_message(text=text, buttons=button_dicts(buttons))
        return []


class ActionAskShareCheck(Action):
    def name(self) -> str:
        return "action_ask_share_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text, buttons = dialogue.share_question()
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
    return {slot: None, "booking_slot": None, "booking_mode": None,
            "booking_first_wish": wish_to_dict(wish)}


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
        # Without consent there is nothing to confirm: the form ends and nothing is stored.
        if tracker.get_slot("booking_consent") is False:
            return [s for s in domain_slots if s not in ("share_check", "booking_confirm")]
        # Sharing the check answers is asked only of someone who has them.
        if not tracker.get_slot("check_answers"):
            return [s for s in domain_slots if s != "share_check"]
        return domain_slots

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
        aside = _before_answer(tracker, dispatcher, text, "contact_name",
                               extract_name(text) is not None)
        return aside if aside is not None else _say(dispatcher, dialogue.reply_to_name(text))

    async def validate_contact_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if value is None:
            return {}
        text, country = str(value), current_settings().practice.country
        aside = _before_answer(tracker, dispatcher, text, "contact_phone",
                               normalise_phone(text, country) is not None)
        return aside if aside is not None else _say(
            dispatcher, dialogue.reply_to_phone(text, country))

    async def validate_contact_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if value is None:
            return {}
        text = str(value)
        aside = _before_answer(tracker, dispatcher, text, "contact_email",
                               normalise_email(text) is not None or is_opt_out(text),
                               wish_may_change=False)
        return aside if aside is not None else _say(dispatcher, dialogue.reply_to_email(text))


def _topics(tracker: Tracker) -> list[str]:
    """FAQ topics this visitor asked about (``cortisol``), stored only with consent."""
    return topics_asked(event.get("parse_data") or {}
                        for event in tracker.events if event.get("event") == "user")


class ActionBook(Action):
    """Books, or stores a call-back request, or stores nothing when consent was not given."""

    def name(self) -> str:
        return "action_book"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = current_settings()
        slots = tracker.current_slot_values()
        reset = [SlotSet(name, None) for name in BOOKING_SLOTS]
        if slots.get("booking_consent") is not True or slots.get("booking_confirm") is not True:
            consent_refused = slots.get("booking_consent") is False
            dispatcher.utter_message(
                text=("Helemaal goed: er gaat niets naar de praktijk. Dit gesprek wordt na "
                      f"{days_phrase(settings.retention.conversation_days)} vanzelf gewist. "
                      if consent_refused else "Oké, ik heb niets geboekt. ")
                + f"Je kunt de praktijk altijd zelf bellen op {settings.practice.phone}.",
                buttons=[{"title": "Toch een kennismaking plannen",
                          "payload": "/book_intro_call"}],
            )
            return [*reset, SlotSet("booking_status", "declined")]
        chosen = slots.get("booking_slot")
        start = None if chosen in (None, dialogue.CALLBACK) else datetime.fromisoformat(chosen)
        email = slots.get("contact_email")
        shared = slots.get("share_check") is True  # a separate yes, never implied by consent
        request = BookingRequest(
            sender_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "rest",
            name=slots["contact_name"],
            phone=slots["contact_phone"],
            consent_at=practice_now(),
            start=start,
            email=None if email in (None, dialogue.NO_EMAIL) else email,
            wish_text=slots.get("booking_wish"),
            check_answers=(slots.get("check_answers") or None) if shared else None,
            check_band=slots.get("check_band") if shared else None,
            topics=_topics(tracker),
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
            return [SlotSet("booking_slot", None), SlotSet("booking_confirm", None),
                    SlotSet("booking_status", "taken")]
        if outcome.lead is not None:
            _notify(outcome.lead, request.email is not None)
        status = {BookingStatus.BOOKED: "booked", BookingStatus.CALLBACK: "callback"}.get(
            outcome.status, "unavailable")
        return [*reset, SlotSet("booking_status", status)]


def tell_staff(message: EmailMessage) -> None:
    """Send a mail; a mail failure loses nothing, the lead is stored and visible to staff."""
    try:
        mailer().send(message)
    except MailUnavailable:
        logger.warning("mail unavailable; the lead is stored and visible to staff")


def _notify(lead: Any, visitor_wants_mail: bool) -> None:
    """Tell staff, and the visitor if they gave an email address."""
    settings = current_settings()
    tell_staff(staff_new_lead_message(lead, settings.practice.name,
                                      settings.notifications.dashboard_url))
    if visitor_wants_mail and lead.slot_start is not None:
        tell_staff(visitor_confirmation_message(lead, settings.practice))
