"""What the booking conversation says and keeps, one reply at a time, without Rasa.

The Rasa form asks for a slot, name, phone, email (optional), consent and a final yes; each
function here takes the visitor's reply and returns the slot values to keep and what to say.
Texts are Dutch, short, and never a dead end: a reply that cannot be used is asked again with
an example, and what was already given is kept. The fixed questions (name, phone, email,
sharing the check answers) are ``utter_ask_*`` responses in domain.yml; the questions built
from the calendar, the settings or earlier answers are here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from burnout_assistant.booking.appointments import BookingOutcome, BookingStatus, Offer
from burnout_assistant.booking.slots import Slot
from burnout_assistant.dialogue.check_flow import Button
from burnout_assistant.dialogue.practice_facts import days_phrase
from burnout_assistant.language.contact import (
    extract_name,
    format_phone_nl,
    is_opt_out,
    normalise_email,
    normalise_phone,
)
from burnout_assistant.language.dutch_time import dutch_list, long_when, short_when
from burnout_assistant.language.timewish import TimeWish, describe_wish, parse_time_wish
from burnout_assistant.names import (
    BOOKING_CONFIRM,
    BOOKING_CONSENT,
    BOOKING_MODE,
    BOOKING_OFFER,
    BOOKING_SLOT,
    BOOKING_WISH,
    CONTACT_EMAIL,
    CONTACT_NAME,
    CONTACT_PHONE,
    SHARE_CHECK,
)
from burnout_assistant.privacy.consent import consented_fields
from burnout_assistant.settings import Settings

OTHER_MOMENT = "ander"
AGENDA = "agenda"  # booking_mode while slots from the calendar are offered
CALLBACK = "terugbellen"
ASKED = "gevraagd"  # booking_mode when the reply itself asked again: the form stays silent
NO_EMAIL = "geen"
# What a booking leaves behind, cleared when a new one starts and when it ends.
BOOKING_SLOTS = (BOOKING_SLOT, CONTACT_NAME, CONTACT_PHONE, CONTACT_EMAIL, BOOKING_CONSENT,
                 SHARE_CHECK, BOOKING_CONFIRM, BOOKING_MODE, BOOKING_OFFER, BOOKING_WISH)


@dataclass(frozen=True)
class Reply:
    """Slot values to set and what to say; ``slots`` maps slot name to value (None clears)."""

    slots: dict[str, Any]
    say: str | None = None
    buttons: list[Button] = field(default_factory=list)


def required_slots(
    domain_slots: list[str], consent: bool | None, has_check_answers: bool
) -> list[str]:
    """The form's questions for this visitor.

    Without consent there is nothing to confirm: the form ends and nothing is stored. Sharing
    the check answers is asked only of someone who has them.
    """
    if consent is False:
        return [s for s in domain_slots if s not in (SHARE_CHECK, BOOKING_CONFIRM)]
    if not has_check_answers:
        return [s for s in domain_slots if s != SHARE_CHECK]
    return domain_slots


def is_slot_choice(text: str) -> bool:
    """A slot button's value: an ISO start time or "ander"; anything else was typed."""
    return text == OTHER_MOMENT or parse_start(text) is not None


def choice_payload(value: str) -> str:
    return "/inform" + json.dumps({"slot_choice": value}, separators=(",", ":"))


def slot_buttons(slots: list[Slot], settings: Settings) -> list[Button]:
    """One button per offered slot plus "Ander moment"."""
    buttons = [Button(short_when(s.start, settings.tz), choice_payload(s.start.isoformat()))
               for s in slots]
    return [*buttons, Button("Ander moment", choice_payload(OTHER_MOMENT))]


