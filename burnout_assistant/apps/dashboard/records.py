"""What staff do with the records: export the list as CSV, erase a lead with its conversation.

The CSV is opened in Excel by a practice assistant, so it uses semicolons and a byte-order
mark (what Dutch Excel expects), and no cell may start like a formula (CSV injection: a
visitor could type ``=HYPERLINK(...)`` as a name).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from burnout_assistant.apps.dashboard.presenting import (
    KIND_NAMES,
    STATUS_NAMES,
    band_name,
    channel_name,
    phone,
    topic_name,
)
from burnout_assistant.booking.calendar import CalendarUnavailable, PracticeCalendar
from burnout_assistant.language.dutch_time import local
from burnout_assistant.privacy.erasure import delete_calendar_events
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.schema import Lead
from burnout_assistant.records.tracker_events import TrackerEvents

log = logging.getLogger(__name__)

CSV_COLUMNS = (
    "referentie", "binnengekomen", "naam", "telefoon", "e-mail", "kanaal", "soort", "status",
    "uitkomst check", "onderwerpen", "gepland gesprek", "voorkeurstijden", "toestemming",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CALENDAR_DOWN = (
    "De agenda is nu niet bereikbaar, dus de afspraak kan niet uit de agenda worden gehaald. "
    "Er is niets gewist; probeer het later opnieuw."
)


def csv_cell(value: object) -> str:
    """The value as text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def leads_csv(leads: Iterable[Lead], tz: ZoneInfo) -> str:
    def when(value: datetime | None) -> str:
        return f"{local(value, tz):%Y-%m-%d %H:%M}" if value else ""

    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with a byte-order mark
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for lead in leads:
        row = (
            lead.reference, when(lead.created_at), lead.name, phone(lead.phone), lead.email,
            channel_name(lead.channel), KIND_NAMES.get(lead.kind, lead.kind),
            STATUS_NAMES.get(lead.status, lead.status),
            band_name(lead.check_band) if lead.check_answers or lead.check_band else "",
            ", ".join(topic_name(t) for t in lead.topics or []), when(lead.slot_start),
            lead.preferred_times, when(lead.consent_at),
        )  # fmt: skip
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def erase_conversation(
    lead: Lead, store: LeadStore, calendar: PracticeCalendar, tracker: TrackerEvents | None
) -> str | None:
    """Erase the lead, every other lead of its conversation, and the conversation itself.

    Calendar events go first: if the calendar is down nothing is erased and the Dutch
    message returned says so. If the tracker store fails after the leads are gone, the
    conversation is queued for the erasure job, so it still goes.
    """
    leads = store.leads_of(lead.sender_id) or [lead]
    try:
        delete_calendar_events(leads, calendar)
    except CalendarUnavailable:
        return CALENDAR_DOWN
    store.erase_conversation(lead.sender_id)
    if tracker is not None:
        try:
            tracker.delete_conversations([lead.sender_id])
        except SQLAlchemyError as exc:
            log.warning("tracker store unavailable (%s); erasure queued", type(exc).__name__)
            store.request_erasure(lead.sender_id)
    log.info("staff erased %d lead(s) with their conversation", len(leads))
    return None
