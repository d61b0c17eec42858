"""The symptom check end to end over REST: buttons, typing, stop and resume, crisis."""

from __future__ import annotations

import uuid

import pytest

from burnout_assistant.check.questionnaire import current_questionnaire
from tests.server.replies import buttons, texts

pytestmark = pytest.mark.model
Q = current_questionnaire()


def test_check_by_clicking_buttons_gives_an_honest_result(servers) -> None:
    sender = f"check-{uuid.uuid4().hex[:8]}"
    replies = servers.send(sender, "/start_symptom_check")
    assert "geen diagnose" in texts(replies)  # the intro says what it is
    assert Q.messages.not_understood not in texts(replies)
    for number in range(1, len(Q.questions) + 1):
        assert f"Vraag {number} van {len(Q.questions)}" in texts(replies)
        choices = buttons(replies)
        assert choices, texts(replies)
        replies = servers.send(sender, choices[-1]["payload"])  # the heaviest answer each time
    result = texts(replies)
    assert "geen diagnose" in result and "huisarts" in result
    assert "uitgeput" in result  # the "hoog" band text
    assert any(b["payload"] == "/book_intro_call" for b in buttons(replies))


def test_check_by_typing_with_a_question_and_a_bad_answer_in_between(servers) -> None:
    sender = f"check-{uuid.uuid4().hex[:8]}"
    servers.send(sender, "kan ik de korte check doen?")
    servers.send(sender, "heel vaak")
    confused = servers.send(sender, "pizza margherita")
    assert Q.messages.not_understood in texts(confused)
    assert "Vraag 2 van" in texts(confused)  # same question again, with its buttons
    faq = servers.send(sender, "wat doet cortisol eigenlijk?")
    assert "cortisol" in texts(faq).lower() and "Vraag 2 van" in texts(faq)
    for answer in ["bijna nooit", "eigenlijk altijd wel", "dikwijls", "af en toe", "nooit",
                   "soms", "zelden", "vaak", "3 weken", "een beetje"]:
        replies = servers.send(sender, answer)
    result = texts(replies)
    assert "geen diagnose" in result and "Wat eruit sprong" in result


def test_stop_asks_then_pauses_and_ga_verder_resumes(servers) -> None:
    sender = f"check-{uuid.uuid4().hex[:8]}"
    servers.send(sender, "/start_symptom_check")
    servers.send(sender, "vaak")
    asked = servers.send(sender, "stop")
    assert Q.messages.stop_question in texts(asked)
    assert "Vraag" not in texts(asked)
    paused = servers.send(sender, "/affirm")
    assert Q.messages.paused in texts(paused)
    resumed = servers.send(sender, "ga verder")
    assert Q.messages.resumed in texts(resumed) and "Vraag 2 van" in texts(resumed)


def test_crisis_in_the_middle_of_the_check(servers) -> None:
    sender = f"check-{uuid.uuid4().hex[:8]}"
    servers.send(sender, "/start_symptom_check")
    servers.send(sender, "vaak")
    crisis = texts(servers.send(sender, "ik heb al mijn pillen gespaard"))
    assert "113" in crisis and "112" in crisis and "Vraag" not in crisis
