"""What issue 13 found when real people tried it, end to end over REST: a whole check typed in
free Dutch, a time wish in the opening message, names that are words, and English basics."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest

from burnout_assistant.check.questionnaire import current_questionnaire
from tests.server.replies import buttons, texts

pytestmark = pytest.mark.model
Q = current_questionnaire()

# A visitor with many complaints, typing, as the tester did (one answer per question, in order).
HEAVY_CHECK = [
    "eigenlijk altijd wel",                     # moe
    "ik ben eigenlijk nooit uitgerust",         # uitgerust (asked positively)
    "bijna elke nacht wel",                     # slecht slapen
    "vaak, ik ontplof om niks",                 # geïrriteerd
    "heel vaak, ik lees alles drie keer",       # concentreren
    "vaak ja, vooral s ochtends",               # somber
    "bijna altijd",                             # minder aankunnen
    "heel vaak, vooral hoofdpijn en buikpijn",  # lichamelijk
    "ontspannen lukt me bijna nooit",           # ontspannen (asked positively)
    "al een jaar of twee",                      # duur
    "ik kan niet meer werken",                  # impact
]


def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_a_heavy_check_typed_in_free_dutch_gets_the_high_band_and_huisarts(servers) -> None:
    assert len(HEAVY_CHECK) == len(Q.questions)
    sender = _sender("typed")
    intro = texts(servers.send(sender, "/start_symptom_check"))
    assert "huisarts" in intro and "bedrijfsarts" in intro
    for number, answer in enumerate(HEAVY_CHECK, start=1):
        replies = servers.send(sender, answer)
        assert Q.messages.not_understood not in texts(replies), (answer, texts(replies))
        if number < len(Q.questions):
            assert f"Vraag {number + 1} van" in texts(replies), (answer, texts(replies))
            assert texts(replies).startswith("Genoteerd: ")  # typed, so echoed
            assert buttons(replies)[-1]["title"] == Q.messages.fix_button
    result = texts(replies)
    assert "Je uitkomst: veel klachten." in result, result
    assert "huisarts" in result and "geen diagnose" in result
    assert "113" in result  # somber "vaak": the gentle 113 line, whatever the total


def test_the_fix_button_asks_the_last_question_again(servers) -> None:
    sender = _sender("fix")
    servers.send(sender, "/start_symptom_check")
    noted = servers.send(sender, "niet zo vaak")
    assert texts(noted).startswith("Genoteerd: zelden.")
    again = servers.send(sender, buttons(noted)[-1]["payload"])
    assert Q.messages.fixing in texts(again) and "Vraag 1 van" in texts(again)
    clicked = servers.send(sender, "Vaak")
    assert "Genoteerd" not in texts(clicked) and "Vraag 2 van" in texts(clicked)


def _offered(replies: list[dict]) -> list[datetime]:
    starts = []
    for button in buttons(replies):
        if button["payload"].startswith("/inform{"):
            choice = json.loads(button["payload"][len("/inform"):]).get("slot_choice")
            if choice and choice != "ander":
                starts.append(datetime.fromisoformat(choice))
    return starts


def test_a_time_wish_in_the_opening_message_shapes_the_first_offer(servers) -> None:
    replies = servers.send(_sender("wish"), "kunnen jullie me volgende week dinsdagmiddag "
                                            "bellen voor een kennismaking?")
    starts = _offered(replies)
    assert starts, texts(replies)
    assert all(s.weekday() == 1 and s.hour >= 12 for s in starts), starts
    assert "dichtst bij je wens" in texts(replies)


@pytest.mark.parametrize("name", ["Daan Stoppels", "Tom Test", "ik ben Sanne de Moed",
                                  "Annelies de Rust"])
def test_a_name_that_is_also_a_word_stays_in_the_booking(servers, name: str) -> None:
    sender = _sender("name")
    offer = servers.send(sender, "/book_intro_call")
    servers.send(sender, buttons(offer)[0]["payload"])
    asked = servers.send(sender, name)
    assert "telefoonnummer" in texts(asked).lower(), texts(asked)
    servers.send(sender, "06 12345678")
    servers.send(sender, "geen")
    summary = texts(servers.send(sender, "/affirm"))
    assert "Klopt dit?" in summary and name.removeprefix("ik ben ") in summary


def test_a_clear_stop_still_leaves_the_booking(servers) -> None:
    sender = _sender("stop")
    offer = servers.send(sender, "/book_intro_call")
    servers.send(sender, buttons(offer)[0]["payload"])
    stopped = texts(servers.send(sender, "ik wil stoppen"))
    assert "niets geboekt" in stopped


def test_an_english_erasure_request_is_answered_not_refused(servers) -> None:
    sender = _sender("en")
    servers.send(sender, "hallo")
    asked = servers.send(sender, "delete my data please")
    text = texts(asked)
    assert "Ik spreek alleen Nederlands" not in text
    assert "verwijder" in text and "I answer in Dutch" in text
    done = texts(servers.send(sender, "/affirm"))
    assert "verwijder" in done.lower(), done


@pytest.mark.parametrize(("message", "expected"), [
    ("are you a bot?", "digitale assistent"),
    ("can I talk to a real person please", "+31 20 123 4567"),
])
def test_english_basics_get_the_dutch_answer_with_one_english_line(
        servers, message: str, expected: str) -> None:
    text = texts(servers.send(_sender("en"), message))
    assert "I answer in Dutch" in text and expected in text, text


def test_a_time_wish_later_in_the_booking_brings_a_new_offer(servers) -> None:
    sender = _sender("later")
    offer = servers.send(sender, "/book_intro_call")
    servers.send(sender, buttons(offer)[0]["payload"])
    again = servers.send(sender, "liever donderdagmiddag eigenlijk")
    starts = _offered(again)
    assert starts and all(s.weekday() == 3 and s.hour >= 12 for s in starts), texts(again)


def test_the_last_answer_can_be_changed_under_the_result(servers) -> None:
    sender = _sender("last")
    replies = servers.send(sender, "/start_symptom_check")
    for _ in Q.questions[:-1]:
        replies = servers.send(sender, buttons(replies)[1]["payload"])  # clicked: no echo
    result = servers.send(sender, "ik kan niet meer werken")
    assert texts(result).startswith("Genoteerd: heel erg.") and "Je uitkomst" in texts(result)
    fix = next(b for b in buttons(result) if b["title"] == Q.messages.fix_button)
    again = servers.send(sender, fix["payload"])
    assert Q.messages.fixing in texts(again) and f"Vraag {len(Q.questions)} van" in texts(again)
    assert "Je uitkomst" in texts(servers.send(sender, "Een beetje"))
