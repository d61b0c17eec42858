"""One step of the symptom check conversation, decided without Rasa.

The Rasa form asks one question at a time and keeps a single requested slot; this module
decides what each reply means: an answer, an answer it cannot place, a request to stop, or the
yes/no after "wil je stoppen?". Earlier answers are never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from burnout_assistant.questionnaire import Questionnaire, parse_answer

STOP_CONFIRM_INTENTS = frozenset({"affirm", "stop"})
SHORT_REPLY_WORDS = 4  # "een beetje", "heel vaak": answers, whatever the classifier thinks


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class CheckStep:
    """The state after one reply and what to say before the next question (if anything)."""

    answers: dict[str, int]
    stop_asked: bool = False
    finished: bool = False  # the form ends: complete, or paused at the visitor's request
    say: str | None = None
    buttons: list[Button] = field(default_factory=list)
    respond: str | None = None  # a domain response to send, e.g. a faq answer


def handle_reply(
    questionnaire: Questionnaire,
    answers: dict[str, int],
    text: str,
    intent: str | None,
    stop_asked: bool = False,
    faq_topic: str | None = None,
) -> CheckStep:
    """Apply one visitor reply to the check.

    ``faq_topic`` is the response selector's key (``faq/cortisol``) when the classifier took
    the reply for a question: a real question is answered and the same check question follows,
    but a short reply that reads as an answer ("een beetje") stays an answer.
    """
    answers = dict(answers)
    messages = questionnaire.messages
    if stop_asked and intent in STOP_CONFIRM_INTENTS:
        return CheckStep(answers, finished=True)
    if stop_asked and intent == "deny":
        return CheckStep(answers)
    if intent == "stop" and not stop_asked:
        return CheckStep(
            answers,
            stop_asked=True,
            say=messages.stop_question,
            buttons=[Button(messages.stop_yes, "/affirm"), Button(messages.stop_no, "/deny")],
        )
    question = questionnaire.next_question(answers)
    if question is None:
        return CheckStep(answers, finished=True)
    option = parse_answer(questionnaire, question, text)
    if faq_topic and (option is None or not is_short_reply(text)):
        return CheckStep(answers, respond=f"utter_{faq_topic}")
    if option is None:
        return CheckStep(answers, say=messages.not_understood)
    answers[question.id] = option.value
    return CheckStep(answers, finished=questionnaire.next_question(answers) is None)


def is_short_reply(text: str) -> bool:
    """A few words and no question mark: the shape of an answer, not of a question."""
    return "?" not in text and len(text.split()) <= SHORT_REPLY_WORDS


def question_prompt(
    questionnaire: Questionnaire, answers: dict[str, int]
) -> tuple[str, list[Button]]:
    """The next question with its number and one button per option."""
    question = questionnaire.next_question(answers)
    if question is None:
        raise ValueError("the check is complete; there is no next question")
    prefix = questionnaire.messages.question_prefix.format(
        number=questionnaire.position(question), total=len(questionnaire.questions)
    )
    buttons = [Button(o.label, o.label) for o in questionnaire.options(question)]
    return f"{prefix} {question.text}", buttons


def is_in_progress(questionnaire: Questionnaire, answers: dict[str, int] | None) -> bool:
    """Started and not finished: "ga verder" resumes rather than starting over."""
    return bool(answers) and questionnaire.next_question(answers) is not None
