"""Booking the free intro call: offer slots, then book exactly once, or fall back to a call-back.

The order of writes is the point of this module:
1. the slot is re-checked in the calendar (CalDAV has no atomic "book if free");
2. the lead and its slot claim are written in one database transaction: the claim's unique
   constraint is the application lock, so of two visitors confirming the same slot at the same
   moment exactly one wins (the other is offered new times);
3. only then is the calendar event written, with a UID derived from the conversation and the
   slot, so a retried action finds its own event instead of making a second one.
Database down: nothing has been written anywhere. Calendar down: the lead is kept as a
call-back request with the wished time, so staff still see it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from burnout_assistant.booking.calendar import CalendarUnavailable, PracticeCalendar
from burnout_assistant.booking.slots import Slot, find_free_slots, is_free, slots_for_wish
from burnout_assistant.language.timewish import TimeWish
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.records.leads import LeadStore, SlotTaken
from burnout_assistant.records.schema import Lead
from burnout_assistant.settings import Settings

logger = logging.getLogger(__name__)

UID_NAMESPACE = uuid.UUID("0b0e9f5e-3f7e-4c8e-9a57-5d0a1c2b7e11")
OFFER_SIZE = 3


@dataclass(frozen=True)
class Offer:
    """Slots to offer; ``calendar_ok`` False means: ask for a call-back moment instead."""

    slots: list[Slot]
    calendar_ok: bool


def offer_slots(
    calendar: PracticeCalendar,
    settings: Settings,
    now: datetime,
    wish: TimeWish | None = None,
    limit: int = OFFER_SIZE,
    exclude: frozenset[datetime] = frozenset(),
) -> Offer:
    """The earliest free slots, or those nearest to the visitor's wish.

    ``exclude``: starts known to be taken that the calendar may not show yet (the winner of a
    race writes its event just after its database claim).
    """
    horizon = now + timedelta(days=settings.booking.horizon_days + 1)
    try:
        busy = calendar.busy_periods(now, horizon)
    except CalendarUnavailable:
        logger.warning("calendar unavailable while offering slots")
        return Offer([], calendar_ok=False)
    free = [
        slot for slot in find_free_slots(
            settings.booking, settings.tz, busy, now, country=settings.practice.country
        )
        if slot.start not in exclude
    ]
    chosen = slots_for_wish(free, wish, settings.tz, limit) if wish else free[:limit]
    return Offer(chosen, calendar_ok=True)


def event_uid(sender_id: str, start: datetime) -> str:
    """Same conversation and slot → same UID, so a retry never makes a second event."""
    return f"{uuid.uuid5(UID_NAMESPACE, f'{sender_id}|{start.isoformat()}')}@praktijk-assistent"


class BookingStatus(str, Enum):
    BOOKED = "booked"
    SLOT_TAKEN = "slot_taken"  # someone else was first: offer ``alternatives``
    CALLBACK = "callback"  # stored as a call-back request (no slot, or calendar down)
    UNAVAILABLE = "unavailable"  # database down: nothing stored, nothing booked


@dataclass(frozen=True)
class BookingRequest:
    """What the visitor gave, with consent; ``start`` None means a call-back request."""

    sender_id: str
    channel: str
    name: str
    phone: str
    consent_at: datetime
    start: datetime | None = None
    email: str | None = None
    wish_text: str | None = None
    check_answers: dict[str, int] | None = None
    check_band: str | None = None
    topics: Sequence[str] = ()

    def lead_fields(self, kind: str) -> dict[str, Any]:
        return {
            "sender_id": self.sender_id,
            "channel": self.channel,
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "consent_at": self.consent_at,
            "check_answers": self.check_answers,
            "check_band": self.check_band,
            "topics": list(self.topics),
            "preferred_times": self.wish_text,
            "kind": kind,
        }


@dataclass(frozen=True)
class BookingOutcome:
    status: BookingStatus
    lead: Lead | None = None
    alternatives: list[Slot] = field(default_factory=list)


def _slot_is_free(
    calendar: PracticeCalendar, settings: Settings, start: datetime, end: datetime, uid: str
) -> bool:
    """Free in the calendar right now, or already holding our own event (a retry)."""
    if calendar.event_exists(uid):
        return True
    buffer = timedelta(minutes=settings.booking.buffer_minutes)
    busy = calendar.busy_periods(start - buffer, end + buffer)
    return is_free(settings.booking, settings.tz, busy, start, end)


def book(
    request: BookingRequest,
    calendar: PracticeCalendar,
    store: LeadStore,
    settings: Settings,
    now: datetime,
) -> BookingOutcome:
    """Book the requested slot exactly once, or store a call-back request."""
    if request.start is None:
        return _callback(request, store)
    start = request.start
    end = start + timedelta(minutes=settings.booking.intro_call_minutes)
    uid = event_uid(request.sender_id, start)
    try:
        if not _slot_is_free(calendar, settings, start, end, uid):
            return _taken(calendar, settings, now, start)
    except CalendarUnavailable:
        logger.warning("calendar unavailable at booking; storing a call-back request")
        return _callback(request, store, wished=start)
    try:
        lead = store.book_slot(request.lead_fields("booking"), start, end, uid)
    except SlotTaken:
        return _taken(calendar, settings, now, start)
    except LeadsUnavailable:
        logger.error("leads database unavailable at booking; nothing written")
        return BookingOutcome(BookingStatus.UNAVAILABLE)
    try:
        write_event(calendar, lead)
    except CalendarUnavailable:
        # The slot is claimed and the lead stored; staff see it and the retry job writes it.
        logger.warning("calendar unavailable after claiming a slot; event left for retry")
    return BookingOutcome(BookingStatus.BOOKED, lead)


def write_event(calendar: PracticeCalendar, lead: Lead) -> None:
    """The lead's calendar event: who to call and the reference, never health data."""
    calendar.create_event(
        lead.calendar_uid, lead.slot_start, lead.slot_end,
        summary=f"Kennismakingsgesprek (ref {lead.reference})",
        description=f"Telefonisch kennismakingsgesprek. Bel {lead.name}: {lead.phone}.",
    )


def _taken(
    calendar: PracticeCalendar, settings: Settings, now: datetime, taken: datetime
) -> BookingOutcome:
    offer = offer_slots(calendar, settings, now, exclude=frozenset({taken}))
    return BookingOutcome(BookingStatus.SLOT_TAKEN, alternatives=offer.slots)


def _callback(
    request: BookingRequest, store: LeadStore, wished: datetime | None = None
) -> BookingOutcome:
    fields = request.lead_fields("callback")
    if wished is not None and not fields["preferred_times"]:
        fields["preferred_times"] = wished.isoformat()
    try:
        lead = store.create_lead(**fields)
    except LeadsUnavailable:
        logger.error("leads database unavailable for a call-back request; nothing written")
        return BookingOutcome(BookingStatus.UNAVAILABLE)
    return BookingOutcome(BookingStatus.CALLBACK, lead)