def ask_for_slot(offer: Offer, settings: Settings, wish: TimeWish | None = None) -> Reply:
    """The first question of the booking: three early slots, or a call-back moment.

    ``wish`` is a time wish from the message that asked for the call ("kunnen jullie me
    dinsdagmiddag bellen?"): the offer already follows it, and the reply says so.
    """
    noted = {BOOKING_WISH: describe_wish(wish)} if wish is not None else {}
    if not offer.calendar_ok:
        return Reply(
            {BOOKING_MODE: CALLBACK},
            "Ik kan de agenda nu even niet inzien. Wanneer kunnen we je het best bellen? "
            "Bijvoorbeeld: \"dinsdagochtend\" of \"na 3 uur\".",
        )
    if not offer.slots:
        return Reply(
            {BOOKING_MODE: CALLBACK},
            "Er is de komende weken online niets vrij. Wanneer kunnen we je het best bellen? "
            "Dan zoekt de praktijk een moment met je.",
        )
    intro = ("Het kennismakingsgesprek is gratis, telefonisch en duurt ongeveer "
             f"{settings.booking.intro_call_minutes} minuten.")
    question = ("Dit zijn de vrije momenten die het dichtst bij je wens liggen "
                f"({describe_wish(wish)}). Welk moment past jou?" if wish is not None
                else "Welk moment past jou?")
    return Reply(
        {BOOKING_MODE: AGENDA, BOOKING_OFFER: [s.start.isoformat() for s in offer.slots],
         **noted},
        f"{intro} {question}",
        slot_buttons(offer.slots, settings),
    )


def reply_to_slot(
    text: str, mode: str | None, now: datetime, settings: Settings, offer_for_wish
) -> Reply:
    """A clicked slot, "ander moment", or a typed wish; ``offer_for_wish(wish) -> Offer``."""
    text = (text or "").strip()
    if mode == CALLBACK:
        wish = parse_time_wish(text, now, settings.tz) if text else None
        if wish is None:  # a note only: action_ask_booking_slot asks again, with examples
            return Reply({BOOKING_SLOT: None}, "Dat moment begreep ik niet goed.")
        return Reply({BOOKING_SLOT: CALLBACK, BOOKING_WISH: describe_wish(wish)})
    if text == OTHER_MOMENT:
        return Reply(
            {BOOKING_SLOT: None, BOOKING_MODE: ASKED},
            "Wanneer komt het je uit? Bijvoorbeeld \"donderdagmiddag\", \"morgen na 3 uur\" of "
            "\"volgende week dinsdag om 10 uur\".",
        )
    chosen = parse_start(text)
    if chosen is not None:
        return Reply({BOOKING_SLOT: chosen.isoformat()})
    wish = parse_time_wish(text, now, settings.tz)
    if wish is None:
        return Reply(
            {BOOKING_SLOT: None},
            "Dat moment begreep ik niet goed. Kies een tijd hieronder, of typ bijvoorbeeld "
            "\"woensdagochtend\".",
        )
    offer = offer_for_wish(wish)
    if not offer.calendar_ok:
        return Reply({BOOKING_SLOT: CALLBACK, BOOKING_MODE: CALLBACK,
                      BOOKING_WISH: describe_wish(wish)})
    if not offer.slots:
        return Reply({BOOKING_SLOT: None}, "Rond dat moment is er helaas niets vrij. "
                     "Probeer een andere dag of een ander dagdeel.")
    return Reply(
        {BOOKING_SLOT: None, BOOKING_MODE: ASKED,
         BOOKING_OFFER: [s.start.isoformat() for s in offer.slots]},
        "Dit zijn de vrije momenten die het dichtst bij je wens liggen:",
        slot_buttons(offer.slots, settings),
    )


def reply_to_name(text: str) -> Reply:
    """A name, or a short note: the form then asks again (utter_ask_contact_name)."""
    name = extract_name(text or "")
    if name is None:
        return Reply({CONTACT_NAME: None}, "Dat herkende ik niet als naam.")
    return Reply({CONTACT_NAME: name})


def reply_to_phone(text: str, country: str = "NL") -> Reply:
    phone = normalise_phone(text or "", country)
    if phone is None:
        return Reply(
            {CONTACT_PHONE: None},
            "Dat nummer herken ik niet als Nederlands of Belgisch telefoonnummer. Typ het "
            "bijvoorbeeld zo: 06 12345678 of +32 470 12 34 56.",
        )
    return Reply({CONTACT_PHONE: phone})


def reply_to_email(text: str) -> Reply:
    """An address or "geen"; else a short note, and the form asks again with its button."""
    if is_opt_out(text or ""):
        return Reply({CONTACT_EMAIL: NO_EMAIL})
    email = normalise_email(text or "")
    if email is None:
        return Reply({CONTACT_EMAIL: None}, "Dat e-mailadres lijkt niet te kloppen.")
    return Reply({CONTACT_EMAIL: email})


