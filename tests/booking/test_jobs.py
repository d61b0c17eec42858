"""The periodic jobs: reminder mails the day before, calendar events written later, retention."""

from __future__ import annotations

import uuid
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

from burnout_assistant.apps.jobs import retry_calendar_events, run_all
from burnout_assistant.booking.appointments import book, offer_slots, write_event
from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.booking.notifications import Mailer
from burnout_assistant.booking.reminders import send_reminders
from tests.booking.support import NOW, SETTINGS, request


def outbox_mailer(folder: Path) -> Mailer:
    return Mailer(SETTINGS.notifications.copy(update={"smtp_host": "", "outbox_dir": str(folder)}))


def test_reminder_goes_out_once_the_day_before(calendar, store, tmp_path) -> None:
    slot = offer_slots(calendar, SETTINGS, NOW).slots[0]  # Tuesday: tomorrow seen from NOW
    assert slot.start.date() == NOW.date().replace(day=NOW.day + 1)
    with_mail = book(request("visitor-mail", slot.start, email="sanne@example.nl"), calendar,
                     store, SETTINGS, NOW).lead
    later = offer_slots(calendar, SETTINGS, NOW).slots[0]
    book(request("visitor-nomail", later.start), calendar, store, SETTINGS, NOW)
    mailer = outbox_mailer(tmp_path)
    assert send_reminders(store, mailer, SETTINGS, NOW) == 1
    assert send_reminders(store, mailer, SETTINGS, NOW) == 0  # never twice
    mails = [message_from_bytes(p.read_bytes()) for p in tmp_path.glob("*.eml")]
    assert [m["To"] for m in mails] == ["sanne@example.nl"]
    assert store.get(with_mail.id).reminded_at is not None


def test_no_reminder_two_days_ahead(calendar, store, tmp_path) -> None:
    slot = offer_slots(calendar, SETTINGS, NOW.replace(day=NOW.day + 1)).slots[0]
    book(request("visitor-later", slot.start, email="a@example.nl"), calendar, store, SETTINGS,
         NOW)
    assert send_reminders(store, outbox_mailer(tmp_path), SETTINGS, NOW) == 0


def test_retry_writes_a_missing_event_once(calendar, store) -> None:
    slot = offer_slots(calendar, SETTINGS, NOW).slots[0]
    lead = book(request("visitor-retry-job", slot.start), calendar, store, SETTINGS, NOW).lead
    calendar.delete_event(lead.calendar_uid)  # as if the calendar was down when booking
    assert retry_calendar_events(store, calendar, NOW) == 1
    assert calendar.event_exists(lead.calendar_uid)
    assert retry_calendar_events(store, calendar, NOW) == 0


def test_retry_with_the_calendar_still_down_tries_again_later(calendar, store,
                                                              closed_port) -> None:
    slot = offer_slots(calendar, SETTINGS, NOW).slots[0]
    book(request("visitor-down-job", slot.start), calendar, store, SETTINGS, NOW)
    down = PracticeCalendar(f"http://127.0.0.1:{closed_port}/x/", timeout=2)
    assert retry_calendar_events(store, down, NOW) == 0


def test_retention_in_the_jobs_deletes_an_old_lead_with_its_upcoming_event(
        calendar, store, tmp_path) -> None:
    slot = offer_slots(calendar, SETTINGS, NOW).slots[0]
    old = NOW - timedelta(days=SETTINGS.retention.lead_days + 1)
    fields = {"sender_id": "visitor-retention", "channel": "rest", "name": "Sanne de Vries",
              "phone": "+31612345678", "created_at": old}
    lead = store.book_slot(fields, slot.start, slot.end, f"{uuid.uuid4()}@test")
    write_event(calendar, lead)  # a call moved far ahead by staff, say
    mailer = outbox_mailer(tmp_path)

    skipped = run_all(SETTINGS, store, calendar, mailer, None, NOW, with_retention=False)
    assert "leads_deleted" not in skipped and store.get(lead.id) is not None

    counts = run_all(SETTINGS, store, calendar, mailer, None, NOW)
    assert counts["leads_deleted"] == 1 and counts["conversations_deleted"] == 0
    assert store.get(lead.id) is None
    assert not calendar.event_exists(lead.calendar_uid)


def test_jobs_with_the_database_down_say_so_in_one_line(tmp_path, closed_port) -> None:
    """A leads database that is down: one warning, no traceback (its SQL could carry personal
    data), and the loop lives on to try again."""
    import os
    import subprocess
    import sys

    from burnout_assistant.apps.launch import ROOT as root
    from devtools.servers import practice_file

    settings_file = practice_file(
        tmp_path, leads__database_url=f"postgresql://postgres@127.0.0.1:{closed_port}/leads",
        notifications__outbox_dir=str(tmp_path / "outbox"))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f'tracker_store:\n  type: SQL\n  dialect: sqlite\n'
                         f'  db: "{tmp_path}/tracker.db"\n')
    done = subprocess.run(
        [sys.executable, "-m", "burnout_assistant.apps.jobs", "--endpoints", str(endpoints)],
        cwd=root, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PRACTICE_SETTINGS": str(settings_file)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "jobs skipped: a database is unavailable" in done.stderr
    assert "Traceback" not in done.stderr
