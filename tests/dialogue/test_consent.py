"""The consent list (privacy/consent.py) and the questions built from it agree."""

from __future__ import annotations

from pathlib import Path

from burnout_assistant.config_files import load_yaml
from burnout_assistant.dialogue import booking_dialogue as dialogue
from burnout_assistant.privacy import consent
from burnout_assistant.records.leads import HEALTH_FIELDS

DOMAIN = load_yaml((Path(__file__).parents[2] / "domain.yml").read_text())


def _user(topic: str | None) -> dict:
    intent = {"name": "faq", "full_retrieval_intent_name": f"faq/{topic}"} if topic else {
        "name": "affirm"}
    return {"event": "user", "parse_data": {"intent": intent}}


def _consent(value: bool) -> dict:
    return {"event": "slot", "name": "booking_consent", "value": value}


def test_the_consent_question_names_every_consented_field_in_order() -> None:
    text, _ = dialogue.consent_question(True, True, "Praktijk X", "een jaar")
    positions = [text.index(f.phrase) for f in consent.CONSENTED]
    assert positions == sorted(positions)


def test_optional_fields_are_named_only_when_given() -> None:
    assert consent.EMAIL not in consent.consented_fields(email=False, topics=True)
    assert consent.TOPICS not in consent.consented_fields(email=True, topics=False)
    assert consent.consented_fields(email=True, topics=True) == list(consent.CONSENTED)


def test_the_share_question_names_every_shared_field() -> None:
    [share] = DOMAIN["responses"]["utter_ask_share_check"]
    text = " ".join(share["text"].split())
    assert [f.phrase for f in consent.SHARED if f.phrase not in text] == []
    assert [b["payload"] for b in share["buttons"]] == ["/affirm", "/deny"]


def test_check_answers_band_topics_and_the_conversation_are_health_data() -> None:
    health = {c for f in consent.CONSENTED + consent.SHARED if f.health for c in f.columns}
    assert health == {"check_answers", "check_band", "topics", "sender_id"}
    # the same columns the leads store refuses to keep without consent (the conversation is
    # linked by sender_id, which every lead has)
    assert health - {"sender_id"} == set(HEALTH_FIELDS)


def test_a_column_is_listed_once() -> None:
    columns = [c for f in consent.CONSENTED + consent.SHARED for c in f.columns]
    columns += list(consent.BOOKKEEPING)
    assert len(columns) == len(set(columns))


def test_only_topics_asked_before_the_yes_are_stored() -> None:
    events = [_user("cortisol"), _consent(False), _user("kosten"), _consent(True),
              _user("magnesium")]
    assert consent.asked_topics(events) == ["cortisol", "kosten", "magnesium"]
    assert consent.consented_topics(events) == ["cortisol", "kosten"]
    assert consent.consented_topics(events[:3]) == []  # no yes: nothing to store
