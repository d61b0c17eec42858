"""The symptom check in Rasa: start or resume, ask, validate, and give the result.

All decisions are in ``dialogue.check_flow`` and ``check.questionnaire`` (burnout_assistant);
these classes only read slots, call them, and turn the outcome into slot events and messages.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import button_dicts
from burnout_assistant.check.questionnaire import (
    current_questionnaire,
    result_message,
    score_answers,
)
from burnout_assistant.dialogue.check_flow import (
    Button,
    CheckStep,
    handle_reply,
    is_in_progress,
    prompt_after,
    with_echo,
)
from burnout_assistant.language.topics import faq_key
from burnout_assistant.names import (
    CHECK_ANSWER,
    CHECK_ANSWERS,
    CHECK_BAND,
    CHECK_NOTED,
    CHECK_STOP_ASKED,
)

DONE = "klaar"  # value of check_answer that completes the form


def _answers(tracker: Tracker) -> dict[str, int]:
    return dict(tracker.get_slot(CHECK_ANSWERS) or {})


def _wants_fix(tracker: Tracker) -> bool:
    """The "Vorige antwoord aanpassen" button: its payload carries the check_fix entity."""
    entities = tracker.latest_message.get("entities") or []
    return any(e.get("entity") == "check_fix" for e in entities)


def _answered_by_another_action(tracker: Tracker, form: str) -> bool:
    """Another action ran since the visitor's last message: the check was just started, or
    the form comes back after a question was answered or an interruption was handled."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in (form, "action_listen"):
            return True
    return False


class ActionStartCheck(Action):
    """Starts a new check, or resumes one that was paused, without losing answers."""

    def name(self) -> str:
        return "action_start_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        questionnaire = current_questionnaire()
        answers = _answers(tracker)
        if _wants_fix(tracker) and answers:
            # the button under the result: the last answer is asked again
            step = handle_reply(questionnaire, answers, "", None, fix_previous=True)
            answers = step.answers
            dispatcher.utter_message(text=step.say)
        elif is_in_progress(questionnaire, answers):
            dispatcher.utter_message(text=questionnaire.messages.resumed)
        else:
            answers = {}
            dispatcher.utter_message(text=questionnaire.intro)
        return [
            SlotSet(CHECK_ANSWERS, answers),
            SlotSet(CHECK_ANSWER, None),
            SlotSet(CHECK_STOP_ASKED, False),
            SlotSet(CHECK_NOTED, None),
        ]


class ValidateSymptomCheckForm(FormValidationAction):
    """Reads the answer and asks the next question, in one call from the form.

    The domain has no ``action_ask_check_answer``: Rasa's form then asks nothing itself, and
    every path into the form (an answer, activation, coming back after a question or an
    interruption) passes through this validator once, which asks what comes next. A message
    that is no answer at all (a crisis, say) gets nothing from here, so Rasa's form rejects it
    and the rules answer it instead.
    """

    def name(self) -> str:
        return "validate_symptom_check_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        if not events and not _answered_by_another_action(tracker, self.form_name()):
            return events  # nothing read from this message: the form rejects it
        after = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}

        def slot(name: str) -> Any:
            return after[name] if name in after else tracker.get_slot(name)

        step = CheckStep(
            answers=dict(slot(CHECK_ANSWERS) or {}),
            stop_asked=bool(slot(CHECK_STOP_ASKED)),
            finished=slot(CHECK_ANSWER) == DONE,
            noted=slot(CHECK_NOTED),
        )
        prompt = prompt_after(current_questionnaire(), step)
        if prompt is None:
            return events
        text, buttons = prompt
        dispatcher.utter_message(text=text, buttons=button_dicts(buttons))
        # The echo went out with this question. At activation the slot event also tells the
        # form that validation ran, so it does not call this action a second time.
        return [*events, SlotSet(CHECK_NOTED, None)]

    async def validate_check_answer(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if slot_value is None:
            # rasa_sdk also validates slots our own actions reset (action_start_check sets
            # check_answer to None): that is not a reply from the visitor.
            return {}
        message = tracker.latest_message
        intent = (message.get("intent") or {}).get("name")
        step = handle_reply(
            current_questionnaire(),
            _answers(tracker),
            str(slot_value or ""),
            intent,
            bool(tracker.get_slot(CHECK_STOP_ASKED)),
            faq_topic=faq_key(message),
            fix_previous=_wants_fix(tracker),
        )
        if step.respond:
            dispatcher.utter_message(response=step.respond)
        if step.say:
            dispatcher.utter_message(text=step.say, buttons=button_dicts(step.buttons))
        return {
            CHECK_ANSWER: DONE if step.finished else None,
            CHECK_ANSWERS: step.answers,
            CHECK_STOP_ASKED: step.stop_asked,
            CHECK_NOTED: step.noted,
        }


class ActionCheckResult(Action):
    """After the form: the result when complete, or a note that the check is paused."""

    def name(self) -> str:
        return "action_check_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        questionnaire = current_questionnaire()
        answers = _answers(tracker)
        if is_in_progress(questionnaire, answers) or not answers:
            dispatcher.utter_message(
                text=questionnaire.messages.paused,
                buttons=[{"title": questionnaire.messages.resume_button,
                          "payload": "/start_symptom_check"}],
            )
            return [SlotSet(CHECK_ANSWER, None), SlotSet(CHECK_STOP_ASKED, False)]
        result = score_answers(questionnaire, answers)
        # the last answer typed: echoed, with the button to change it
        text, buttons = with_echo(
            questionnaire,
            result_message(questionnaire, result),
            [Button("Plan een gratis kennismaking", "/book_intro_call"),
             Button("Ik heb nog een vraag", '/inform{"menu":"vragen"}')],
            tracker.get_slot(CHECK_NOTED),
        )
        dispatcher.utter_message(text=text, buttons=button_dicts(buttons))
        return [SlotSet(CHECK_BAND, result.band), SlotSet(CHECK_ANSWER, None),
                SlotSet(CHECK_NOTED, None)]
