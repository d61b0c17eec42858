"""When a reminder mail goes out, and what it says.

The rule: every active booked call (not cancelled) whose visitor left an email address gets one
reminder, on the day before the call (practice time zone), and never a second one
(``reminded_at`` on the lead). The jobs (``apps/jobs.py``) call :func:`send_reminders` every
minute; a mail server that is down is simply tried again on the next run.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from burnout_assistant.booking.notifications import (
    Mailer,
    MailUnavailable,
    compose_mail,
    visitor_address,
    visitor_body,
)
from burnout_assistant.language.contact import format_phone_nl
from burnout_assistant.language.dutch_time import clock, local, long_date
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.schema import Lead
from burnout_assistant.settings import Settings

logger = logging.getLogger(__name__)

DAYS_BEFORE = 1  # the texts say "morgen": change both together


def reminder_day(now: datetime, settings: Settings) -> date:
    """The day whose calls are reminded of now: tomorrow in the practice's time zone."""
    return local(now, settings.tz).date() + timedelta(days=DAYS_BEFORE)


def due_reminders(store: LeadStore, settings: Settings, now: datetime) -> list[Lead]:
    """Booked calls on the reminder day with an email address and no reminder yet."""
    start = datetime.combine(reminder_day(now, settings), datetime.min.time(), settings.tz)
    return [lead for lead in store.upcoming_bookings(start, start + timedelta(days=1))
            if lead.email and lead.reminded_at is None]


def reminder_message(lead: Lead, settings: Settings) -> EmailMessage:
    """The reminder of a booked call, to the visitor, with how to change it and the helplines."""
    if lead.slot_start is None:
        raise ValueError("a reminder needs a booked slot")
    tz, practice = settings.tz, settings.practice
    intro = [
        f"Een herinnering: morgen, {long_date(lead.slot_start, tz)}, om "
        f"{clock(lead.slot_start, tz)} uur bellen we je voor je gratis kennismakingsgesprek "
        f"met {practice.name}.",
        f"We bellen je op {format_phone_nl(lead.phone)}.",
    ]
    return compose_mail(
        f"Herinnering: morgen om {clock(lead.slot_start, tz)} bellen we je",
        visitor_body(lead, practice, intro, settings.booking.cancel_cutoff_hours),
        to=visitor_address(lead),
        reply_to=practice.email,
    )


def send_reminders(store: LeadStore, mailer: Mailer, settings: Settings, now: datetime) -> int:
    """Mail every due reminder once; returns how many went out."""
    sent = 0
    for lead in due_reminders(store, settings, now):
        try:
            mailer.send(reminder_message(lead, settings))
        except MailUnavailable:
            logger.warning("mail unavailable; reminders are tried again on the next run")
            break
        store.mark_reminded(lead.id)
        sent += 1
    return sent
