""""Verwijder mijn gegevens" end to end: leads, calendar event and conversation are gone."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.server.replies import buttons, texts
from tests.server.test_booking import book_first_slot, slot_buttons

pytestmark = pytest.mark.model


def test_erasure_removes_lead_event_and_conversation(servers, practice) -> None:
    from burnout_assistant.booking.calendar import PracticeCalendar
    from burnout_assistant.privacy.erasure import run_erasures
    from burnout_assistant.records.leads import LeadStore
    from burnout_assistant.records.tracker_events import tracker_store_url

    sender = f"erase-{uuid.uuid4().hex[:8]}"
    done, start_iso = book_first_slot(servers, sender)
    reference = texts(done).split("boekingscode is ")[1][:6]
    asked = texts(servers.send(sender, "verwijder mijn gegevens"))
    assert "verwijder" in asked
    assert "verwijderd" in texts(servers.send(sender, "/affirm"))

    store = LeadStore(practice["leads_url"])
    calendar = PracticeCalendar(practice["calendar_url"])
    tracker_url = tracker_store_url(servers.workdir / "endpoints.yml")
    assert store.get_by_reference(reference) is not None  # queued, not yet done
    later = datetime.now(timezone.utc) + timedelta(minutes=2)  # the conversation is quiet
    assert run_erasures(store, calendar, tracker_url, later) >= 1

    assert store.get_by_reference(reference) is None
    start = datetime.fromisoformat(start_iso)
    busy = calendar.busy_periods(start - timedelta(minutes=1), start + timedelta(minutes=30))
    assert all(b_start != start for b_start, _ in busy)
    db = tracker_url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as connection:
        rows = connection.execute("select count(*) from events where sender_id = ?", (sender,))
        assert rows.fetchone()[0] == 0


def test_declining_erasure_keeps_everything(servers) -> None:
    sender = f"erase-{uuid.uuid4().hex[:8]}"
    servers.send(sender, "verwijder mijn gegevens")
    assert "verwijder niets" in texts(servers.send(sender, "/deny"))


def test_names_and_phone_numbers_stay_out_of_the_server_logs(servers) -> None:
    """Rasa logs an error with every slot value for some responses; ours hides them."""


    sender = f"logs-{uuid.uuid4().hex[:8]}"
    name = f"Zwaan{uuid.uuid4().hex[:6]}"
    offer = servers.send(sender, "/book_intro_call")
    servers.send(sender, next(b["payload"] for b in buttons(offer)
                              if b["title"] == slot_buttons(offer)[0][0]))
    servers.send(sender, name)
    servers.send(sender, "06 87654321")
    # A faq answer carries the "Ik heb nog een vraag" button, which makes Rasa's response
    # interpolator log an error while the name and phone are in the slots.
    servers.send(sender, "wat doet cortisol met je lichaam?")
    servers.send(sender, "hallo")
    for log in ("rasa.log", "actions.log"):
        content = (servers.workdir / log).read_text(errors="replace")
        assert name not in content and "87654321" not in content
