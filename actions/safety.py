"""After "nee" to the direct crisis question: back to the form question it interrupted."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from burnout_assistant.dialogue.crisis_dialogue import form_to_resume


class ActionResumeAfterCheckIn(Action):
    def name(self) -> str:
        return "action_resume_after_check_in"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = form_to_resume(tracker.events)
        return [FollowupAction(form)] if form else []
