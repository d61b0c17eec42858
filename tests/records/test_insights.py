"""Counts over all conversations in a tracker store shaped like Rasa's (SQLite and PostgreSQL):
the weekly funnel, the topics asked most, what the assistant missed, and the examples file."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from burnout_assistant.config_files import load_yaml
from burnout_assistant.records.insights import PLACEHOLDER_INTENT, Miss, candidate_examples_yaml

AMS = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc


def test_top_faq_topics_counts_questions_since(tracker, conversations) -> None:
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    (tracker.conversation("a", start - timedelta(days=30))
     .user("cortisol?", "faq", faq="cortisol"))  # before `since`
    (tracker.conversation("b", start).user("cortisol?", "faq", faq="cortisol")
     .user("magnesium?", "faq", faq="magnesium").user("vaak", "inform"))
    (tracker.conversation("c", start).user("magnesium?", "faq", faq="magnesium")
     .user("kosten?", "faq", faq="kosten").user("nog eens magnesium", "faq", faq="magnesium"))
    since = start - timedelta(days=1)
    assert conversations.top_faq_topics(since) == [("magnesium", 3), ("cortisol", 1),
                                                   ("kosten", 1)]
    assert conversations.top_faq_topics(since, limit=2) == [("magnesium", 3), ("cortisol", 1)]
    assert conversations.top_faq_topics(start - timedelta(days=31))[1] == ("cortisol", 2)


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def test_weekly_funnel_counts_in_the_local_week_of_the_first_message(
        tracker, conversations) -> None:
    # Summer time ends Sunday 27 October 2024: Monday 00:30 in Amsterdam is Sunday in UTC.
    (tracker.conversation("sunday-late", _local(2024, 10, 27, 23, 30))
     .user("/start_symptom_check", "start_symptom_check", 1.0).loop("symptom_check_form")
     .user("vaak", "inform").loop(None).slot("check_band", "hoog")
     .at(_local(2024, 10, 28, 0, 10))  # books after midnight: still that conversation's week
     .user("/book_intro_call", "book_intro_call", 1.0).slot("booking_status", None)
     .loop("booking_form").loop(None).slot("booking_status", "booked"))
    (tracker.conversation("monday-early", _local(2024, 10, 28, 0, 30))
     .user("/start_symptom_check", "start_symptom_check", 1.0).slot("check_band", None)
     .loop("symptom_check_form").user("stop", "stop").loop(None)
     .user("/book_intro_call", "book_intro_call", 1.0).loop("booking_form")
     .slot("booking_status", "taken").loop(None).slot("booking_status", "declined"))
    (tracker.conversation("callback", _local(2024, 11, 5, 14, 0))
     .user("plan een gesprek", "book_intro_call").loop("booking_form").loop(None)
     .slot("booking_status", "callback"))
    tracker.conversation("faq-only", _local(2024, 11, 6, 9, 0)).user("kosten?", "faq", faq="kosten")
    tracker.conversation("opened-only", _local(2024, 11, 6, 9, 0))  # widget opened, no message
    (tracker.conversation("old-visitor", _local(2024, 10, 10, 12, 0)).user("hoi", "greet")
     .at(_local(2024, 11, 5, 10, 0)).user("/book_intro_call", "book_intro_call", 1.0)
     .loop("booking_form").loop(None).slot("booking_status", "booked"))
    now = _local(2024, 11, 6, 12, 0)

    weeks = conversations.weekly_funnel(5, now)

    assert [w.week_start for w in weeks] == [date(2024, 10, 7), date(2024, 10, 14),
                                             date(2024, 10, 21), date(2024, 10, 28),
                                             date(2024, 11, 4)]
    rows = [(w.conversations, w.check_started, w.check_done, w.booking_started, w.booked,
             w.callback_requested) for w in weeks]
    assert rows == [
        (1, 0, 0, 1, 1, 0),  # old-visitor: its later booking counts in its first week
        (0, 0, 0, 0, 0, 0),
        (1, 1, 1, 1, 1, 0),  # sunday-late
        (1, 1, 0, 1, 0, 0),  # monday-early: stopped the check, no booking
        (2, 0, 0, 1, 0, 1),  # callback, faq-only
    ]
    recent = conversations.weekly_funnel(3, now)
    assert [w.week_start for w in recent] == [w.week_start for w in weeks[2:]]
    assert [w.booked for w in recent] == [1, 0, 0]  # old-visitor's week is out of range


def test_weekly_funnel_in_spring_and_one_week(tracker, conversations) -> None:
    # Summer time starts Sunday 30 March 2025: Monday 00:30 is Sunday 22:30 UTC.
    tracker.conversation("a", _local(2025, 3, 31, 0, 30)).user("hoi", "greet")
    tracker.conversation("b", _local(2025, 3, 30, 23, 59)).user("hoi", "greet")
    weeks = conversations.weekly_funnel(1, _local(2025, 4, 6, 23, 59))
    assert [(w.week_start, w.conversations) for w in weeks] == [(date(2025, 3, 31), 1)]
    with pytest.raises(ValueError):
        conversations.weekly_funnel(0, _local(2025, 4, 6, 23, 59))


def test_not_understood_newest_first(tracker, conversations) -> None:
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    (tracker.conversation("one", start)
     .user("pizza margherita", "out_of_scope", 0.99).action("utter_out_of_scope")
     .user("wat doet cortisol?", "faq", 1.0, faq="cortisol").action("utter_faq")
     .at(start + timedelta(minutes=10))
     .user("blablabla", "greet", 0.41).action("action_fallback").slot("miss_reply", "rephrase")
     .user("", "nlu_fallback", 0.45).action("action_fallback"))  # empty: nothing to learn
    (tracker.conversation("two", start + timedelta(minutes=5))
     .user("Heel erg", "nlu_fallback", 0.45).action("symptom_check_form")
     .user("hallo", "greet", 0.99).action("utter_greet"))
    (tracker.conversation("three", start + timedelta(minutes=20))
     .action("action_fallback")  # no message before it in this conversation
     .user("oud nieuws", "out_of_scope", 0.9))
    (tracker.conversation("before", start - timedelta(days=2))
     .user("te oud", "out_of_scope", 0.9))

    misses = conversations.not_understood(start - timedelta(hours=1))

    assert [(m.text, m.intent) for m in misses] == [
        ("oud nieuws", "out_of_scope"), ("blablabla", "greet"),
        ("Heel erg", "nlu_fallback"), ("pizza margherita", "out_of_scope")]
    assert misses[1].confidence == pytest.approx(0.41)
    assert misses[0].at > misses[1].at > misses[2].at > misses[3].at
    assert all(m.at.tzinfo is not None for m in misses)
    assert [m.text for m in conversations.not_understood(start, limit=2)] == [
        "oud nieuws", "blablabla"]
    assert [m.text for m in conversations.not_understood(start + timedelta(minutes=15))] == [
        "oud nieuws"]


def test_candidate_examples_round_trip() -> None:
    at = datetime(2025, 3, 3, tzinfo=UTC)
    texts = ["pizza margherita", "Pizza  Margherita", 'zeg eens: "wat" # is dit?',
             "- begint met een streep", "twee\nregels", "één 🙂 emoji", "'enkel'", "/affirm",
             "   ", "yes", "null", "{niet: json}", "bel\x07letje"]
    document = candidate_examples_yaml([Miss(at, t, "out_of_scope", 0.9) for t in texts])

    assert document.startswith("#") and "verplaats" in document.lower()
    loaded = load_yaml(document)
    assert loaded["version"] == "3.1"
    assert [entry["intent"] for entry in loaded["nlu"]] == [PLACEHOLDER_INTENT]
    lines = loaded["nlu"][0]["examples"].splitlines()
    expected = ["pizza margherita", 'zeg eens: "wat" # is dit?', "- begint met een streep",
                "twee regels", "één 🙂 emoji", "'enkel'", "yes", "null", "{niet: json}",
                "belletje"]
    assert lines == [f"- {text}" for text in expected]
    assert "examples: |" in document  # a block staff can read and edit, not one long string

    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    training = RasaYAMLReader().reads(document)
    assert [m.get("text") for m in training.intent_examples] == expected
    assert {m.get("intent") for m in training.intent_examples} == {PLACEHOLDER_INTENT}


def test_candidate_examples_of_nothing_is_still_valid() -> None:
    loaded = load_yaml(candidate_examples_yaml([]))
    assert loaded["nlu"][0]["examples"] == ""


def test_answers_a_form_accepted_are_never_listed_as_not_understood(
        tracker, conversations) -> None:
    start = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    (tracker.conversation("form", start)
     .user("Daan Stoppels", "nlu_fallback", 0.4).slot("contact_name", "Daan Stoppels")
     .action("booking_form")
     .user("06 12345678", "out_of_scope", 0.6).slot("contact_phone", "+31612345678")
     .user("K7M3QP", "nlu_fallback", 0.3).slot("change_reference", "K7M3QP")
     .user("bijna elke nacht wel", "nlu_fallback", 0.4).slot("check_answers", {"slaap": 4})
     .user("pizza", "nlu_fallback", 0.4).slot("check_answers", {"slaap": 4})  # not placed
     .user("xyz", "nlu_fallback", 0.3).slot("contact_email", None))  # asked again
    texts = [m.text for m in conversations.not_understood(start - timedelta(hours=1))]
    assert texts == ["xyz", "pizza"]
