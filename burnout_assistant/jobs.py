"""Periodic work that no conversation triggers: erasures, reminder mails, calendar retries.

``./scripts/run`` starts this every minute. Each job is idempotent and tolerates a service
that is down (it simply tries again on the next run), so running it often is safe.
"""

from __future__ import annotations

import argparse
import logging
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from burnout_assistant.booking import write_event
from burnout_assistant.calendar import CalendarUnavailable, PracticeCalendar
from burnout_assistant.dutch_time import local
from burnout_assistant.erasure import run_erasures, tracker_store_url
from burnout_assistant.leads import LeadStore
from burnout_assistant.notifications import Mailer, MailUnavailable, visitor_reminder_message
from burnout_assistant.settings import Settings

logger = logging.getLogger(__name__)


def send_reminders(store: LeadStore, mailer: Mailer, settings: Settings, now: datetime) -> int:
    """Mail a reminder the day before the call to visitors who gave an email address."""
    tomorrow = local(now, settings.tz).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), settings.tz)
    sent = 0
    for lead in store.upcoming_bookings(start, start + timedelta(days=1)):
        if not lead.email or lead.reminded_at is not None:
            continue
        try:
            mailer.send(visitor_reminder_message(
                lead, settings.practice, cancel_cutoff_hours=settings.booking.cancel_cutoff_hours,
                tz=settings.tz))
        except MailUnavailable:
            logger.warning("mail unavailable; reminders are tried again on the next run")
            break
        store.mark_reminded(lead.id)
        sent += 1
    return sent


def retry_calendar_events(store: LeadStore, calendar: PracticeCalendar, now: datetime) -> int:
    """Write the events of bookings made while the calendar was down; returns how many."""
    written = 0
    try:
        for lead in store.upcoming_bookings(now, now + timedelta(days=366)):
            if lead.calendar_uid and not calendar.event_exists(lead.calendar_uid):
                write_event(calendar, lead)
                written += 1
    except CalendarUnavailable:
        logger.warning("calendar still unavailable; events are retried on the next run")
    return written


def run_all(settings: Settings, store: LeadStore, calendar: PracticeCalendar, mailer: Mailer,
            tracker_url: str | None, now: datetime) -> dict[str, int]:
    return {
        "erased": run_erasures(store, calendar, tracker_url, now),
        "reminded": send_reminders(store, mailer, settings, now),
        "events_written": retry_calendar_events(store, calendar, now),
    }


def main() -> None:
    from burnout_assistant.services import leads_store, mailer, practice_calendar
    from burnout_assistant.settings import current_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    parser.add_argument("--every", type=float, default=0, help="repeat every N seconds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    tracker_url = tracker_store_url(args.endpoints)
    while True:
        try:
            counts = run_all(current_settings(), leads_store(), practice_calendar(), mailer(),
                             tracker_url, datetime.now(timezone.utc))
            if any(counts.values()):
                logger.info("jobs: %s", counts)
        except Exception:
            logger.exception("job run failed")
        if not args.every:
            return
        time.sleep(args.every)


if __name__ == "__main__":
    main()
