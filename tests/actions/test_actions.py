"""The thin actions on real rasa_sdk trackers: they only translate to and from the package."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionFallback
from actions.session import ActionSessionStart
from burnout_assistant.settings import current_settings


def _user(intent: str, kind: str = "ok") -> dict:
    return {
        "event": "user",
        "text": "x",
        "parse_data": {"intent": {"name": intent}, "message_guard": {"kind": kind}},
    }


def _tracker(events: list[dict], slots: dict | None = None) -> Tracker:
    latest = events[-1]["parse_data"] if events else {}
    return Tracker("s1", slots or {}, latest, events, False, None, {}, "action_listen")


def _run(action, tracker: Tracker) -> tuple[list[dict], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return events, dispatcher


def test_fallback_sets_second_miss_after_two_misses_in_a_row() -> None:
    tracker = _tracker([_user("greet"), _user("out_of_scope"), _user("nlu_fallback")])
    events, dispatcher = _run(ActionFallback(), tracker)
    assert events == [{"event": "slot", "timestamp": None, "name": "miss_reply",
                       "value": "second_miss"}]
    assert dispatcher.messages == []  # the rules utter, not the action


def test_fallback_names_the_kind_of_odd_message() -> None:
    events, _ = _run(ActionFallback(), _tracker([_user("faq"), _user("nlu_fallback", "foreign")]))
    assert events[0]["value"] == "foreign"


def test_session_start_fills_practice_slots_and_keeps_other_slots() -> None:
    tracker = _tracker([], slots={"miss_reply": "rephrase", "practice_name": "oud"})
    events, _ = _run(ActionSessionStart(), tracker)
    names = [e["event"] for e in events]
    assert names[0] == "session_started" and names[-1] == "action"
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["practice_name"] == current_settings().practice.name
    assert slots["practice_phone"] == current_settings().practice.phone
    assert slots["miss_reply"] == "rephrase"


def test_check_validation_ignores_slots_reset_by_our_own_actions() -> None:
    from actions.check import ValidateSymptomCheckForm

    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        ValidateSymptomCheckForm().validate_check_answer(None, dispatcher, _tracker([]), {})
    )
    assert result == {} and dispatcher.messages == []


def test_check_validation_stores_a_typed_answer() -> None:
    from actions.check import ValidateSymptomCheckForm

    tracker = _tracker([_user("inform")], slots={"check_answers": {}})
    result = asyncio.run(
        ValidateSymptomCheckForm().validate_check_answer("heel vaak", CollectingDispatcher(),
                                                         tracker, {})
    )
    assert result["check_answers"] == {"vermoeidheid": 3} and result["check_answer"] is None


def test_erasure_clears_every_slot_that_holds_what_the_visitor_told_us() -> None:
    from actions.privacy import PERSONAL_SLOTS
    from burnout_assistant.names import (
        BOOKING_FIRST_WISH,
        BOOKING_OFFER,
        BOOKING_WISH,
        CHECK_ANSWERS,
        CHECK_NOTED,
        FREE_TEXT_SLOTS,
    )

    told = FREE_TEXT_SLOTS | {BOOKING_WISH, BOOKING_FIRST_WISH, BOOKING_OFFER, CHECK_ANSWERS,
                              CHECK_NOTED}
    assert told - set(PERSONAL_SLOTS) == set()
