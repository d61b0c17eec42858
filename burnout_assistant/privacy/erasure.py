""""Verwijder mijn gegevens": erase a visitor's leads, calendar events and conversation.

The chat only queues the request. This job does the erasing once the conversation has been
quiet for a minute: the Rasa server writes a conversation back to the tracker store after
every action, so deleting it from inside the confirming action would not last. A calendar
that is down leaves the request queued for the next run; nothing is half-erased.

Every erased lead is logged (booking code, id, time: ``records/erasure_queue.py``), whether the
chat or staff erased it. :func:`finish_erasures` works from that log: it erases again a lead
that a restored backup brought back, and mails staff once per erased lead, naming only the
booking code, to delete the earlier mails about it; the outbox copies of those mails go.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from burnout_assistant.booking.calendar import CalendarUnavailable, PracticeCalendar
from burnout_assistant.booking.notifications import (
    Mailer,
    MailUnavailable,
    staff_erasure_message,
)
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.records.erasure_queue import ErasedLead, ErasureQueue
from burnout_assistant.records.schema import CANCELLED, Lead
from burnout_assistant.records.tracker_events import TrackerEvents

logger = logging.getLogger(__name__)
QUIET = timedelta(minutes=1)


def delete_calendar_events(leads: Iterable[Lead], calendar: PracticeCalendar) -> None:
    """Free the slots of the active bookings among ``leads``.

    Goes first in every erasure: it raises :class:`CalendarUnavailable` while nothing else
    has been erased yet, so a calendar that is down never leaves a half-erased visitor.
    """
    for lead in leads:
        if lead.calendar_uid and lead.status != CANCELLED:
            calendar.delete_event(lead.calendar_uid)


def run_erasures(
    store: ErasureQueue, calendar: PracticeCalendar, tracker_url: str | None, now: datetime,
    quiet: timedelta = QUIET,
) -> int:
    """Erase every queued conversation that has been quiet long enough; returns how many.

    A leads database that is down leaves the queue as it is for the next run: each step can
    be repeated, so a run that stopped halfway is finished by the next one.
    """
    tracker = TrackerEvents(tracker_url) if tracker_url else None
    done = 0
    try:
        for sender_id in store.pending_erasures(now - quiet):
            try:
                delete_calendar_events(store.leads_of(sender_id), calendar)
            except CalendarUnavailable:
                logger.warning("calendar unavailable; erasure stays queued for the next run")
                continue
            store.erase_conversation(sender_id)
            if tracker is not None:
                tracker.delete_conversations([sender_id])
            store.complete_erasure(sender_id)
            done += 1
    except LeadsUnavailable:
        logger.warning("leads database unavailable; erasures stay queued for the next run")
    finally:
        if tracker is not None:
            tracker.dispose()
    if done:
        logger.info("erased %d conversation(s)", done)
    return done


@dataclass(frozen=True)
class Aftercare:
    """What :func:`finish_erasures` did, as counts (logs carry no more than this)."""

    erased_again: int = 0
    announced: int = 0
    outbox_copies_deleted: int = 0


def erase_returned_leads(
    store: ErasureQueue, calendar: PracticeCalendar | None, tracker: TrackerEvents | None
) -> int:
    """Erase again the logged leads a restored backup brought back; returns how many.

    Calendar event, then conversation, then the lead: a step that fails leaves the lead for
    the next run. Only conversation events from before the erasure go, so a visitor who came
    back afterwards keeps the new conversation. ``calendar`` None: the calendar was not
    restored, so the erased events are still gone from it.
    """
    going = []
    for lead, entry in store.returned_erasures():
        try:
            if calendar is not None:
                delete_calendar_events([lead], calendar)
            if tracker is not None:
                tracker.delete_conversations([lead.sender_id], idle_before=entry.erased_at)
        except CalendarUnavailable:
            logger.warning("calendar unavailable; a returned erased lead goes on the next run")
            continue
        except SQLAlchemyError as exc:
            logger.warning("tracker store unavailable (%s); a returned erased lead goes on "
                           "the next run", type(exc).__name__)
            continue
        going.append(lead.id)
    return store.delete_leads(going)


def announce_erasures(store: ErasureQueue, mailer: Mailer) -> tuple[int, int]:
    """Mail staff once per erased lead and delete its outbox copies; (mails, copies).

    A mail that cannot go now stays due for the next run. Without staff addresses and with
    SMTP set no staff mail went out about the lead either, so there is nobody to tell.
    """
    announced = copies = 0
    nobody = bool(mailer.settings.smtp_host) and not mailer.settings.staff_emails
    for entry in store.unannounced_erasures():
        try:
            copies += mailer.delete_outbox_copies(entry.reference)
            if not nobody:
                mailer.send(staff_erasure_message(entry.reference))
        except MailUnavailable:
            logger.warning("erasure notice not sent; it is retried on the next run")
            break
        store.mark_announced(entry)
        announced += 1
    return announced, copies


def finish_erasures(
    store: ErasureQueue, calendar: PracticeCalendar | None, tracker_url: str | None,
    mailer: Mailer,
) -> Aftercare:
    """The jobs' part after every erasure: returned leads erased again, staff told."""
    tracker = TrackerEvents(tracker_url) if tracker_url else None
    try:
        erased_again = erase_returned_leads(store, calendar, tracker)
        announced, copies = announce_erasures(store, mailer)
    except LeadsUnavailable:
        logger.warning("leads database unavailable; erasure aftercare waits for the next run")
        return Aftercare()
    finally:
        if tracker is not None:
            tracker.dispose()
    if erased_again:
        logger.info("erased %d returned lead(s) again", erased_again)
    return Aftercare(erased_again, announced, copies)


def log_to_json(entries: Iterable[ErasedLead]) -> bytes:
    """The erasure log as JSON (in every archive, and beside them: ``privacy/backup.py``)."""
    return json.dumps([
        {"reference": e.reference, "lead_id": e.lead_id, "erased_at": e.erased_at.isoformat(),
         "announced_at": e.announced_at.isoformat() if e.announced_at else None}
        for e in entries], indent=0).encode()


def log_from_json(data: bytes) -> list[ErasedLead]:
    def moment(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return [ErasedLead(str(raw["reference"]), int(raw["lead_id"]), moment(raw["erased_at"]),
                       moment(raw.get("announced_at"))) for raw in json.loads(data)]
