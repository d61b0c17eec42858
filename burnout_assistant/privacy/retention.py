"""Retention (AVG): old leads go with their conversation, and conversations without a lead go.

The practice keeps a lead for ``retention.lead_days`` and a conversation that led to nothing
for ``retention.conversation_days`` (``practice.yml``). A lead's conversation is kept as long
as the lead, because staff read it before they call. A lead whose future calendar event cannot
be deleted now (calendar down) stays until a later run, so nothing is half-deleted.

Run it by hand with ``python -m burnout_assistant.privacy.retention --endpoints endpoints.yml
[--dry-run]``; the jobs (``burnout_assistant.apps.jobs``) run it too. It prints and logs counts
only, never who or what.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from burnout_assistant.booking.calendar import CalendarUnavailable, PracticeCalendar
from burnout_assistant.privacy.erasure import delete_calendar_events
from burnout_assistant.records.database import LeadsUnavailable, as_utc
from burnout_assistant.records.erasure_queue import ErasureQueue
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.schema import Lead
from burnout_assistant.records.tracker_events import TrackerEvents, tracker_store_url
from burnout_assistant.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionResult:
    leads_deleted: int
    conversations_deleted: int


def _free_future_slot(lead: Lead, calendar: PracticeCalendar | None, now: datetime) -> None:
    """Free the lead's slot if its call is still ahead (raises when the calendar is down)."""
    if calendar is not None and lead.slot_start is not None and lead.slot_start > now:
        delete_calendar_events([lead], calendar)


def run_retention(
    settings: Settings,
    store: ErasureQueue,
    tracker: TrackerEvents | None,
    calendar: PracticeCalendar | None,
    now: datetime,
    dry_run: bool = False,
) -> RetentionResult:
    """Delete what is past its retention period; ``dry_run`` only counts.

    Raises :class:`LeadsUnavailable` before anything is deleted when the leads database is
    down; a tracker store that is down only leaves the conversations for the next run.
    """
    now = as_utc(now)
    old = store.created_before(now - timedelta(days=settings.retention.lead_days))
    going: list[Lead] = []
    for lead in old:
        try:
            if not dry_run:
                _free_future_slot(lead, calendar, now)
        except CalendarUnavailable:
            logger.warning("calendar unavailable; a lead stays until the next retention run")
            continue
        going.append(lead)
    going_ids = {lead.id for lead in going}
    # A visitor may have a newer lead too: then the conversation stays with that one.
    orphaned = {
        sender for sender in {lead.sender_id for lead in going}
        if all(other.id in going_ids for other in store.leads_of(sender))
    }
    keep = store.all_sender_ids() - orphaned
    leads_deleted = len(going) if dry_run else store.delete_leads(sorted(going_ids))
    conversations_deleted = 0
    if tracker is not None:
        days = settings.retention.conversation_days
        try:
            if dry_run:
                idle = {s for s in tracker.idle_senders(days, now) if s not in keep}
                conversations_deleted = len(idle | tracker.known_senders(orphaned))
            else:
                conversations_deleted = (tracker.delete_conversations(orphaned)
                                         + tracker.delete_older_than(days, keep, now))
        except SQLAlchemyError as exc:
            logger.warning("tracker store unavailable for retention: %s", type(exc).__name__)
    if leads_deleted or conversations_deleted:
        logger.info("retention%s: %d lead(s), %d conversation(s)", " (dry run)" if dry_run
                    else "", leads_deleted, conversations_deleted)
    return RetentionResult(leads_deleted, conversations_deleted)


def main(argv: list[str] | None = None) -> int:
    from burnout_assistant.settings import current_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"),
                        help="Rasa's endpoints.yml, for the tracker store")
    parser.add_argument("--dry-run", action="store_true", help="alleen tellen, niets verwijderen")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = current_settings()
    tracker_url = tracker_store_url(args.endpoints)
    tracker = TrackerEvents(tracker_url) if tracker_url else None
    store = LeadStore(settings.leads.url)
    try:
        store.migrate()
        result = run_retention(settings, store, tracker, PracticeCalendar.from_settings(settings),
                               datetime.now(timezone.utc), dry_run=args.dry_run)
    except LeadsUnavailable:
        print("De leads-database is niet bereikbaar; er is niets verwijderd. Probeer het later "
              "opnieuw.", file=sys.stderr)
        return 1
    finally:
        store.dispose()
        if tracker is not None:
            tracker.dispose()
    verb = "Zou verwijderen" if args.dry_run else "Verwijderd"
    print(f"{verb}: {result.leads_deleted} lead(s), "
          f"{result.conversations_deleted} gesprek(ken)")
    if tracker is None:
        print("Geen SQL-tracker store in de endpoints: gesprekken niet bekeken.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
