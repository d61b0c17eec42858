"""Cancelling or moving a booked call in the chat: what is asked, decided and said, without Rasa.

The change form asks the booking code, the phone number, for a move the new time (answered by
``booking_dialogue.reply_to_slot``), and a final yes. ``booking.changes`` finds and changes the
booking; this module decides what each reply means and what the visitor reads. Up to the
cut-off the chat does the change; after it, or when the database or calendar cannot be used,
the visitor is given the practice's number, so a change never ends in a dead end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from burnout_assistant.booking.changes import ChangeLookup, Lookup
from burnout_assistant.booking.notifications import staff_change_message
from burnout_assistant.dialogue.booking_dialogue import CALLBACK, Reply, parse_start
from burnout_assistant.dialogue.check_flow import Button
from burnout_assistant.language.contact import format_phone_nl, normalise_phone
from burnout_assistant.language.dutch_time import long_when
from burnout_assistant.names import (
    BOOKING_MODE,
    BOOKING_OFFER,
    BOOKING_SLOT,
    CHANGE_ACTION,
    CHANGE_BLOCKED,
    CHANGE_CONFIRM,
    CHANGE_PHONE,
    CHANGE_REFERENCE,
    CHANGE_STATUS,
)
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.records.leads import SlotTaken
from burnout_assistant.records.references import normalise_reference
from burnout_assistant.records.schema import Lead
from burnout_assistant.settings import Settings

CANCEL, MOVE = "annuleren", "verzetten"  # values of change_action
RESCHEDULE_INTENT = "reschedule_appointment"
# What a change leaves behind, cleared at its start and end (the new time is booking_slot).
CHANGE_SLOTS = (CHANGE_REFERENCE, CHANGE_PHONE, CHANGE_CONFIRM, CHANGE_ACTION, CHANGE_BLOCKED,
                BOOKING_SLOT, BOOKING_MODE, BOOKING_OFFER)
YES_NO = [Button("Ja", "/affirm"), Button("Nee", "/deny")]


class ChangeStatus(str, Enum):
    """How a change ended (change_status): the rules wait, or ask for a new time again."""

    DONE = "done"
    TAKEN = "taken"  # the new time was just booked by someone else: choose again
    KEPT = "kept"  # the visitor said no: nothing changed
    BLOCKED = "blocked"  # within the cut-off: by phone
    UNAVAILABLE = "unavailable"  # database or calendar down: by phone


def start(intent: str | None) -> dict[str, Any]:
    """Slots of a fresh change: nothing of an earlier one, and cancel or move by the intent."""
    return {**dict.fromkeys(CHANGE_SLOTS), CHANGE_STATUS: None,
            CHANGE_ACTION: MOVE if intent == RESCHEDULE_INTENT else CANCEL}


def required_slots(domain_slots: list[str], action: str | None, blocked: bool) -> list[str]:
    """A blocked change asks nothing more (action_change explains); a cancel needs no new time."""
    if blocked:
        return []
    if action == CANCEL:
        return [slot for slot in domain_slots if slot != BOOKING_SLOT]
    return domain_slots


def reply_to_reference(text: str, practice_phone: str) -> Reply:
    """The booking code as stored (``K7M3QP``), or a note; the form asks again."""
    reference = normalise_reference(text or "")
    if reference is None:
        return Reply({CHANGE_REFERENCE: None},
                     "Een boekingscode heeft zes letters en cijfers. Kun je hem niet vinden? "
                     f"Bel dan de praktijk op {practice_phone}.")
    return Reply({CHANGE_REFERENCE: reference})


def reply_to_phone(
    text: str, country: str, find: Callable[[str], ChangeLookup]
) -> Reply:
    """The phone number, checked with the code: ``find(phone_e164)`` looks the booking up.

    Too late, or the database down: the form ends and ``finish`` gives the practice's number.
    """
    phone = normalise_phone(text or "", country)
    if phone is None:
        return Reply({CHANGE_PHONE: None},
                     "Dat telefoonnummer herken ik niet. Typ het bijvoorbeeld zo: 06 12345678.")
    try:
        lookup = find(phone)
    except LeadsUnavailable:
        return Reply({CHANGE_PHONE: phone, CHANGE_BLOCKED: True})
    if lookup.status is Lookup.NOT_FOUND:
        return Reply({CHANGE_REFERENCE: None, CHANGE_PHONE: None},
                     "Ik vind geen afspraak bij die code en dat nummer. Probeer het nog eens.")
    return Reply({CHANGE_PHONE: phone, CHANGE_BLOCKED: lookup.status is Lookup.TOO_LATE})


def reply_to_new_time(reply: Reply) -> Reply:
    """The booking's reply to the new time, except that a call-back (calendar down) cannot move
    a booking: the form ends and ``finish`` gives the practice's number."""
    if reply.slots.get(BOOKING_SLOT) == CALLBACK:
        return Reply({BOOKING_SLOT: None, CHANGE_BLOCKED: True})
    return reply


