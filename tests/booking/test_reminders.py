"""The reminder rule and its mail, on a SQLite leads store: no calendar, no mail server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

import pytest

from burnout_assistant.booking.notifications import MailUnavailable
from burnout_assistant.booking.reminders import (
    due_reminders,
    reminder_day,
    reminder_message,
    send_reminders,
)
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.schema import Lead
from tests.booking.support import NOW, SETTINGS

TOMORROW_TEN = NOW.replace(hour=10) + timedelta(days=1)


class Outbox:
    """A mailer that keeps what it is given, or fails like a mail server that is down."""

    def __init__(self, down: bool = False) -> None:
        self.sent: list[EmailMessage] = []
        self.down = down

    def send(self, message: EmailMessage) -> None:
        if self.down:
            raise MailUnavailable("down")
        self.sent.append(message)


@pytest.fixture
def leads(tmp_path) -> Iterator[LeadStore]:
    store = LeadStore(f"sqlite:///{tmp_path / 'leads.db'}")
    store.migrate()
    yield store
    store.dispose()


def booked(store: LeadStore, start: datetime, email: str | None = "sanne@example.nl") -> Lead:
    fields = {"sender_id": f"s-{start.isoformat()}", "channel": "rest", "name": "Sanne",
              "phone": "+31612345678", "email": email, "consent_at": NOW}
    return store.book_slot(fields, start, start + timedelta(minutes=20), f"{start}@test")


def test_only_tomorrows_calls_with_an_address_and_no_reminder_yet(leads: LeadStore) -> None:
    due = booked(leads, TOMORROW_TEN)
    booked(leads, TOMORROW_TEN + timedelta(hours=1), email=None)
    booked(leads, TOMORROW_TEN + timedelta(days=1))
    leads.cancel(booked(leads, TOMORROW_TEN + timedelta(hours=2)).id)
    leads.mark_reminded(booked(leads, TOMORROW_TEN + timedelta(hours=3)).id)
    assert [lead.id for lead in due_reminders(leads, SETTINGS, NOW)] == [due.id]


def test_tomorrow_is_counted_in_the_practice_time_zone() -> None:
    late_monday_utc = datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc)  # Tuesday 00:30 local
    assert reminder_day(late_monday_utc, SETTINGS).isoformat() == "2026-11-25"


def test_a_reminder_goes_out_once(leads: LeadStore) -> None:
    lead = booked(leads, TOMORROW_TEN)
    outbox = Outbox()
    assert send_reminders(leads, outbox, SETTINGS, NOW) == 1
    assert send_reminders(leads, outbox, SETTINGS, NOW) == 0
    assert [m["To"] for m in outbox.sent] == ["sanne@example.nl"]
    assert leads.get(lead.id).reminded_at is not None


def test_a_mail_server_that_is_down_leaves_the_reminder_for_the_next_run(leads: LeadStore) -> None:
    lead = booked(leads, TOMORROW_TEN)
    assert send_reminders(leads, Outbox(down=True), SETTINGS, NOW) == 0
    assert leads.get(lead.id).reminded_at is None
    assert send_reminders(leads, Outbox(), SETTINGS, NOW) == 1


def test_the_reminder_names_tomorrow_the_number_and_the_cut_off(leads: LeadStore) -> None:
    message = reminder_message(booked(leads, TOMORROW_TEN), SETTINGS)
    assert message["Subject"] == "Herinnering: morgen om 10:00 bellen we je"
    assert message["Reply-To"] == SETTINGS.practice.email
    body = message.get_content()
    assert "morgen, dinsdag 24 november, om 10:00" in body and "06 12345678" in body
    assert f"Dat kan tot {SETTINGS.booking.cancel_cutoff_hours} uur voor het gesprek." in body
    assert "113" in body


def test_a_call_back_request_gets_no_reminder(leads: LeadStore) -> None:
    callback = leads.create_lead(sender_id="s", channel="rest", name="Sanne",
                                 phone="+31612345678", email="a@example.nl", consent_at=NOW,
                                 kind="callback")
    with pytest.raises(ValueError):
        reminder_message(callback, SETTINGS)
