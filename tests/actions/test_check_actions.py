"""The check's form validator on real rasa_sdk trackers: it reads the answer and asks the next
question in the same call, so an answer costs the Rasa server one action-server round trip."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.check import DONE, ValidateSymptomCheckForm
from burnout_assistant.check.questionnaire import current_questionnaire
from burnout_assistant.config_files import load_yaml
from burnout_assistant.names import CHECK_ANSWER, CHECK_ANSWERS, CHECK_NOTED, CHECK_STOP_ASKED

DOMAIN = load_yaml((Path(__file__).parents[2] / "domain.yml").read_text())
Q = current_questionnaire()
FORM = {"name": "symptom_check_form", "validate": True, "rejected": False}


def _tracker(answer: str | None, answers: dict, intent: str = "inform",
             active: bool = True, stop_asked: bool = False, before: str | None = None) -> Tracker:
    """As Rasa's form posts it: the slot candidate last, after the form's own action event;
    ``before`` is an action that ran between the visitor's message and the form."""
    slots = {CHECK_ANSWERS: answers, CHECK_STOP_ASKED: stop_asked, CHECK_NOTED: None,
             CHECK_ANSWER: None, "requested_slot": "check_answer"}
    events = [{"event": "user", "text": answer or "", "parse_data": {"intent": {"name": intent}}},
              *([{"event": "action", "name": before}] if before else []),
              {"event": "action", "name": "symptom_check_form"}]
    if answer is not None:
        events.append({"event": "slot", "name": CHECK_ANSWER, "value": answer})
        slots[CHECK_ANSWER] = answer
    latest = {"intent": {"name": intent}, "text": answer or "", "entities": []}
    return Tracker("visitor", slots, latest, events, False, None, FORM if active else {},
                   "symptom_check_form")


def _run(tracker: Tracker) -> tuple[dict, list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateSymptomCheckForm().run(dispatcher, tracker, DOMAIN))
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher.messages


def test_a_typed_answer_is_noted_and_the_next_question_asked_in_the_same_call() -> None:
    slots, said = _run(_tracker("heel vaak", {}))
    first = Q.questions[0].id
    assert slots[CHECK_ANSWERS] == {first: 3}
    assert len(said) == 1
    text = said[0]["text"]
    assert text.startswith("Genoteerd: vaak.") and "Vraag 2 van 11" in text
    assert said[0]["buttons"][-1]["payload"] == '/inform{"check_fix":"vorige"}'
    assert slots[CHECK_NOTED] is None  # the echo went out with this question


def test_a_clicked_answer_gets_the_next_question_without_an_echo() -> None:
    label = Q.options(Q.questions[0])[1].label
    slots, said = _run(_tracker(label, {}))
    assert [m["text"] for m in said] == [f"Vraag 2 van 11: {Q.questions[1].text}"]
    assert CHECK_NOTED not in slots or slots[CHECK_NOTED] is None


def test_at_activation_the_first_question_is_asked_once_and_the_form_told_it_ran() -> None:
    slots, said = _run(_tracker(None, {}, intent="start_symptom_check", active=False,
                                before="action_start_check"))
    assert [m["text"] for m in said] == [f"Vraag 1 van 11: {Q.questions[0].text}"]
    assert CHECK_NOTED in slots  # an event: Rasa's form then skips a second validation call


def test_back_after_an_interruption_the_open_question_is_asked_again() -> None:
    answers = {Q.questions[0].id: 2, Q.questions[1].id: 1}
    _, said = _run(_tracker(None, answers, intent="bot_challenge", before="utter_iamabot"))
    assert [m["text"] for m in said] == [f"Vraag 3 van 11: {Q.questions[2].text}"]


def test_a_message_that_is_no_answer_gets_nothing_so_the_form_rejects_it() -> None:
    """A crisis mid-check: nothing extracted, no events, so Rasa's rules answer it."""
    events_and_said = _run(_tracker(None, {Q.questions[0].id: 2}, intent="crisis"))
    assert events_and_said == ({}, [])


def test_stop_asks_first_and_no_question_follows() -> None:
    slots, said = _run(_tracker("stop", {Q.questions[0].id: 2}, intent="stop"))
    assert slots[CHECK_STOP_ASKED] is True
    assert [m["text"] for m in said] == [Q.messages.stop_question]


def test_the_last_answer_ends_the_form_without_a_question() -> None:
    answers = {q.id: 1 for q in Q.questions[:-1]}
    slots, said = _run(_tracker("flink", answers))
    assert slots[CHECK_ANSWER] == DONE
    assert not any("Vraag" in (m.get("text") or "") for m in said)
    assert slots[CHECK_NOTED] == "flink"  # echoed with the result by action_check_result


def test_an_answer_not_understood_is_said_and_the_same_question_asked_again() -> None:
    _, said = _run(_tracker("pizza margherita", {Q.questions[0].id: 2}))
    texts = [m["text"] for m in said]
    assert texts[0] == Q.messages.not_understood
    assert texts[-1] == f"Vraag 2 van 11: {Q.questions[1].text}"
