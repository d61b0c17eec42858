"""The booking conversation's replies: what is kept and what is said, without Rasa."""

from datetime import datetime
from pathlib import Path

from burnout_assistant.booking.appointments import BookingOutcome, BookingStatus, Offer
from burnout_assistant.booking.slots import Slot
from burnout_assistant.dialogue import booking_dialogue as dialogue
from burnout_assistant.settings import load_settings

SETTINGS = load_settings(Path(__file__).parents[2] / "practice.yml")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=SETTINGS.tz)
SLOT = Slot(datetime(2026, 11, 24, 9, 0, tzinfo=SETTINGS.tz),
            datetime(2026, 11, 24, 9, 20, tzinfo=SETTINGS.tz))


def test_offer_has_three_slots_and_another_moment() -> None:
    reply = dialogue.ask_for_slot(Offer([SLOT, SLOT, SLOT], True), SETTINGS)
    titles = [b.title for b in reply.buttons]
    assert titles == ["di 24 nov 09:00"] * 3 + ["Ander moment"]
    assert reply.slots["booking_mode"] == "agenda"


def test_calendar_down_asks_for_a_call_back_moment() -> None:
    reply = dialogue.ask_for_slot(Offer([], False), SETTINGS)
    assert reply.slots == {"booking_mode": dialogue.CALLBACK} and "niet inzien" in reply.say


def test_clicked_slot_is_kept_as_iso() -> None:
    reply = dialogue.reply_to_slot(SLOT.start.isoformat(), "agenda", NOW, SETTINGS, None)
    assert reply.slots == {"booking_slot": SLOT.start.isoformat()} and reply.say is None


def test_typed_wish_offers_nearby_slots_and_silences_the_form() -> None:
    reply = dialogue.reply_to_slot("dinsdagochtend", "agenda", NOW, SETTINGS,
                                   lambda wish: Offer([SLOT], True))
    assert reply.slots["booking_slot"] is None and reply.slots["booking_mode"] == dialogue.ASKED
    assert reply.buttons[0].title == "di 24 nov 09:00"


def test_unclear_moment_is_asked_again() -> None:
    reply = dialogue.reply_to_slot("pizza", "agenda", NOW, SETTINGS, None)
    assert reply.slots == {"booking_slot": None} and "begreep ik niet" in reply.say


def test_call_back_mode_keeps_the_wish_as_understood_never_the_words() -> None:
    reply = dialogue.reply_to_slot("na 3 uur graag", dialogue.CALLBACK, NOW, SETTINGS, None)
    assert reply.slots == {"booking_slot": dialogue.CALLBACK, "booking_wish": "na 15:00"}
    # health details typed with a wish never reach the lead or a mail
    told = dialogue.reply_to_slot("ik ben zo op en angstig, dinsdag na 3 uur",
                                  dialogue.CALLBACK, NOW, SETTINGS, None)
    assert "angstig" not in told.slots["booking_wish"] and "15:00" in told.slots["booking_wish"]
    unknown = dialogue.reply_to_slot("pizza", dialogue.CALLBACK, NOW, SETTINGS, None)
    assert unknown.slots == {"booking_slot": None} and unknown.say


def test_phone_name_email_replies() -> None:
    assert dialogue.reply_to_phone("06 12345678").slots == {"contact_phone": "+31612345678"}
    assert dialogue.reply_to_phone("12345").slots == {"contact_phone": None}
    name = dialogue.reply_to_name("ik ben sanne de vries")
    assert name.slots == {"contact_name": "Sanne de Vries"}
    assert dialogue.reply_to_email("liever niet").slots == {"contact_email": dialogue.NO_EMAIL}
    assert dialogue.reply_to_email("jan@").slots == {"contact_email": None}


def test_consent_names_exactly_what_is_kept_how_long_and_who_sees_it() -> None:
    text, _ = dialogue.consent_question(False, False, "Praktijk X", "een jaar")
    assert "e-mail" not in text and "check" not in text and "onderwerpen" not in text
    text, buttons = dialogue.consent_question(True, True, "Praktijk X", "een jaar")
    assert "e-mailadres" in text and "onderwerpen waar je naar vroeg" in text
    assert "tijdswens" in text and "dit gesprek" in text and "een jaar" in text
    assert "medewerkers van Praktijk X" in text
    assert "check" not in text  # sharing the check answers is its own yes or no
    assert [b.payload for b in buttons] == ["/affirm", "/deny"]


def test_a_name_or_email_that_is_no_answer_gets_a_note_not_a_second_question() -> None:
    # the form asks again with utter_ask_*; a question here would be asked twice
    for reply in (dialogue.reply_to_name("weet ik niet"), dialogue.reply_to_email("jan@")):
        assert reply.say and "?" not in reply.say and reply.buttons == []


def test_share_and_confirm_are_asked_only_when_they_mean_something() -> None:
    form = ["booking_slot", "contact_name", "booking_consent", "share_check", "booking_confirm"]
    assert dialogue.required_slots(form, None, True) == form
    assert dialogue.required_slots(form, True, False) == [
        "booking_slot", "contact_name", "booking_consent", "booking_confirm"]
    assert dialogue.required_slots(form, False, True) == [
        "booking_slot", "contact_name", "booking_consent"]


def test_declined_booking_says_what_happens_and_offers_the_phone() -> None:
    refused, buttons = dialogue.declined_message(True, SETTINGS)
    assert "niets naar de praktijk" in refused and "30 dagen vanzelf gewist" in refused
    said_no, _ = dialogue.declined_message(False, SETTINGS)
    assert "niets geboekt" in said_no and "gewist" not in said_no
    assert SETTINGS.practice.phone in said_no and buttons[0].payload == "/book_intro_call"


def test_booked_message_gives_day_time_phone_and_reference() -> None:
    class Lead:  # the fields outcome_message reads
        reference = "K7M3QP"
        slot_start = SLOT.start

    text, _ = dialogue.outcome_message(BookingOutcome(BookingStatus.BOOKED, Lead()),
                                       "+31612345678", SETTINGS)
    assert "dinsdag 24 november om 09:00" in text and "06 12345678" in text
    assert "K7M3QP" in text and SETTINGS.practice.phone in text


def test_unavailable_message_says_nothing_was_stored() -> None:
    text, _ = dialogue.outcome_message(BookingOutcome(BookingStatus.UNAVAILABLE), "+31612345678",
                                       SETTINGS)
    assert "niets vastgelegd" in text and SETTINGS.practice.phone in text


def test_a_slot_button_value_is_told_from_typed_text() -> None:
    assert dialogue.is_slot_choice(SLOT.start.isoformat())
    assert dialogue.is_slot_choice(dialogue.OTHER_MOMENT)
    for typed in ["20 uur graag", "anders liever dinsdag", "donderdagmiddag", "2026"]:
        assert not dialogue.is_slot_choice(typed), typed