def confirm_question(
    action: str | None, current: datetime | None, new_slot: str | None, tz: ZoneInfo
) -> tuple[str, list[Button]]:
    """The final yes; ``current`` None when the booking cannot be read just now."""
    when = f" op {long_when(current, tz)}" if current is not None else ""
    if action == CANCEL:
        return f"Wil je je kennismakingsgesprek{when} annuleren?", YES_NO
    new = parse_start(new_slot or "")
    was = f" van {long_when(current, tz)}" if current is not None else ""
    to = f" naar {long_when(new, tz)}" if new is not None else ""
    return f"Wil je je gesprek verzetten{was}{to}?", YES_NO


@dataclass(frozen=True)
class Finish:
    """What the visitor reads and the slots to set, and the mail that tells staff, if any."""

    reply: Reply
    staff_mail: EmailMessage | None = None


def finish(
    action: str | None,
    blocked: bool,
    confirmed: bool,
    new_slot: str | None,
    lookup: Callable[[], ChangeLookup],
    cancel: Callable[[Lead], Lead],
    move: Callable[[Lead, datetime], Lead],
    settings: Settings,
) -> Finish:
    """Cancel or move the booking, or explain why it goes by phone.

    ``lookup`` finds the booking again (time has passed since the form found it), ``cancel``
    and ``move`` change it (``booking.changes``); each may raise LeadsUnavailable.
    """
    tz = settings.tz
    try:
        found = lookup()
    except LeadsUnavailable:
        return _by_phone(ChangeStatus.UNAVAILABLE, settings)
    if found.status is Lookup.TOO_LATE:
        return _by_phone(ChangeStatus.BLOCKED, settings)
    if blocked:  # the form ended early, not for the cut-off: the database or calendar was down
        return _by_phone(ChangeStatus.UNAVAILABLE, settings)
    lead = found.lead
    if not confirmed or lead is None or found.status is not Lookup.FOUND:
        return Finish(_end(ChangeStatus.KEPT, "Oké, ik laat je afspraak zoals hij is."))
    if action == CANCEL:
        try:
            cancel(lead)
        except LeadsUnavailable:
            return _by_phone(ChangeStatus.UNAVAILABLE, settings)
        said = (f"Je kennismakingsgesprek op {long_when(lead.slot_start, tz)} is geannuleerd. "
                "Wil je later toch een gesprek, dan kun je hier opnieuw plannen.")
        return Finish(_end(ChangeStatus.DONE, said,
                           [Button("Nieuw moment plannen", "/book_intro_call")]),
                      staff_change_message(lead, "geannuleerd", tz=tz))
    new = parse_start(new_slot or "")
    if new is None:
        return _by_phone(ChangeStatus.UNAVAILABLE, settings)
    try:
        moved = move(lead, new)
    except SlotTaken:
        return Finish(Reply({BOOKING_SLOT: None, CHANGE_CONFIRM: None,
                             CHANGE_STATUS: ChangeStatus.TAKEN.value},
                            "Dat moment is net door iemand anders geboekt. Kies een ander moment:"))
    except LeadsUnavailable:
        return _by_phone(ChangeStatus.UNAVAILABLE, settings)
    said = (f"Je gesprek is verzet naar {long_when(moved.slot_start, tz)}. "
            f"We bellen je op {format_phone_nl(moved.phone)}.")
    return Finish(_end(ChangeStatus.DONE, said),
                  staff_change_message(moved, "verzet", tz=tz, previous_start=lead.slot_start))


def _end(status: ChangeStatus, say: str, buttons: list[Button] | None = None) -> Reply:
    """The last reply of a change: it clears what the change left and says how it ended."""
    return Reply({**dict.fromkeys(CHANGE_SLOTS), CHANGE_STATUS: status.value}, say, buttons or [])


def _by_phone(status: ChangeStatus, settings: Settings) -> Finish:
    why = ("Zo kort voor het gesprek kan ik het niet meer via de chat wijzigen."
           if status is ChangeStatus.BLOCKED else "Het lukt me nu niet om je afspraak te wijzigen.")
    return Finish(_end(status, f"{why} Bel de praktijk op {settings.practice.phone}, dan regelen "
                               "we het samen."))