def consent_question(
    has_email: bool, has_topics: bool, practice_name: str, lead_period: str
) -> tuple[str, list[Button]]:
    """Explicit consent, naming what the lead would hold (privacy/consent.py), for how long,
    and who sees it.

    The check answers are not in it: sharing them is a separate question
    (utter_ask_share_check), so nobody has to share health answers to get a call.
    """
    items = [f.phrase for f in consented_fields(email=has_email, topics=has_topics)]
    return (
        f"Om je te bellen bewaren we {dutch_list(items)}. Alleen medewerkers van "
        f"{practice_name} zien dit, je werkgever niet. We bewaren het {lead_period}, of korter "
        "als je vraagt om het te wissen. Is dat goed?",
        [Button("Ja, dat is goed", "/affirm"), Button("Nee", "/deny")],
    )


def summary(slots: dict[str, Any], settings: Settings) -> tuple[str, list[Button]]:
    """The confirmation question with everything that will be booked."""
    when = slots.get(BOOKING_SLOT)
    if when and when != CALLBACK:
        moment = long_when(datetime.fromisoformat(when), settings.tz)
    else:
        moment = f"terugbellen ({slots.get(BOOKING_WISH) or 'zo snel mogelijk'})"
    email = slots.get(CONTACT_EMAIL)
    lines = [
        "Klopt dit?",
        f"Moment: {moment}",
        f"Naam: {slots.get(CONTACT_NAME)}",
        f"Telefoon: {format_phone_nl(slots.get(CONTACT_PHONE) or '')}",
    ]
    if email and email != NO_EMAIL:
        lines.append(f"E-mail: {email}")
    return "\n".join(lines), [Button("Ja, plan het in", "/affirm"), Button("Nee", "/deny")]


def declined_message(consent_refused: bool, settings: Settings) -> tuple[str, list[Button]]:
    """No consent, or no to the summary: nothing booked, and the phone is always there."""
    if consent_refused:
        said = ("Helemaal goed: er gaat niets naar de praktijk. Dit gesprek wordt na "
                f"{days_phrase(settings.retention.conversation_days)} vanzelf gewist. ")
    else:
        said = "Oké, ik heb niets geboekt. "
    return (said + f"Je kunt de praktijk altijd zelf bellen op {settings.practice.phone}.",
            [Button("Toch een kennismaking plannen", "/book_intro_call")])


def outcome_message(outcome: BookingOutcome, phone_e164: str, settings: Settings
                    ) -> tuple[str, list[Button]]:
    """What the visitor reads after the booking attempt."""
    practice = settings.practice
    if outcome.status is BookingStatus.BOOKED and outcome.lead is not None:
        start = outcome.lead.slot_start
        return (
            f"Je kennismakingsgesprek staat gepland op {long_when(start, settings.tz)}. "
            f"We bellen je op {format_phone_nl(phone_e164)}. Je boekingscode is "
            f"{outcome.lead.reference}. Verzetten of annuleren kan hier in de chat met die code "
            f"en je telefoonnummer, tot {settings.booking.cancel_cutoff_hours} uur van tevoren; "
            f"daarna via de praktijk ({practice.phone}).",
            [Button("Ik heb nog een vraag", '/inform{"menu":"vragen"}')],
        )
    if outcome.status is BookingStatus.CALLBACK and outcome.lead is not None:
        return (
            "Dank je. De praktijk belt je terug om samen een moment te kiezen. Je "
            f"referentie is {outcome.lead.reference}.",
            [],
        )
    if outcome.status is BookingStatus.SLOT_TAKEN:
        return (
            "Net iemand anders was je voor: dat moment is zojuist geboekt. Kies een ander moment:",
            slot_buttons(outcome.alternatives, settings),
        )
    return (
        "Het spijt me, het lukt nu niet om je aanvraag op te slaan. Er is niets vastgelegd. "
        f"Bel de praktijk op {practice.phone}, of probeer het straks nog eens.",
        [],
    )


def parse_start(text: str) -> datetime | None:
    """The start time a slot button carries (an aware ISO time); None for anything else."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
