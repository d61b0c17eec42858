"""Cancel and reschedule in the chat, end to end, checked in the calendar and database."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from email import message_from_bytes

import pytest

from tests.server.replies import buttons, texts
from tests.server.test_booking import book_first_slot, slot_buttons

pytestmark = pytest.mark.model


def booked(servers) -> tuple[str, datetime]:
    done, start_iso = book_first_slot(servers, f"book-{uuid.uuid4().hex[:8]}")
    return texts(done).split("boekingscode is ")[1][:6], datetime.fromisoformat(start_iso)


def test_cancel_by_reference_and_phone(servers, practice) -> None:
    from burnout_assistant.booking.calendar import PracticeCalendar
    from burnout_assistant.records.leads import LeadStore

    reference, start = booked(servers)
    sender = f"change-{uuid.uuid4().hex[:8]}"  # another device: only code and phone count
    assert "boekingscode" in texts(servers.send(sender, "ik wil mijn afspraak annuleren"))
    servers.send(sender, reference.lower())
    confirm = texts(servers.send(sender, "06 12345678"))
    assert "annuleren" in confirm and str(start.day) in confirm
    assert "geannuleerd" in texts(servers.send(sender, "/affirm"))
    lead = LeadStore(practice["leads_url"]).get_by_reference(reference)
    assert lead.status == "geannuleerd"
    busy = PracticeCalendar(practice["calendar_url"]).busy_periods(
        start - timedelta(minutes=1), start + timedelta(minutes=30))
    assert all(b_start != start for b_start, _ in busy)
    subjects = [message_from_bytes(p.read_bytes())["Subject"]
                for p in practice["outbox"].glob("*.eml")]
    assert f"Kennismakingsgesprek geannuleerd: ref {reference}" in subjects  # staff are told


def test_wrong_phone_finds_nothing(servers) -> None:
    reference, _ = booked(servers)
    sender = f"change-{uuid.uuid4().hex[:8]}"
    servers.send(sender, "ik wil mijn afspraak annuleren")
    servers.send(sender, reference)
    assert "geen afspraak" in texts(servers.send(sender, "06 87654321"))


def test_reschedule_to_an_offered_time(servers, practice) -> None:
    from burnout_assistant.records.leads import LeadStore

    reference, start = booked(servers)
    sender = f"change-{uuid.uuid4().hex[:8]}"
    servers.send(sender, "kan ik mijn afspraak verzetten?")
    servers.send(sender, reference)
    offer = servers.send(sender, "0612345678")
    offered = slot_buttons(offer)
    assert offered and start.isoformat() not in [iso for _, iso in offered]
    title, new_iso = offered[0]
    payload = next(b["payload"] for b in buttons(offer) if b["title"] == title)
    confirm = servers.send(sender, payload)
    assert "verzetten" in texts(confirm)
    assert "verzet naar" in texts(servers.send(sender, "/affirm"))
    lead = LeadStore(practice["leads_url"]).get_by_reference(reference)
    assert lead.slot_start == datetime.fromisoformat(new_iso)
    subjects = [message_from_bytes(p.read_bytes())["Subject"]
                for p in practice["outbox"].glob("*.eml")]
    assert f"Kennismakingsgesprek verzet: ref {reference}" in subjects
