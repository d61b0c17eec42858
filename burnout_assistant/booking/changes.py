"""Cancelling or moving a booked intro call, found by booking reference plus phone number.

Both are needed because a six-character reference alone could be guessed. Up to the cut-off in
the settings a visitor changes the booking in the chat; after it, the practice's number is
the way, so nobody is surprised by a cancellation an hour before the call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from burnout_assistant.booking.calendar import CalendarUnavailable, PracticeCalendar
from burnout_assistant.records.leads import LeadStore, SlotTaken
from burnout_assistant.records.schema import CANCELLED, Lead
from burnout_assistant.settings import Settings

logger = logging.getLogger(__name__)


class Lookup(str, Enum):
    FOUND = "found"
    NOT_FOUND = "not_found"  # wrong reference or phone, or already cancelled
    TOO_LATE = "too_late"  # within the cancel cut-off, or the call is over


@dataclass(frozen=True)
class ChangeLookup:
    status: Lookup
    lead: Lead | None = None


def find_booking(
    store: LeadStore, reference: str, phone: str, now: datetime, settings: Settings
) -> ChangeLookup:
    """The visitor's booking if it may still be changed in the chat."""
    lead = store.find_for_change(reference, phone)
    if lead is None or lead.status == CANCELLED or lead.slot_start is None:
        return ChangeLookup(Lookup.NOT_FOUND)
    cutoff = timedelta(hours=settings.booking.cancel_cutoff_hours)
    if lead.slot_start - now < cutoff:
        return ChangeLookup(Lookup.TOO_LATE, lead)
    return ChangeLookup(Lookup.FOUND, lead)


def cancel_booking(lead: Lead, calendar: PracticeCalendar, store: LeadStore) -> Lead:
    """Free the slot in the database first, then remove the event.

    If the calendar is down, the cancellation still stands and a note tells staff that the
    event must be removed by hand.
    """
    cancelled = store.cancel(lead.id)
    if lead.calendar_uid:
        try:
            calendar.delete_event(lead.calendar_uid)
        except CalendarUnavailable:
            logger.warning("calendar unavailable while cancelling; noted for staff")
            store.set_status(lead.id, CANCELLED,
                             note="Agenda was onbereikbaar: verwijder de afspraak zelf.")
    return cancelled


def reschedule_booking(
    lead: Lead, start: datetime, calendar: PracticeCalendar, store: LeadStore, settings: Settings
) -> Lead:
    """Move the claim (SlotTaken if someone has the new time), then move the event."""
    end = start + timedelta(minutes=settings.booking.intro_call_minutes)
    moved = store.reschedule(lead.id, start, end)
    if lead.calendar_uid:
        try:
            calendar.move_event(lead.calendar_uid, start, end)
        except CalendarUnavailable:
            logger.warning("calendar unavailable while rescheduling; noted for staff")
            store.set_status(lead.id, moved.status,
                             note="Agenda was onbereikbaar: verplaats de afspraak zelf.")
    return moved


__all__ = ["ChangeLookup", "Lookup", "SlotTaken", "cancel_booking", "find_booking",
           "reschedule_booking"]
