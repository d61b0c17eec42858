"""Cancelling and moving a booking: every branch of the change dialogue, without servers."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from burnout_assistant.booking.changes import ChangeLookup, Lookup
from burnout_assistant.dialogue import change_dialogue as change
from burnout_assistant.dialogue.booking_dialogue import CALLBACK, Reply
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.records.leads import SlotTaken
from burnout_assistant.records.schema import Lead
from burnout_assistant.settings import load_settings

SETTINGS = load_settings(Path(__file__).parents[2] / "practice.yml")
START = datetime(2026, 11, 24, 9, 0, tzinfo=SETTINGS.tz)  # dinsdag 24 november
NEW = datetime(2026, 11, 26, 14, 0, tzinfo=SETTINGS.tz)  # donderdag 26 november
PHONE = SETTINGS.practice.phone


def lead(start: datetime = START) -> Lead:
    return Lead(reference="K7M3QP", sender_id="s", channel="rest", name="Sanne de Vries",
                phone="+31612345678", kind="booking", status="nieuw", slot_start=start,
                slot_end=start + timedelta(minutes=20))


def found(status: Lookup = Lookup.FOUND):
    return lambda: ChangeLookup(status, None if status is Lookup.NOT_FOUND else lead())


def down():
    raise LeadsUnavailable


def never(*_):
    raise AssertionError("nothing may change")


def finish(action=change.CANCEL, *, blocked=False, confirmed=True, new_slot=None,
           lookup=None, cancel=never, move=never) -> change.Finish:
    return change.finish(action, blocked, confirmed, new_slot, lookup or found(), cancel, move,
                         SETTINGS)


def status(end: change.Finish) -> str:
    return end.reply.slots["change_status"]


def test_the_intent_chooses_cancel_or_move_and_old_answers_are_cleared() -> None:
    slots = change.start("reschedule_appointment")
    assert slots["change_action"] == change.MOVE and slots["change_reference"] is None
    assert slots["booking_slot"] is None and slots["change_status"] is None
    assert change.start("cancel_appointment")["change_action"] == change.CANCEL


def test_a_cancel_asks_no_new_time_and_a_blocked_change_asks_nothing() -> None:
    form = ["change_reference", "change_phone", "booking_slot", "change_confirm"]
    assert change.required_slots(form, change.MOVE, False) == form
    assert "booking_slot" not in change.required_slots(form, change.CANCEL, False)
    assert change.required_slots(form, change.MOVE, True) == []


def test_reference_is_normalised_or_explained_with_the_phone() -> None:
    assert change.reply_to_reference(" k7m 3qp ", PHONE).slots == {"change_reference": "K7M3QP"}
    wrong = change.reply_to_reference("12", PHONE)
    assert wrong.slots == {"change_reference": None} and PHONE in wrong.say


def test_phone_is_checked_together_with_the_code() -> None:
    def lookup(status):
        return lambda phone: ChangeLookup(status, lead())

    ok = change.reply_to_phone("06 12345678", "NL", lookup(Lookup.FOUND))
    assert ok.slots == {"change_phone": "+31612345678", "change_blocked": False}
    late = change.reply_to_phone("06 12345678", "NL", lookup(Lookup.TOO_LATE))
    assert late.slots["change_blocked"] is True and late.say is None
    missing = change.reply_to_phone("06 12345678", "NL", lambda phone: ChangeLookup(
        Lookup.NOT_FOUND))
    assert missing.slots == {"change_reference": None, "change_phone": None}
    assert "geen afspraak" in missing.say
    assert change.reply_to_phone("12345", "NL", never).slots == {"change_phone": None}


def test_database_down_while_checking_the_phone_ends_the_form() -> None:
    reply = change.reply_to_phone("06 12345678", "NL", lambda phone: down())
    assert reply.slots["change_blocked"] is True


def test_a_call_back_moment_cannot_move_a_booking() -> None:
    ended = change.reply_to_new_time(Reply({"booking_slot": CALLBACK, "booking_wish": "di"}))
    assert ended.slots == {"booking_slot": None, "change_blocked": True}
    chosen = Reply({"booking_slot": NEW.isoformat()})
    assert change.reply_to_new_time(chosen) is chosen


def test_the_confirm_question_names_both_times() -> None:
    text, buttons = change.confirm_question(change.MOVE, START, NEW.isoformat(), SETTINGS.tz)
    assert "van dinsdag 24 november om 09:00 naar donderdag 26 november om 14:00" in text
    assert [b.payload for b in buttons] == ["/affirm", "/deny"]
    cancel, _ = change.confirm_question(change.CANCEL, START, None, SETTINGS.tz)
    assert "op dinsdag 24 november om 09:00 annuleren" in cancel
    unknown, _ = change.confirm_question(change.CANCEL, None, None, SETTINGS.tz)
    assert unknown == "Wil je je kennismakingsgesprek annuleren?"


def test_cancel_tells_the_visitor_and_staff() -> None:
    cancelled = []
    end = finish(cancel=cancelled.append)
    assert [c.reference for c in cancelled] == ["K7M3QP"]
    assert status(end) == "done" and "is geannuleerd" in end.reply.say
    assert end.reply.buttons[0].payload == "/book_intro_call"
    assert end.staff_mail["Subject"] == "Kennismakingsgesprek geannuleerd: ref K7M3QP"
    assert end.reply.slots["change_reference"] is None  # nothing of the change stays


def test_move_tells_the_new_time_and_staff_the_old_one() -> None:
    end = finish(change.MOVE, new_slot=NEW.isoformat(), move=lambda old, start: lead(start))
    assert status(end) == "done" and "verzet naar donderdag 26 november om 14:00" in end.reply.say
    assert "Was:         di 24 nov 09:00" in end.staff_mail.get_content()


def test_a_taken_new_time_is_chosen_again() -> None:
    def taken(old, start):
        raise SlotTaken

    end = finish(change.MOVE, new_slot=NEW.isoformat(), move=taken)
    assert end.reply.slots == {"booking_slot": None, "change_confirm": None,
                               "change_status": "taken"}
    assert end.staff_mail is None


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"lookup": found(Lookup.TOO_LATE)}, "blocked"),
    ({"blocked": True, "lookup": found(Lookup.TOO_LATE)}, "blocked"),
    ({"lookup": down}, "unavailable"),
    ({"blocked": True}, "unavailable"),  # blocked without the cut-off: something was down
    ({"cancel": lambda lead: down()}, "unavailable"),
    ({"action": change.MOVE, "new_slot": NEW.isoformat(), "move": lambda *_: down()},
     "unavailable"),
    ({"action": change.MOVE, "new_slot": CALLBACK}, "unavailable"),
])
def test_when_the_chat_cannot_change_it_the_practice_number_is_given(kwargs, expected) -> None:
    end = finish(**kwargs)
    assert status(end) == expected and PHONE in end.reply.say and end.staff_mail is None


@pytest.mark.parametrize("kwargs", [{"confirmed": False},
                                    {"lookup": found(Lookup.NOT_FOUND)}])
def test_no_or_a_booking_gone_meanwhile_keeps_everything(kwargs) -> None:
    end = finish(**kwargs)
    assert status(end) == "kept" and "zoals hij is" in end.reply.say
