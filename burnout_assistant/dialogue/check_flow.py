"""One step of the symptom check conversation, decided without Rasa.

The Rasa form asks one question at a time and keeps a single requested slot; this module
decides what each reply means: an answer, an answer it cannot place, a request to stop, or the
yes/no after "wil je stoppen?". Earlier answers are never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from burnout_assistant.check.questionnaire import Questionnaire, is_clicked, parse_answer

STOP_CONFIRM_INTENTS = frozenset({"affirm", "stop"})
FIX_PAYLOAD = '/inform{"check_fix":"vorige"}'  # the one-tap "change my last answer" button


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
    noted: str | None = None  # a typed answer as it was understood, echoed with the next message


def handle_reply(
    questionnaire: Questionnaire,
    answers: dict[str, int],
    text: str,
    intent: str | None,
    stop_asked: bool = False,
    faq_topic: str | None = None,
    fix_previous: bool = False,
    today: date | None = None,
) -> CheckStep:
    """Apply one visitor reply to the check.

    ``faq_topic`` is the response selector's key (``faq/cortisol``) when the classifier took
    the reply for a question: a real question (one that cannot be read as an answer, or that
    asks something) is answered and the same check question follows. An answer that names
    complaints ("heel vaak, vooral hoofdpijn") stays an answer. ``fix_previous`` is the
    correction button: the last answer is forgotten and its question asked again.
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
    if fix_previous:
        answered = [q for q in questionnaire.questions if q.id in answers]
        if answered:
            del answers[answered[-1].id]
        return CheckStep(answers, say=messages.fixing)
    question = questionnaire.next_question(answers)
    if question is None:
        return CheckStep(answers, finished=True)
    option = parse_answer(questionnaire, question, text, today)
    if faq_topic and (option is None or "?" in text):
        return CheckStep(answers, respond=f"utter_{faq_topic}")
    if option is None:
        return CheckStep(answers, say=messages.not_understood)
    answers[question.id] = option.value
    noted = None if is_clicked(questionnaire, question, text) else option.label.lower()
    return CheckStep(
        answers, finished=questionnaire.next_question(answers) is None, noted=noted
    )


def question_prompt(
    questionnaire: Questionnaire, answers: dict[str, int], noted: str | None = None
) -> tuple[str, list[Button]]:
    """The next question with its number and one button per option.

    ``noted`` is the previous answer when it was typed: the question starts with
    "Genoteerd: vaak." and a last button changes that answer.
    """
    question = questionnaire.next_question(answers)
    if question is None:
        raise ValueError("the check is complete; there is no next question")
    messages = questionnaire.messages
    prefix = messages.question_prefix.format(
        number=questionnaire.position(question), total=len(questionnaire.questions)
    )
    buttons = [Button(o.label, o.label) for o in questionnaire.options(question)]
    return with_echo(questionnaire, f"{prefix} {question.text}", buttons, noted)


def prompt_after(
    questionnaire: Questionnaire, step: CheckStep
) -> tuple[str, list[Button]] | None:
    """The question to ask after a step, or None when the check ends or waits for "stop?".

    The form's validator asks it in the same action-server call that read the answer: one
    round trip per answer instead of a second one to an ask action.
    """
    if step.finished or step.stop_asked:
        return None
    if questionnaire.next_question(step.answers) is None:
        return None
    return question_prompt(questionnaire, step.answers, step.noted)


def with_echo(
    questionnaire: Questionnaire, text: str, buttons: list[Button], noted: str | None
) -> tuple[str, list[Button]]:
    """The message after a typed answer: "Genoteerd: vaak." first, the fix button last."""
    if not noted:
        return text, buttons
    fix = Button(questionnaire.messages.fix_button, FIX_PAYLOAD)
    return f"{questionnaire.messages.noted.format(answer=noted)} {text}", [*buttons, fix]


def is_in_progress(questionnaire: Questionnaire, answers: dict[str, int] | None) -> bool:
    """Started and not finished: "ga verder" resumes rather than starting over."""
    return bool(answers) and questionnaire.next_question(answers) is not None
