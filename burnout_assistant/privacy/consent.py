"""What a lead holds, and which yes of the visitor covers each part of it.

This is the one answer to "what do you store when I book?". The consent question of the
booking (``booking_dialogue.consent_question``) names the fields of :data:`CONSENTED` from
this list, the share question (``utter_ask_share_check`` in domain.yml) names those of
:data:`SHARED`, and a test checks that every field the booking stores is listed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from burnout_assistant.language.topics import topics_asked
from burnout_assistant.names import BOOKING_CONSENT


@dataclass(frozen=True)
class StoredField:
    """Columns of a lead the visitor is told about in one phrase."""

    columns: tuple[str, ...]
    phrase: str  # as the question names it, in a Dutch list ("je naam, telefoonnummer en ...")
    health: bool  # health data (AVG art. 9): only with explicit consent, never in a mail
    only_if_given: bool = False  # stored only when the visitor gave it (an email, a question)


NAME = StoredField(("name",), "je naam", health=False)
PHONE = StoredField(("phone",), "telefoonnummer", health=False)
EMAIL = StoredField(("email",), "e-mailadres", health=False, only_if_given=True)
MOMENT = StoredField(("slot_start", "slot_end", "preferred_times"), "het moment of je tijdswens",
                     health=False)
TOPICS = StoredField(("topics",), "de onderwerpen waar je naar vroeg", health=True,
                     only_if_given=True)
# The lead keeps its conversation (by sender id) as long as itself, so staff can read it
# before they call (privacy/retention.py); what was typed may be about health.
CONVERSATION = StoredField(("sender_id",), "dit gesprek", health=True)
ANSWERS = StoredField(("check_answers",), "je antwoorden uit de check", health=True)
BAND = StoredField(("check_band",), "je uitslag", health=True)

# Named by the consent question, in this order; without that yes nothing is stored.
CONSENTED = (NAME, PHONE, EMAIL, MOMENT, TOPICS, CONVERSATION)
# Named by the separate share question: nobody has to share health answers to get a call.
SHARED = (ANSWERS, BAND)
# Kept about the lead rather than about the person, so not named in a question.
BOOKKEEPING = {
    "channel": "which chat the request came through (web or Telegram)",
    "kind": "a booked call or a call-back request",
    "consent_at": "when the visitor said yes: the proof of consent itself",
    "calendar_uid": "the id of the calendar event",
}


def consented_fields(*, email: bool, topics: bool) -> list[StoredField]:
    """The fields the consent question names for this visitor, in the order it names them."""
    given = {EMAIL: email, TOPICS: topics}
    return [f for f in CONSENTED if not f.only_if_given or given[f]]


def asked_topics(events: Iterable[dict[str, Any]]) -> list[str]:
    """FAQ topics of every user message in Rasa event dicts: what the question names."""
    return topics_asked(e.get("parse_data") or {} for e in events if e.get("event") == "user")


def consented_topics(events: Iterable[dict[str, Any]]) -> list[str]:
    """FAQ topics asked before the last yes to the consent question: what may be stored.

    A topic asked after that yes was not in the question the visitor agreed to; without a
    yes there is nothing to store.
    """
    events = list(events)
    yes = max((i for i, e in enumerate(events) if e.get("event") == "slot"
               and e.get("name") == BOOKING_CONSENT and e.get("value") is True), default=None)
    return [] if yes is None else asked_topics(events[:yes])
