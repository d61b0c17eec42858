""""Verwijder mijn gegevens": erase a visitor's leads, calendar events and conversation.

The chat only queues the request. This job does the erasing once the conversation has been
quiet for a minute: the Rasa server writes a conversation back to the tracker store after
every action, so deleting it from inside the confirming action would not last. A calendar
that is down leaves the request queued for the next run; nothing is half-erased.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from burnout_assistant.booking.calendar import CalendarUnavailable, PracticeCalendar
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.records.erasure_queue import ErasureQueue
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
