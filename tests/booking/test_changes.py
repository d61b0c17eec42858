"""Cancel and reschedule by reference plus phone, against a real Radicale and database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from burnout_assistant.booking.appointments import book, offer_slots
from burnout_assistant.booking.changes import (
    Lookup,
    cancel_booking,
    find_booking,
    reschedule_booking,
)
from burnout_assistant.records.leads import SlotTaken
from tests.booking.support import NOW, SETTINGS, events_around, request


@pytest.fixture
def booked(calendar, store):
    slot = offer_slots(calendar, SETTINGS, NOW).slots[0]
    return book(request("visitor-change", slot.start), calendar, store, SETTINGS, NOW).lead


def test_reference_and_phone_must_both_match(store, booked) -> None:
    found = find_booking(store, booked.reference.lower(), "+31612345678", NOW, SETTINGS)
    assert found.status is Lookup.FOUND and found.lead.id == booked.id
    wrong = find_booking(store, booked.reference, "+31699999999", NOW, SETTINGS)
    assert wrong.status is Lookup.NOT_FOUND


def test_after_the_cut_off_it_goes_by_phone(store, booked) -> None:
    late = booked.slot_start - timedelta(hours=SETTINGS.booking.cancel_cutoff_hours - 1)
    assert find_booking(store, booked.reference, "+31612345678", late, SETTINGS).status is (
        Lookup.TOO_LATE)


def test_cancel_removes_the_event_and_frees_the_slot(calendar, store, booked) -> None:
    cancel_booking(booked, calendar, store)
    assert events_around(calendar, booked.slot_start) == []
    assert store.get(booked.id).status == "geannuleerd"
    assert find_booking(store, booked.reference, "+31612345678", NOW, SETTINGS).status is (
        Lookup.NOT_FOUND)
    again = offer_slots(calendar, SETTINGS, NOW).slots
    assert booked.slot_start in [s.start for s in again]


def test_reschedule_moves_event_and_claim(calendar, store, booked) -> None:
    new = offer_slots(calendar, SETTINGS, NOW).slots[1].start
    moved = reschedule_booking(booked, new, calendar, store, SETTINGS)
    assert moved.slot_start == new
    assert events_around(calendar, booked.slot_start) == [] or all(
        s != booked.slot_start for s, _ in events_around(calendar, booked.slot_start))
    assert any(s == new for s, _ in events_around(calendar, new))


def test_reschedule_to_a_taken_slot_changes_nothing(calendar, store, booked) -> None:
    other_slot = offer_slots(calendar, SETTINGS, NOW).slots[0].start
    other = book(request("visitor-other", other_slot), calendar, store, SETTINGS, NOW).lead
    with pytest.raises(SlotTaken):
        reschedule_booking(booked, other.slot_start, calendar, store, SETTINGS)
    assert store.get(booked.id).slot_start == booked.slot_start
