"""Exactly-once booking and graceful failure, against a real database and real CalDAV servers.

``calendar`` is a fresh collection on Radicale and on Xandikos in turn (tests/fixtures).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import caldav

from burnout_assistant.apps.processes import free_port
from burnout_assistant.booking.appointments import BookingStatus, book, event_uid, offer_slots
from burnout_assistant.booking.calendar import PracticeCalendar, ensure_calendar
from burnout_assistant.records.leads import LeadStore
from tests.booking.support import NOW, SETTINGS, events_around, request
from tests.fixtures.calendar import CalendarServer


def test_concurrent_confirmations_book_the_slot_once(calendar, store) -> None:
    slot = offer_slots(calendar, SETTINGS, NOW).slots[0]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(
            lambda n: book(request(f"visitor-{n}", slot.start), calendar, store, SETTINGS, NOW),
            range(8),
        ))
    statuses = sorted(o.status.value for o in outcomes)
    assert statuses.count("booked") == 1 and statuses.count("slot_taken") == 7, statuses
    for outcome in outcomes:
        if outcome.status is BookingStatus.SLOT_TAKEN:
            offered = [a.start for a in outcome.alternatives]
            assert offered and slot.start not in offered
    assert len(events_around(calendar, slot.start)) == 1


def test_a_retried_booking_makes_no_second_event(calendar, store) -> None:
    slot = offer_slots(calendar, SETTINGS, NOW).slots[0]
    first = book(request("visitor-retry", slot.start), calendar, store, SETTINGS, NOW)
    again = book(request("visitor-retry", slot.start), calendar, store, SETTINGS, NOW)
    assert first.status is again.status is BookingStatus.BOOKED
    assert first.lead.reference == again.lead.reference
    assert len(events_around(calendar, slot.start)) == 1
    assert calendar.event_exists(event_uid("visitor-retry", slot.start))


def test_the_event_holds_no_health_data(calendar, store) -> None:
    slot = offer_slots(calendar, SETTINGS, NOW).slots[0]
    outcome = book(
        request("visitor-health", slot.start, check_answers={"vermoeidheid": 4},
                check_band="hoog", topics=["faq/magnesium"]),
        calendar, store, SETTINGS, NOW,
    )
    assert outcome.lead.check_band == "hoog"  # kept for the practice, with consent
    ical = "".join(e.data for e in caldav.Calendar(client=caldav.DAVClient(calendar.url),
                                                    url=calendar.url).events())
    assert outcome.lead.reference in ical
    for health in ("hoog", "vermoeidheid", "magnesium", "check"):
        assert health not in ical.lower()


def test_calendar_down_keeps_the_lead_as_a_call_back_request(store, closed_port) -> None:
    down = PracticeCalendar(f"http://127.0.0.1:{closed_port}/praktijk/intake/", timeout=2)
    assert offer_slots(down, SETTINGS, NOW).calendar_ok is False
    wished = NOW + timedelta(days=2, hours=2)
    outcome = book(request("visitor-down", wished), down, store, SETTINGS, NOW)
    assert outcome.status is BookingStatus.CALLBACK
    assert outcome.lead.kind == "callback" and wished.isoformat() in outcome.lead.preferred_times
    assert store.count_new() == 1 and store.get(outcome.lead.id).kind == "callback"


def test_calendar_stopping_after_the_offer_keeps_a_call_back_and_books_nothing(
    calendar_server: CalendarServer, store, tmp_path: Path
) -> None:
    """The server stops between offer and confirmation: the visitor's wish is kept as a
    call-back request; back up, the calendar holds no event and the slot is offered again."""
    port = free_port()
    with calendar_server.start(tmp_path, port) as url:
        calendar = PracticeCalendar(calendar_server.new_calendar_url(url), timeout=2)
        ensure_calendar(calendar.url)
        slot = offer_slots(calendar, SETTINGS, NOW).slots[0]
    outcome = book(request("visitor-outage", slot.start), calendar, store, SETTINGS, NOW)
    assert outcome.status is BookingStatus.CALLBACK
    assert outcome.lead.preferred_times == slot.start.isoformat()
    with calendar_server.start(tmp_path, port):
        assert events_around(calendar, slot.start) == []
        assert offer_slots(calendar, SETTINGS, NOW).slots[0] == slot
        again = book(request("visitor-outage", slot.start), calendar, store, SETTINGS, NOW)
        assert again.status is BookingStatus.BOOKED
        assert len(events_around(calendar, slot.start)) == 1


def test_database_down_writes_nothing_to_the_calendar(calendar, closed_port) -> None:
    store = LeadStore(f"postgresql://postgres@127.0.0.1:{closed_port}/leads")
    slot = offer_slots(calendar, SETTINGS, NOW).slots[0]
    outcome = book(request("visitor-nodb", slot.start), calendar, store, SETTINGS, NOW)
    assert outcome.status is BookingStatus.UNAVAILABLE and outcome.lead is None
    assert events_around(calendar, slot.start) == []


def test_a_call_back_request_without_a_slot(store, calendar) -> None:
    outcome = book(request("visitor-cb", None, wish_text="dinsdagochtend"), calendar, store,
                   SETTINGS, NOW)
    assert outcome.status is BookingStatus.CALLBACK
    assert outcome.lead.preferred_times == "dinsdagochtend"
