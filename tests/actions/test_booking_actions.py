"""The booking and change actions on real rasa_sdk trackers, with the database faked.

No servers: the leads store is replaced by one that is down, and ``book`` by a stand-in that
records what the booking action would store.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.booking
import actions.changes
import actions.privacy
from actions.booking import ActionAskBookingConsent, ActionBook
from actions.changes import ActionAskChangeConfirm, ActionChange, ValidateChangeForm
from actions.privacy import ActionDeleteData
from burnout_assistant.booking.appointments import BookingOutcome, BookingRequest, BookingStatus
from burnout_assistant.config_files import load_yaml
from burnout_assistant.privacy import consent
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.settings import current_settings

DOMAIN = load_yaml((Path(__file__).parents[2] / "domain.yml").read_text())
START = "2026-11-24T09:00:00+01:00"
PHONE = current_settings().practice.phone


def _faq(topic: str) -> dict:
    return {"event": "user", "text": "?", "parse_data": {
        "intent": {"name": "faq", "full_retrieval_intent_name": f"faq/{topic}"}}}


def _tracker(slots: dict, events: list[dict] | None = None, intent: str = "affirm") -> Tracker:
    latest = {"intent": {"name": intent}, "text": "x"}
    return Tracker("visitor", slots, latest, events or [], False, None, {}, "action_listen")


def _run(action, tracker: Tracker) -> tuple[dict, str]:
    """Slot values the action set, and everything it said."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return slots, " ".join(m.get("text") or "" for m in dispatcher.messages)


def _down():
    raise LeadsUnavailable


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (actions.booking, actions.changes, actions.privacy):
        monkeypatch.setattr(module, "leads_store", _down)


BOOKING = {"booking_slot": START, "contact_name": "Sanne", "contact_phone": "+31612345678",
           "contact_email": "sanne@example.nl", "booking_consent": True, "share_check": True,
           "booking_confirm": True, "check_answers": {"vermoeidheid": 3}, "check_band": "hoog",
           "booking_wish": "di 24 nov, na 09:00"}


def test_every_field_the_booking_stores_is_listed_and_named_in_its_question(monkeypatch) -> None:
    stored: list[BookingRequest] = []

    def book(request, *_):
        stored.append(request)
        return BookingOutcome(BookingStatus.UNAVAILABLE)

    monkeypatch.setattr(actions.booking, "book", book)
    monkeypatch.setattr(actions.booking, "leads_store", lambda: None)
    monkeypatch.setattr(actions.booking, "practice_calendar", lambda: None)
    asked = [_faq("cortisol")]
    yes = {"event": "slot", "name": "booking_consent", "value": True}
    _run(ActionBook(), _tracker(BOOKING, [*asked, yes]))
    [request] = stored
    assert request.topics == ["cortisol"]
    columns = {name for name, value in request.lead_fields("booking").items() if value}
    columns |= {"slot_start", "slot_end", "calendar_uid"}  # book_slot stores the claim too

    _, question = _run(ActionAskBookingConsent(), _tracker(BOOKING, asked))
    share = DOMAIN["responses"]["utter_ask_share_check"][0]["text"]
    named = {c: f.phrase in question for f in consent.CONSENTED for c in f.columns}
    named |= {c: f.phrase in share for f in consent.SHARED for c in f.columns}
    assert {c for c in columns if c not in consent.BOOKKEEPING and not named.get(c)} == set()


def test_a_topic_asked_after_the_yes_is_not_stored(monkeypatch) -> None:
    stored: list[BookingRequest] = []
    monkeypatch.setattr(actions.booking, "book", lambda request, *_: stored.append(request)
                        or BookingOutcome(BookingStatus.UNAVAILABLE))
    monkeypatch.setattr(actions.booking, "leads_store", lambda: None)
    monkeypatch.setattr(actions.booking, "practice_calendar", lambda: None)
    yes = {"event": "slot", "name": "booking_consent", "value": True}
    _run(ActionBook(), _tracker(BOOKING, [yes, _faq("magnesium")]))
    assert stored[0].topics == []


def test_booking_with_the_database_down_stores_nothing_and_gives_the_phone(
        database_down) -> None:
    slots, said = _run(ActionBook(), _tracker(BOOKING))
    assert slots["booking_status"] == "unavailable" and PHONE in said


def test_change_with_the_database_down_gives_the_phone(database_down) -> None:
    tracker = _tracker({"change_action": "annuleren", "change_confirm": True,
                        "change_reference": "K7M3QP", "change_phone": "+31612345678"})
    slots, said = _run(ActionChange(), tracker)
    assert slots["change_status"] == "unavailable" and PHONE in said


def test_checking_the_phone_with_the_database_down_ends_the_form(database_down) -> None:
    tracker = _tracker({"change_reference": "K7M3QP"}, intent="inform")
    result = asyncio.run(ValidateChangeForm().validate_change_phone(
        "06 12345678", CollectingDispatcher(), tracker, {}))
    assert result == {"change_phone": "+31612345678", "change_blocked": True}


def test_the_confirm_question_is_asked_even_with_the_database_down(database_down) -> None:
    tracker = _tracker({"change_action": "annuleren", "change_reference": "K7M3QP",
                        "change_phone": "+31612345678"})
    _, said = _run(ActionAskChangeConfirm(), tracker)
    assert said == "Wil je je kennismakingsgesprek annuleren?"


def test_erasure_with_the_database_down_points_to_the_practice_mail(database_down) -> None:
    _, said = _run(ActionDeleteData(), _tracker({}))
    assert current_settings().practice.email in said
