"""names.py and domain.yml agree: every name is in the domain, every slot has a name."""

from __future__ import annotations

from pathlib import Path

from burnout_assistant import names
from burnout_assistant.config_files import load_yaml

DOMAIN = load_yaml((Path(__file__).parents[1] / "domain.yml").read_text())
CONSTANTS = {key: value for key, value in vars(names).items()
             if key.isupper() and isinstance(value, str)}


def test_every_name_is_a_slot_a_response_or_an_intent() -> None:
    known = set(DOMAIN["slots"]) | set(DOMAIN["responses"]) | set(DOMAIN["intents"])
    assert {key: value for key, value in CONSTANTS.items() if value not in known} == {}


def test_every_slot_of_the_domain_has_a_name() -> None:
    assert set(DOMAIN["slots"]) - set(CONSTANTS.values()) == set()


def test_response_names_are_responses_and_the_faq_intent_is_an_intent() -> None:
    for value in (names.CRISIS_ANSWER, names.CHECK_IN_RESPONSE):
        assert value in DOMAIN["responses"]
    assert names.FAQ in DOMAIN["intents"]


def test_free_text_slots_are_slots_filled_from_text() -> None:
    for slot in names.FREE_TEXT_SLOTS:
        mappings = DOMAIN["slots"][slot]["mappings"]
        assert any(m["type"] == "from_text" for m in mappings), slot
