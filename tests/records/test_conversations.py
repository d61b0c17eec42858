"""Reading conversations from a tracker store shaped like Rasa's (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml

from burnout_assistant.records.conversations import (
    ASSISTANT,
    PLACEHOLDER_INTENT,
    VISITOR,
    ConversationStore,
    Miss,
    candidate_examples_yaml,
)
from tests.records.tracker_rows import TrackerDB

AMS = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc
GREETING = [("Wat is burn-out?", "Wat is burn-out?"),
            ("Doe de korte check", "/start_symptom_check"),
            ("Plan een gratis kennismaking", "/book_intro_call"),
            ("Ik heb een andere vraag", '/inform{"menu":"vragen"}')]
ANSWERS = [("Nooit", "Nooit"), ("(Bijna) altijd", "(Bijna) altijd")]


@pytest.fixture
def tracker(database_url: str) -> Iterator[TrackerDB]:
    db = TrackerDB(database_url)
    yield db
    db.dispose()


@pytest.fixture
def conversations(tracker: TrackerDB) -> Iterator[ConversationStore]:
    store = ConversationStore(tracker.url, AMS)
    yield store
    store.dispose()


def test_transcript_shows_clicked_buttons_by_title(tracker, conversations) -> None:
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    (tracker.conversation("visitor-1", start)
     .user("hoi", "greet").action("utter_greet").bot("Hoi, welkom.", GREETING).listen()
     .user('/inform{"menu":"vragen"}', "inform", 1.0)
     .bot("Waar gaat je vraag over?", [("Kosten", "Wat kost het?")]).listen()
     .user("wat doet cortisol eigenlijk?", "faq", 1.0, faq="cortisol")
     .bot("Cortisol is een stresshormoon.").listen()
     .user("/start_symptom_check", "start_symptom_check", 1.0)  # an old button: no title
     .bot("Vraag 1 van 10: Hoe vaak ben je moe?", ANSWERS).listen()
     .user("vaak", "inform", selector="faq/tekorten")
     .bot("Op welk telefoonnummer kunnen we je bellen?", custom={"input": "phone"})
     .bot(None, custom={"input": "phone"}))  # a hint without words is no line
    tracker.conversation("someone-else", start).user("hallo", "greet").bot("Hoi!")

    turns = conversations.transcript("visitor-1")

    assert [(t.who, t.text) for t in turns] == [
        (VISITOR, "hoi"), (ASSISTANT, "Hoi, welkom."),
        (VISITOR, "Ik heb een andere vraag"), (ASSISTANT, "Waar gaat je vraag over?"),
        (VISITOR, "wat doet cortisol eigenlijk?"), (ASSISTANT, "Cortisol is een stresshormoon."),
        (VISITOR, "/start_symptom_check"), (ASSISTANT, "Vraag 1 van 10: Hoe vaak ben je moe?"),
        (VISITOR, "vaak"), (ASSISTANT, "Op welk telefoonnummer kunnen we je bellen?"),
    ]
    assert turns[1].buttons == tuple(title for title, _ in GREETING)
    assert turns[0].buttons == ()
    assert [t.intent for t in turns if t.who == VISITOR] == [
        "greet", "inform", "faq/cortisol", "start_symptom_check", "inform"]
    assert all(t.intent is None for t in turns if t.who == ASSISTANT)
    assert turns[0].at.tzinfo is not None
    assert start < turns[0].at < turns[-1].at < start + timedelta(seconds=5)


def test_unknown_conversation_and_empty_store(tracker, conversations, tmp_path) -> None:
    assert conversations.transcript("nobody") == []
    assert conversations.topics("nobody") == []
    missing = tmp_path / "not-there.db"
    empty = ConversationStore(f"sqlite:///{missing}", AMS)
    now = datetime(2025, 3, 5, tzinfo=UTC)
    assert empty.transcript("x") == [] and empty.not_understood(now) == []
    assert [w.conversations for w in empty.weekly_funnel(2, now)] == [0, 0]
    assert not missing.exists()  # reading creates no database file
    empty.dispose()


def test_topics_are_faq_questions_only_in_order_once(tracker, conversations) -> None:
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    (tracker.conversation("asks", start)
     .user("vaak", "inform", selector="faq/tekorten")  # the selector always names a key
     .user("wat doet cortisol?", "faq", faq="cortisol")
     .user("hoe lang duurt herstel?", "faq", faq="herstelduur")
     .user("en cortisol nog eens?", "faq", faq="cortisol"))
    tracker.conversation("other", start).user("magnesium?", "faq", faq="magnesium")
    assert conversations.topics("asks") == ["cortisol", "herstelduur"]


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
    loaded = yaml.safe_load(document)
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
    loaded = yaml.safe_load(candidate_examples_yaml([]))
    assert loaded["nlu"][0]["examples"] == ""


def test_retention_deletes_idle_conversations_except_kept(tracker, conversations) -> None:
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    tracker.conversation("idle", now - timedelta(days=40)).user("hoi", "greet")
    tracker.conversation("kept", now - timedelta(days=40)).user("hoi", "greet")
    tracker.conversation("recent", now - timedelta(days=3)).user("hoi", "greet")
    (tracker.conversation("came-back", now - timedelta(days=90)).user("hoi", "greet")
     .at(now - timedelta(days=1)).user("daar ben ik weer", "greet"))
    assert conversations.idle_senders(30, now) == ["idle", "kept"]
    assert conversations.delete_older_than(30, {"kept"}, now) == 1
    assert tracker.senders() == {"kept", "recent", "came-back"}
    assert conversations.transcript("idle") == []
    assert conversations.delete_older_than(30, {"kept"}, now) == 0
    assert conversations.known_senders({"kept", "idle", "x"}) == {"kept"}
    assert conversations.delete_conversations(["kept", "x"]) == 1
    assert tracker.senders() == {"recent", "came-back"}


def test_a_conversation_that_wakes_up_is_not_deleted(tracker, conversations) -> None:
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    conversation = tracker.conversation("sleepy", now - timedelta(days=40)).user("hoi", "greet")
    assert conversations.idle_senders(30, now) == ["sleepy"]
    conversation.at(now - timedelta(minutes=1)).user("hallo?", "greet")  # between check and delete
    assert conversations.delete_conversations(["sleepy"], idle_before=now - timedelta(days=30)) == 0
    assert tracker.senders() == {"sleepy"}


def test_from_endpoints_reads_the_sql_tracker_store(tmp_path) -> None:
    db = TrackerDB(f"sqlite:///{tmp_path / 'tracker.db'}")
    db.conversation("from-endpoints", datetime(2025, 3, 3, tzinfo=UTC)).user("hoi", "greet")
    db.dispose()
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n'
                         f'  db: "{tmp_path}/tracker.db"\n')
    store = ConversationStore.from_endpoints(endpoints, AMS)
    assert store is not None
    assert [t.text for t in store.transcript("from-endpoints")] == ["hoi"]
    store.dispose()
    endpoints.write_text('action_endpoint:\n  url: "http://127.0.0.1:5055/webhook"\n')
    assert ConversationStore.from_endpoints(endpoints, AMS) is None  # Rasa's in-memory default


def test_safety_moments_per_week_and_per_conversation(tracker, conversations) -> None:
    (tracker.conversation("asked-then-answered", _local(2024, 11, 4, 10, 0))
     .user("ik wil gewoon heel lang slapen", "crisis").action("utter_crisis_check").listen()
     .user("ja", "affirm").action("utter_crisis").listen()
     .user("ik wil niet meer", "crisis").action("utter_crisis").listen())
    (tracker.conversation("asked-only", _local(2024, 11, 5, 10, 0))
     .user("het mag ophouden", "crisis").action("utter_crisis_check").listen()
     .user("nee", "deny").action("utter_crisis_check_no"))
    tracker.conversation("calm", _local(2024, 11, 5, 11, 0)).user("kosten?", "faq", faq="kosten")

    [week] = conversations.weekly_funnel(1, _local(2024, 11, 6, 12, 0))

    assert (week.conversations, week.crisis_answered, week.crisis_asked) == (3, 1, 2)
    assert conversations.safety_moments("asked-then-answered") == (2, 1)
    assert conversations.safety_moments("asked-only") == (0, 1)
    assert conversations.safety_moments("calm") == (0, 0)


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
