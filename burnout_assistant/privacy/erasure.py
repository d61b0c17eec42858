""""Verwijder mijn gegevens": erase a visitor's leads, calendar events and conversation.

The chat only queues the request. This job does the erasing once the conversation has been
quiet for a minute: the Rasa server writes a conversation back to the tracker store after
every action, so deleting it from inside the confirming action would not last. A calendar
that is down leaves the request queued for the next run; nothing is half-erased.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import MetaData, Table, create_engine, delete
from sqlalchemy.engine import URL
from sqlalchemy.exc import NoSuchTableError

from burnout_assistant.booking.calendar import CalendarUnavailable, PracticeCalendar
from burnout_assistant.records.leads import CANCELLED, Lead, LeadStore

logger = logging.getLogger(__name__)
QUIET = timedelta(minutes=1)


def tracker_store_url(endpoints: Path) -> str | None:
    """SQLAlchemy URL of Rasa's SQL tracker store as configured in ``endpoints.yml``.

    Understands what Rasa understands there: ``${VAR}`` placeholders filled from the
    environment, and subclasses of Rasa's SQLTrackerStore (the scaled deployment's
    reconnecting store) named by their import path.
    """
    config = (yaml.safe_load(endpoints.read_text()) or {}).get("tracker_store") or {}
    config = {k: os.path.expandvars(v) if isinstance(v, str) else v for k, v in config.items()}
    kind = str(config.get("type", "")).lower()
    if kind != "sql" and not kind.endswith("sqltrackerstore"):
        return None
    dialect = config.get("dialect", "sqlite")
    if dialect == "sqlite":
        return f"sqlite:///{config.get('db', 'rasa.db')}"
    return URL.create(
        dialect, username=config.get("username") or None,
        password=config.get("password") or None, host=config.get("url"),
        port=int(config["port"]) if config.get("port") else None, database=config.get("db"),
    ).render_as_string(hide_password=False)


def erase_tracker_events(tracker_url: str, sender_id: str) -> int:
    """Delete one conversation from Rasa's SQL tracker store (table ``events``)."""
    engine = create_engine(tracker_url, future=True)
    try:
        events = Table("events", MetaData(), autoload_with=engine)
        with engine.begin() as connection:
            deleted = connection.execute(delete(events).where(events.c.sender_id == sender_id))
        return deleted.rowcount or 0
    except NoSuchTableError:
        return 0  # no conversation was ever stored
    finally:
        engine.dispose()


def delete_calendar_events(leads: Iterable[Lead], calendar: PracticeCalendar) -> None:
    """Free the slots of the active bookings among ``leads``.

    Goes first in every erasure: it raises :class:`CalendarUnavailable` while nothing else
    has been erased yet, so a calendar that is down never leaves a half-erased visitor.
    """
    for lead in leads:
        if lead.calendar_uid and lead.status != CANCELLED:
            calendar.delete_event(lead.calendar_uid)


def run_erasures(
    store: LeadStore, calendar: PracticeCalendar, tracker_url: str | None, now: datetime,
    quiet: timedelta = QUIET,
) -> int:
    """Erase every queued conversation that has been quiet long enough; returns how many."""
    done = 0
    for sender_id in store.pending_erasures(now - quiet):
        try:
            delete_calendar_events(store.leads_of(sender_id), calendar)
        except CalendarUnavailable:
            logger.warning("calendar unavailable; erasure stays queued for the next run")
            continue
        store.erase_conversation(sender_id)
        if tracker_url:
            erase_tracker_events(tracker_url, sender_id)
        store.complete_erasure(sender_id)
        done += 1
    if done:
        logger.info("erased %d conversation(s)", done)
    return done
