"""One reply at a time: answers kept, unplaceable answers re-asked, stop asked and confirmed."""

from pathlib import Path

from burnout_assistant.check.questionnaire import load_questionnaire
from burnout_assistant.dialogue.check_flow import (
    FIX_PAYLOAD,
    handle_reply,
    is_in_progress,
    question_prompt,
)

Q = load_questionnaire(Path(__file__).parents[2] / "questionnaire.yml")


def test_an_answer_is_stored_and_the_next_question_follows() -> None:
    step = handle_reply(Q, {}, "heel vaak", "inform")
    assert step.answers == {"vermoeidheid": 3} and not step.finished and step.say is None
    text, buttons = question_prompt(Q, step.answers)
    assert text.startswith("Vraag 2 van 11:") and "uitgerust" in text
    assert buttons[0].title == "Nooit"


def test_a_typed_answer_is_echoed_with_a_one_tap_fix_and_a_click_is_not() -> None:
    typed = handle_reply(Q, {}, "ja heel vaak eigenlijk", "inform")
    assert typed.noted == "vaak"
    text, buttons = question_prompt(Q, typed.answers, typed.noted)
    assert text.startswith("Genoteerd: vaak. Vraag 2 van 11:")
    assert buttons[-1].payload == FIX_PAYLOAD
    clicked = handle_reply(Q, {}, "Vaak", "inform")
    assert clicked.noted is None and clicked.answers == typed.answers
    fixed = handle_reply(Q, typed.answers, "", None, fix_previous=True)
    assert fixed.answers == {} and fixed.say == Q.messages.fixing
    assert question_prompt(Q, fixed.answers)[0].startswith("Vraag 1 van 11:")


def test_an_answer_naming_complaints_is_an_answer_not_a_faq_question() -> None:
    answers = {q.id: 1 for q in Q.questions[:7]}
    step = handle_reply(Q, answers, "heel vaak, vooral hoofdpijn en buikpijn", "faq",
                        faq_topic="faq/lichamelijke_klachten")
    assert step.respond is None and step.answers["lichamelijk"] == 3


def test_unplaceable_answer_keeps_earlier_answers() -> None:
    step = handle_reply(Q, {"vermoeidheid": 3}, "pizza", "out_of_scope")
    assert step.answers == {"vermoeidheid": 3}
    assert step.say == Q.messages.not_understood and not step.finished


def test_stop_asks_first_then_yes_pauses() -> None:
    asked = handle_reply(Q, {"vermoeidheid": 3}, "stop", "stop")
    assert asked.stop_asked and asked.say == Q.messages.stop_question
    assert [b.payload for b in asked.buttons] == ["/affirm", "/deny"]
    paused = handle_reply(Q, asked.answers, "ja", "affirm", stop_asked=True)
    assert paused.finished and paused.answers == {"vermoeidheid": 3}
    assert is_in_progress(Q, paused.answers)


def test_stop_then_no_goes_on_at_the_same_question() -> None:
    step = handle_reply(Q, {"vermoeidheid": 3}, "nee", "deny", stop_asked=True)
    assert not step.finished and not step.stop_asked and step.answers == {"vermoeidheid": 3}


def test_an_answer_after_the_stop_question_counts_as_an_answer() -> None:
    step = handle_reply(Q, {"vermoeidheid": 3}, "soms", "inform", stop_asked=True)
    assert step.answers == {"vermoeidheid": 3, "uitgerust": 2} and not step.stop_asked


def test_the_last_answer_finishes_the_check() -> None:
    answers = {q.id: 1 for q in Q.questions[:-1]}
    step = handle_reply(Q, answers, "flink", "inform")
    assert step.finished and not is_in_progress(Q, step.answers)


def test_a_real_question_is_answered_and_the_check_question_follows() -> None:
    step = handle_reply(Q, {"vermoeidheid": 3}, "hoe vaak komt burn-out eigenlijk voor?", "faq",
                        faq_topic="faq/wat_is_burnout")
    assert step.respond == "utter_faq/wat_is_burnout"
    assert step.answers == {"vermoeidheid": 3} and not step.finished


def test_a_short_answer_stays_an_answer_even_if_classified_as_faq() -> None:
    step = handle_reply(Q, {}, "een beetje", "faq", faq_topic="faq/symptomen")
    assert step.respond is None and step.answers == {"vermoeidheid": 2}
    step = handle_reply(Q, {}, "heel vaak", "faq", faq_topic="faq/symptomen")
    assert step.respond is None and step.answers == {"vermoeidheid": 3}
