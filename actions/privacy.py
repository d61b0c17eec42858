""""Verwijder mijn gegevens": queue the erasure; ``privacy.erasure`` carries it out."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from burnout_assistant.apps.services import leads_store
from burnout_assistant.records.leads import LeadsUnavailable
from burnout_assistant.settings import current_settings

PERSONAL_SLOTS = ("check_answers", "check_band", "check_answer", "contact_name",
                  "contact_phone", "contact_email", "booking_slot", "booking_wish",
                  "change_reference", "change_phone")


class ActionDeleteData(Action):
    def name(self) -> str:
        return "action_delete_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            leads_store().request_erasure(tracker.sender_id)
        except LeadsUnavailable:
            dispatcher.utter_message(
                text="Het lukt nu niet om je verzoek vast te leggen. Mail de praktijk op "
                     f"{current_settings().practice.email}, dan verwijderen wij alles.")
            return []
        dispatcher.utter_message(
            text="Dat gebeurt. Binnen een paar minuten zijn dit gesprek, je antwoorden en een "
                 "eventuele aanmelding of afspraak verwijderd.")
        return [SlotSet(name, None) for name in PERSONAL_SLOTS]
