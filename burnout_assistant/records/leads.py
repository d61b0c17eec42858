"""The leads store: who asked to be called, and the slot claims that make a booking exactly-once.

CalDAV has no atomic "book if free", so a booking first claims its start time here: a row in
``slot_claims`` with a UNIQUE start. Two visitors who pick the same slot at the same moment both
try to insert that row; the database lets exactly one of them commit, and the other gets
:class:`SlotTaken` before anything is written to the calendar.

Symptom answers are health data: a lead that carries them needs ``consent_at``. After a lead
came in, every change (status, note, export) is one line of its audit trail (``LeadEvent``).
The store also searches (``search.py``) and queues erasures (``erasure_queue.py``); the engine,
migrations and :class:`LeadsUnavailable` are in ``database.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from burnout_assistant.records.database import LeadsUnavailable, as_utc, utc_now
from burnout_assistant.records.erasure_queue import ErasureQueue
from burnout_assistant.records.references import new_reference, normalise_reference
from burnout_assistant.records.schema import (
    CANCELLED,
    KINDS,
    STATUSES,
    Lead,
    LeadEvent,
    SlotClaim,
)
from burnout_assistant.records.search import LeadSearch

ASSISTANT = "assistent"  # the actor of changes the visitor made in the chat
# Health data: the store refuses them without consent_at (privacy/consent.py lists them too).
HEALTH_FIELDS = ("check_answers", "check_band", "topics")
_SLOT_FIELDS = ("slot_start", "slot_end", "calendar_uid")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_ATTEMPTS = 5  # reference collisions are ~1 in 10^8 per lead; retries stay bounded anyway


class SlotTaken(Exception):
    """Another lead holds a claim on this start time."""


class LeadNotFound(LookupError):
    """No lead with this id (erased, or never existed)."""


class ConsentRequired(ValueError):
    """Health data (check answers, band, topics) may only be stored with ``consent_at``."""


class LeadStore(LeadSearch, ErasureQueue):
    """All reads and writes of leads, each in its own short transaction; safe across threads."""

    # -- creating ---------------------------------------------------------------------------

    def create_lead(self, **fields: Any) -> Lead:
        """Store a lead without a slot (callbacks); bookings go through :meth:`book_slot`."""
        if any(fields.get(name) is not None for name in _SLOT_FIELDS):
            raise ValueError("a lead with a slot is stored with book_slot, which claims it")
        for _ in range(_ATTEMPTS):
            try:
                with self.transaction() as session:
                    return _add_lead(session, fields)
            except IntegrityError:
                continue  # a reference collision between concurrent writers: draw again
        raise LeadsUnavailable("no free reference after several attempts")

    def book_slot(
        self, lead_fields: dict[str, Any], start: datetime, end: datetime, calendar_uid: str
    ) -> Lead:
        """Store a booking and claim its start in one transaction.

        Retrying with the same ``calendar_uid`` returns the lead stored the first time, so an
        action that is run twice books once. Raises :class:`SlotTaken` when another active
        lead holds the start.
        """
        start, end = as_utc(start), as_utc(end)
        if end <= start:
            raise ValueError("slot ends before it starts")
        if not calendar_uid:
            raise ValueError("calendar_uid is required (it makes a retry idempotent)")
        fields = {
            **lead_fields,
            "kind": "booking",
            "slot_start": start,
            "slot_end": end,
            "calendar_uid": calendar_uid,
        }
        for _ in range(_ATTEMPTS):
            try:
                with self.transaction() as session:
                    existing = _by_calendar_uid(session, calendar_uid)
                    if existing is not None:
                        return existing
                    try:
                        _clear_claim(session, start)
                    except SlotTaken:
                        # The holder may be this very booking, committed by a concurrent
                        # retry after our first look (each statement sees the latest commits).
                        existing = _by_calendar_uid(session, calendar_uid)
                        if existing is not None:
                            return existing
                        raise
                    lead = _add_lead(session, fields)
                    session.add(SlotClaim(slot_start=start, lead_id=lead.id))
                    session.flush()
                    return lead
            except IntegrityError:
                # Lost a race: to the same booking (retry returns it), to another booking of
                # this start (SlotTaken), or on a reference (draw again).
                continue
        raise SlotTaken("slot could not be claimed")

    # -- reading ---------------------------------------------------------------------------

    def get(self, lead_id: int) -> Lead | None:
        with self.transaction() as session:
            return session.get(Lead, lead_id)

    def get_by_reference(self, reference: str) -> Lead | None:
        """Case and spaces do not matter: visitors type what they heard on the phone."""
        cleaned = normalise_reference(reference)
        if cleaned is None:
            return None
        with self.transaction() as session:
            return session.scalars(select(Lead).where(Lead.reference == cleaned)).first()

    def find_for_change(self, reference: str, phone_e164: str) -> Lead | None:
        """The lead only when reference AND phone match: a reference alone may be guessed."""
        cleaned = normalise_reference(reference)
        phone = re.sub(r"\s", "", phone_e164 or "")
        if cleaned is None or not phone:
            return None
        with self.transaction() as session:
            return session.scalars(
                select(Lead).where(Lead.reference == cleaned, Lead.phone == phone)
            ).first()

    def events(self, lead_id: int) -> list[LeadEvent]:
        """The lead's audit trail, oldest first."""
        with self.transaction() as session:
            return list(session.scalars(
                select(LeadEvent).where(LeadEvent.lead_id == lead_id)
                .order_by(LeadEvent.at, LeadEvent.id)
            ))

    def upcoming_bookings(self, start: datetime, end: datetime) -> list[Lead]:
        """Active bookings whose call starts in [start, end), earliest first."""
        with self.transaction() as session:
            return list(session.scalars(
                select(Lead)
                .where(Lead.kind == "booking", Lead.status != CANCELLED,
                       Lead.slot_start >= as_utc(start), Lead.slot_start < as_utc(end))
                .order_by(Lead.slot_start)
            ))

    # -- changing ---------------------------------------------------------------------------

    def cancel(self, lead_id: int) -> Lead:
        """Mark the lead cancelled and free its slot for others."""
        return self.set_status(lead_id, CANCELLED)

    def reschedule(
        self, lead_id: int, start: datetime, end: datetime, calendar_uid: str | None = None
    ) -> Lead:
        """Move the lead (and its claim) to a new slot; SlotTaken leaves everything as it was."""
        start, end = as_utc(start), as_utc(end)
        if end <= start:
            raise ValueError("slot ends before it starts")
        try:
            with self.transaction() as session:
                lead = _lead(session, lead_id)
                if lead.status == CANCELLED:
                    raise ValueError("a cancelled lead cannot be rescheduled")
                _clear_claim(session, start, keep_lead=lead.id)
                claim = session.scalars(
                    select(SlotClaim).where(SlotClaim.lead_id == lead.id)
                ).first()
                if claim is None:
                    session.add(SlotClaim(slot_start=start, lead_id=lead.id))
                else:
                    claim.slot_start = start
                lead.slot_start, lead.slot_end = start, end
                if calendar_uid is not None:
                    lead.calendar_uid = calendar_uid
                session.flush()
                return lead
        except IntegrityError:
            raise SlotTaken("slot already claimed") from None

    def set_status(
        self, lead_id: int, status: str, note: str | None = None, actor: str = ASSISTANT
    ) -> Lead:
        """Change the status; the audit trail records who, when, old → new and the note.

        Setting the status it already has only records the note (if any).
        """
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        note = (note or "").strip() or None
        with self.transaction() as session:
            lead = _lead(session, lead_id)
            if lead.status != status:
                session.add(LeadEvent(lead_id=lead.id, actor=actor, kind="status",
                                      old_status=lead.status, new_status=status, note=note))
            elif note:
                session.add(LeadEvent(lead_id=lead.id, actor=actor, kind="note", note=note))
            lead.status = status
            if status == CANCELLED:
                session.execute(delete(SlotClaim).where(SlotClaim.lead_id == lead.id))
            session.flush()
            return lead

    def add_note(self, lead_id: int, note: str, actor: str) -> LeadEvent:
        """A staff note in the audit trail; notes are added, never edited."""
        note = (note or "").strip()
        if not note:
            raise ValueError("a note needs text")
        with self.transaction() as session:
            lead = _lead(session, lead_id)
            entry = LeadEvent(lead_id=lead.id, actor=actor, kind="note", note=note)
            session.add(entry)
            session.flush()
            return entry

    def record_export(self, lead_ids: Iterable[int], actor: str) -> None:
        """Who exported these leads' personal data, and when."""
        with self.transaction() as session:
            session.add_all(
                LeadEvent(lead_id=lead_id, actor=actor, kind="export") for lead_id in lead_ids
            )

    def mark_reminded(self, lead_id: int) -> None:
        """The reminder mail for this booking went out; the jobs send it once."""
        with self.transaction() as session:
            _lead(session, lead_id).reminded_at = utc_now()


