"""The erasure job: a queued conversation goes with its leads and tracker events once quiet."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.privacy.erasure import QUIET, run_erasures
from burnout_assistant.records.leads import LeadStore

UTC = timezone.utc
PERSON = {"channel": "web", "name": "Sanne de Vries", "phone": "+31612345678"}
START = datetime(2030, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def calendar_down(closed_port: int) -> PracticeCalendar:
    return PracticeCalendar(f"http://127.0.0.1:{closed_port}/praktijk/intake/", timeout=2)


def quiet_later() -> datetime:
    return datetime.now(UTC) + QUIET + timedelta(seconds=5)


def test_a_quiet_conversation_goes_with_its_leads_and_events(store, tracker,
                                                            calendar_down) -> None:
    gone = store.create_lead(sender_id="erase-me", kind="callback", **PERSON)
    kept = store.create_lead(sender_id="keep-me", kind="callback", **PERSON)
    for sender in ("erase-me", "keep-me"):
        tracker.conversation(sender, datetime.now(UTC)).user("hoi", "greet")
    store.request_erasure("erase-me")
    store.request_erasure("erase-me")  # asked twice: queued once

    assert run_erasures(store, calendar_down, tracker.url, datetime.now(UTC)) == 0  # not quiet
    assert store.get(gone.id) is not None
    # A callback has no calendar event, so the calendar being down does not matter.
    assert run_erasures(store, calendar_down, tracker.url, quiet_later()) == 1
    assert store.get(gone.id) is None and store.get(kept.id) is not None
    assert tracker.senders() == {"keep-me"}
    assert store.pending_erasures(quiet_later()) == []


def test_a_booking_stays_queued_while_the_calendar_is_down(store, tracker,
                                                          calendar_down) -> None:
    lead = store.book_slot({"sender_id": "booked", **PERSON}, START,
                           START + timedelta(minutes=20), "uid-booked")
    tracker.conversation("booked", datetime.now(UTC)).user("hoi", "greet")
    store.request_erasure("booked")
    assert run_erasures(store, calendar_down, tracker.url, quiet_later()) == 0
    assert store.get(lead.id) is not None and tracker.senders() == {"booked"}
    assert store.pending_erasures(quiet_later()) == ["booked"]  # the next run tries again


def test_the_leads_database_down_leaves_the_queue_for_the_next_run(closed_port,
                                                                   calendar_down) -> None:
    down = LeadStore(f"postgresql://postgres@127.0.0.1:{closed_port}/leads")
    assert run_erasures(down, calendar_down, None, quiet_later()) == 0
    down.dispose()
