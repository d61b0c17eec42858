"""Periodic work that no conversation triggers: erasures, reminders, calendar retries, retention,
backups.

``./scripts/run`` starts this every minute. Each job is idempotent and tolerates a service
that is down (it simply tries again on the next run), so running it often is safe. Retention
(``retention.py``) deletes by the day, so the loop runs it once an hour. After the erasures,
staff are mailed about each erased lead and a lead a restored backup brought back is erased
again (``erasure.finish_erasures``). Once a day the loop (``--every``) makes a backup and
keeps the newest ``backups.keep`` (``privacy/backup.py``); a single run makes none.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from burnout_assistant.booking.appointments import write_event
from burnout_assistant.booking.calendar import CalendarUnavailable, PracticeCalendar
from burnout_assistant.booking.notifications import Mailer
from burnout_assistant.booking.reminders import send_reminders
from burnout_assistant.privacy.backup import BackupError, backup_if_due, export_erasure_log
from burnout_assistant.privacy.erasure import finish_erasures, run_erasures
from burnout_assistant.privacy.retention import run_retention
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.tracker_events import TrackerEvents, tracker_store_url
from burnout_assistant.settings import Settings

logger = logging.getLogger(__name__)
RETENTION_EVERY = timedelta(hours=1)
BACKUP_RETRY = timedelta(hours=1)  # a backup that failed is tried again after this


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


def retention(settings: Settings, store: LeadStore, calendar: PracticeCalendar,
              tracker_url: str | None, now: datetime) -> dict[str, int]:
    """Run retention over the leads and, with a SQL tracker store, the conversations."""
    tracker = TrackerEvents(tracker_url) if tracker_url else None
    try:
        result = run_retention(settings, store, tracker, calendar, now)
    finally:
        if tracker is not None:
            tracker.dispose()
    return {"leads_deleted": result.leads_deleted,
            "conversations_deleted": result.conversations_deleted}


def run_all(settings: Settings, store: LeadStore, calendar: PracticeCalendar, mailer: Mailer,
            tracker_url: str | None, now: datetime, with_retention: bool = True,
            ) -> dict[str, int]:
    erased = run_erasures(store, calendar, tracker_url, now)
    aftercare = finish_erasures(store, calendar, tracker_url, mailer)
    counts = {
        "erased": erased,
        "erased_again": aftercare.erased_again,
        "erasure_mails": aftercare.announced,
        "outbox_copies_deleted": aftercare.outbox_copies_deleted,
        "reminded": send_reminders(store, mailer, settings, now),
        "events_written": retry_calendar_events(store, calendar, now),
    }
    if with_retention:  # last: the other jobs have run even if this one fails
        counts.update(retention(settings, store, calendar, tracker_url, now))
    return counts


def daily_backup(settings: Settings, now: datetime) -> bool:
    """The day's backup when it is due; False when it failed (logged without details that
    could name a person: the reason is a path or a tool's error line)."""
    try:
        made = backup_if_due(settings, now)
    except (BackupError, OSError) as exc:
        logger.warning("backup failed: %s", exc if isinstance(exc, BackupError)
                       else type(exc).__name__)
        return False
    except Exception:
        logger.exception("backup failed")
        return False
    if made is not None:
        logger.info("backup written: %s", made.name)
    return True


def keep_erasure_log(settings: Settings, store: Callable[[], LeadStore]) -> bool:
    """The erasure log beside the archives, so a restore knows erasures the newest backup
    does not (should the leads database itself be lost); False when it could not be written."""
    try:
        export_erasure_log(store(), Path(settings.backups.directory))
    except (LeadsUnavailable, OSError) as exc:
        logger.warning("erasure log not written beside the backups: %s", type(exc).__name__)
        return False
    return True


def main() -> None:
    from burnout_assistant.apps.services import leads_store, mailer, practice_calendar
    from burnout_assistant.settings import current_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    parser.add_argument("--every", type=float, default=0, help="repeat every N seconds")
    args = parser.parse_args()
    if not args.endpoints.is_file():
        parser.error(f"no endpoints file at {args.endpoints}")
    logging.basicConfig(level=logging.INFO)
    tracker_url = tracker_store_url(args.endpoints)
    last_retention: datetime | None = None
    backup_failed_at: datetime | None = None
    log_kept = False
    while True:
        now = datetime.now(timezone.utc)
        due = last_retention is None or now - last_retention >= RETENTION_EVERY
        counts: dict[str, int] = {}
        try:
            counts = run_all(current_settings(), leads_store(), practice_calendar(), mailer(),
                             tracker_url, now, with_retention=due)
            if due:
                last_retention = now
            if any(counts.values()):
                logger.info("jobs: %s", counts)
        except (LeadsUnavailable, SQLAlchemyError) as exc:
            # A database (leads or tracker store) that is down: one line, no traceback (its
            # SQL could carry personal data); everything is tried again on the next run.
            logger.warning("jobs skipped: a database is unavailable (%s)", type(exc).__name__)
        except Exception:
            logger.exception("job run failed")
        if not args.every:
            return  # one run (by hand, from cron): no backup, ./scripts/backup makes one
        if not log_kept or counts.get("erasure_mails") or counts.get("erased_again"):
            log_kept = keep_erasure_log(current_settings(), leads_store)
        if backup_failed_at is None or now - backup_failed_at >= BACKUP_RETRY:
            backup_failed_at = None if daily_backup(current_settings(), now) else now
        time.sleep(args.every)


if __name__ == "__main__":
    main()
