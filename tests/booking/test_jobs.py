"""The periodic jobs: reminder mails the day before, and calendar events written later."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

from burnout_assistant.booking import book, offer_slots
from burnout_assistant.calendar import PracticeCalendar
from burnout_assistant.jobs import retry_calendar_events, send_reminders
from burnout_assistant.notifications import Mailer
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
