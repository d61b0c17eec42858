"""One conversation read back from a tracker store shaped like Rasa's (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from burnout_assistant.records.conversations import ASSISTANT, VISITOR, ConversationStore
from tests.records.tracker_rows import TrackerDB

AMS = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc
GREETING = [("Wat is burn-out?", "Wat is burn-out?"),
            ("Doe de korte check", "/start_symptom_check"),
            ("Plan een gratis kennismaking", "/book_intro_call"),
            ("Ik heb een andere vraag", '/inform{"menu":"vragen"}')]
ANSWERS = [("Nooit", "Nooit"), ("(Bijna) altijd", "(Bijna) altijd")]


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
    (tracker.conversation("asked-then-answered", datetime(2024, 11, 4, 10, 0, tzinfo=AMS))
     .user("ik wil gewoon heel lang slapen", "crisis").action("utter_crisis_check").listen()
     .user("ja", "affirm").action("utter_crisis").listen()
     .user("ik wil niet meer", "crisis").action("utter_crisis").listen())
    (tracker.conversation("asked-only", datetime(2024, 11, 5, 10, 0, tzinfo=AMS))
     .user("het mag ophouden", "crisis").action("utter_crisis_check").listen()
     .user("nee", "deny").action("utter_crisis_check_no"))
    calm = datetime(2024, 11, 5, 11, 0, tzinfo=AMS)
    tracker.conversation("calm", calm).user("kosten?", "faq", faq="kosten")

    [week] = conversations.weekly_funnel(1, datetime(2024, 11, 6, 12, 0, tzinfo=AMS))

    assert (week.conversations, week.crisis_answered, week.crisis_asked) == (3, 1, 2)
    assert conversations.safety_moments("asked-then-answered") == (2, 1)
    assert conversations.safety_moments("asked-only") == (0, 1)
    assert conversations.safety_moments("calm") == (0, 0)