def _add_lead(session: Session, fields: dict[str, Any]) -> Lead:
    fields = dict(fields)
    kind = fields.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    status = fields.setdefault("status", "nieuw")
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    for required in ("sender_id", "channel", "name", "phone"):
        if not fields.get(required):
            raise ValueError(f"{required} is required")
    if not _E164.match(fields["phone"]):
        raise ValueError("phone must be in E.164 form, e.g. +31612345678")
    if fields.get("consent_at") is None and any(fields.get(f) for f in HEALTH_FIELDS):
        raise ConsentRequired("check answers, band and topics need consent_at")
    fields.setdefault("topics", [])
    reference = new_reference()
    while session.scalar(select(Lead.id).where(Lead.reference == reference)) is not None:
        reference = new_reference()
    lead = Lead(reference=reference, **fields)
    session.add(lead)
    session.flush()
    return lead


def _by_calendar_uid(session: Session, calendar_uid: str) -> Lead | None:
    return session.scalars(select(Lead).where(Lead.calendar_uid == calendar_uid)).first()


def _clear_claim(session: Session, start: datetime, keep_lead: int | None = None) -> None:
    """SlotTaken if an active lead holds ``start``; a cancelled lead's stale claim goes."""
    row = session.execute(
        select(SlotClaim.id, SlotClaim.lead_id, Lead.status)
        .join(Lead, Lead.id == SlotClaim.lead_id)
        .where(SlotClaim.slot_start == start)
    ).first()
    if row is None or row.lead_id == keep_lead:
        return
    if row.status != CANCELLED:
        raise SlotTaken("slot already claimed")
    session.execute(delete(SlotClaim).where(SlotClaim.id == row.id))
    session.flush()


def _lead(session: Session, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LeadNotFound(f"no lead with id {lead_id}")
    return lead
