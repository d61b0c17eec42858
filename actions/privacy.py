""""Verwijder mijn gegevens": queue the erasure; ``privacy.erasure`` carries it out."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from burnout_assistant.apps.services import leads_store
from burnout_assistant.names import (
    BOOKING_FIRST_WISH,
    BOOKING_OFFER,
    BOOKING_SLOT,
    BOOKING_WISH,
    CHANGE_PHONE,
    CHANGE_REFERENCE,
    CHECK_ANSWER,
    CHECK_ANSWERS,
    CHECK_BAND,
    CHECK_NOTED,
    CONTACT_EMAIL,
    CONTACT_NAME,
    CONTACT_PHONE,
)
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.settings import current_settings

# Everything the visitor told us that a slot still holds: answers, contact details, time
# wishes and the offer made from them, and the booking code of a change.
PERSONAL_SLOTS = (CHECK_ANSWERS, CHECK_BAND, CHECK_ANSWER, CHECK_NOTED, CONTACT_NAME,
                  CONTACT_PHONE, CONTACT_EMAIL, BOOKING_SLOT, BOOKING_WISH, BOOKING_FIRST_WISH,
                  BOOKING_OFFER, CHANGE_REFERENCE, CHANGE_PHONE)


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
