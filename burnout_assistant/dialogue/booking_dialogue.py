"""What the booking conversation says and keeps, one reply at a time, without Rasa.

The Rasa form asks for a slot, name, phone, email (optional), consent and a final yes; each
function here takes the visitor's reply and returns the slot values to keep and what to say.
Texts are Dutch, short, and never a dead end: a reply that cannot be used is asked again with
an example, and what was already given is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from burnout_assistant.booking.appointments import BookingOutcome, BookingStatus, Offer
from burnout_assistant.booking.slots import Slot, TimeWish
from burnout_assistant.dialogue.check_flow import Button
from burnout_assistant.language.contact import (
    extract_name,
    format_phone_nl,
    is_opt_out,
    normalise_email,
    normalise_phone,
)
from burnout_assistant.language.dutch_time import dutch_list, long_when, short_when
from burnout_assistant.language.timewish import describe_wish, parse_time_wish
from burnout_assistant.settings import Settings

OTHER_MOMENT = "ander"
CALLBACK = "terugbellen"
ASKED = "gevraagd"  # booking_mode when the reply itself asked again: the form stays silent
NO_EMAIL = "geen"


@dataclass(frozen=True)
class Reply:
    """Slot values to set and what to say; ``slots`` maps slot name to value (None clears)."""

    slots: dict[str, Any]
    say: str | None = None
    buttons: list[Button] = field(default_factory=list)


def is_slot_choice(text: str) -> bool:
    """A slot button's value: an ISO start time or "ander"; anything else was typed."""
    return text == OTHER_MOMENT or _parse_iso(text) is not None


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
    noted = {"booking_wish": describe_wish(wish)} if wish is not None else {}
    if not offer.calendar_ok:
        return Reply(
            {"booking_mode": CALLBACK},
            "Ik kan de agenda nu even niet inzien. Wanneer kunnen we je het best bellen? "
            "Bijvoorbeeld: \"dinsdagochtend\" of \"na 3 uur\".",
        )
    if not offer.slots:
        return Reply(
            {"booking_mode": CALLBACK},
            "Er is de komende weken online niets vrij. Wanneer kunnen we je het best bellen? "
            "Dan zoekt de praktijk een moment met je.",
        )
    intro = ("Het kennismakingsgesprek is gratis, telefonisch en duurt ongeveer "
             f"{settings.booking.intro_call_minutes} minuten.")
    question = ("Dit zijn de vrije momenten die het dichtst bij je wens liggen "
                f"({describe_wish(wish)}). Welk moment past jou?" if wish is not None
                else "Welk moment past jou?")
    return Reply(
        {"booking_mode": "agenda", "booking_offer": [s.start.isoformat() for s in offer.slots],
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
        if wish is None:
            return Reply({"booking_slot": None}, "Wanneer kunnen we je het best bellen? "
                         "Bijvoorbeeld: \"dinsdagochtend\" of \"na 3 uur\".")
        return Reply({"booking_slot": CALLBACK, "booking_wish": describe_wish(wish)})
    if text == OTHER_MOMENT:
        return Reply(
            {"booking_slot": None, "booking_mode": ASKED},
            "Wanneer komt het je uit? Bijvoorbeeld \"donderdagmiddag\", \"morgen na 3 uur\" of "
            "\"volgende week dinsdag om 10 uur\".",
        )
    chosen = _parse_iso(text)
    if chosen is not None:
        return Reply({"booking_slot": chosen.isoformat()})
    wish = parse_time_wish(text, now, settings.tz)
    if wish is None:
        return Reply(
            {"booking_slot": None},
            "Dat moment begreep ik niet goed. Kies een tijd hieronder, of typ bijvoorbeeld "
            "\"woensdagochtend\".",
        )
    offer = offer_for_wish(wish)
    if not offer.calendar_ok:
        return Reply({"booking_slot": CALLBACK, "booking_mode": CALLBACK,
                      "booking_wish": describe_wish(wish)})
    if not offer.slots:
        return Reply({"booking_slot": None}, "Rond dat moment is er helaas niets vrij. "
                     "Probeer een andere dag of een ander dagdeel.")
    return Reply(
        {"booking_slot": None, "booking_mode": ASKED,
         "booking_offer": [s.start.isoformat() for s in offer.slots]},
        "Dit zijn de vrije momenten die het dichtst bij je wens liggen:",
        slot_buttons(offer.slots, settings),
    )


def reply_to_name(text: str) -> Reply:
    name = extract_name(text or "")
    if name is None:
        return Reply(
            {"contact_name": None}, "Hoe mag de therapeut je noemen? Je voornaam is genoeg."
        )
    return Reply({"contact_name": name})


def reply_to_phone(text: str, country: str = "NL") -> Reply:
    phone = normalise_phone(text or "", country)
    if phone is None:
        return Reply(
            {"contact_phone": None},
            "Dat nummer herken ik niet als Nederlands of Belgisch telefoonnummer. Typ het "
            "bijvoorbeeld zo: 06 12345678 of +32 470 12 34 56.",
        )
    return Reply({"contact_phone": phone})


def reply_to_email(text: str) -> Reply:
    if is_opt_out(text or ""):
        return Reply({"contact_email": NO_EMAIL})
    email = normalise_email(text or "")
    if email is None:
        return Reply(
            {"contact_email": None},
            "Dat e-mailadres lijkt niet te kloppen. Typ het nog eens, of \"geen\" als je "
            "liever geen bevestiging per mail krijgt.",
            [Button("Geen e-mail", NO_EMAIL)],
        )
    return Reply({"contact_email": email})


def consent_question(
    has_email: bool, has_topics: bool, practice_name: str, lead_period: str
) -> tuple[str, list[Button]]:
    """Explicit consent, naming exactly what the lead would hold, for how long, and who sees it.

    The check answers are not in it: sharing them is a separate question (share_question), so
    nobody has to share health answers to get a call.
    """
    items = ["je naam", "telefoonnummer"] + (["e-mailadres"] if has_email else [])
    items.append("het moment of je tijdswens")
    if has_topics:
        items.append("de onderwerpen waar je naar vroeg")
    return (
        f"Om je te bellen bewaart {practice_name} {dutch_list(items)}. Alleen medewerkers van "
        f"de praktijk zien dit, je werkgever niet. We bewaren het {lead_period}, of korter "
        "als je vraagt om het te wissen. Is dat goed?",
        [Button("Ja, dat is goed", "/affirm"), Button("Nee", "/deny")],
    )


def share_question() -> tuple[str, list[Button]]:
    """Whether the therapist may see the check answers: a separate yes or no."""
    return (
        "Mag de therapeut ook je antwoorden uit de check zien? Dat helpt bij de voorbereiding. "
        "Zeg je nee, dan plannen we het gesprek net zo goed.",
        [Button("Ja, deel mijn antwoorden", "/affirm"), Button("Nee, liever niet", "/deny")],
    )


def summary(slots: dict[str, Any], settings: Settings) -> tuple[str, list[Button]]:
    """The confirmation question with everything that will be booked."""
    when = slots.get("booking_slot")
    if when and when != CALLBACK:
        moment = long_when(datetime.fromisoformat(when), settings.tz)
    else:
        moment = f"terugbellen ({slots.get('booking_wish') or 'zo snel mogelijk'})"
    email = slots.get("contact_email")
    lines = [
        "Klopt dit?",
        f"Moment: {moment}",
        f"Naam: {slots.get('contact_name')}",
        f"Telefoon: {format_phone_nl(slots.get('contact_phone') or '')}",
    ]
    if email and email != NO_EMAIL:
        lines.append(f"E-mail: {email}")
    return "\n".join(lines), [Button("Ja, plan het in", "/affirm"), Button("Nee", "/deny")]


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


def _parse_iso(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
