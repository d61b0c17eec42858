"""Every text a visitor reads: short sentences, and privacy promises that match the settings.

Sentences are counted after the practice's own facts are filled in, because "{practice_hours}"
is a dozen words in the message the visitor sees.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from burnout_assistant.check.questionnaire import current_questionnaire
from burnout_assistant.config_files import load_yaml
from burnout_assistant.dialogue import booking_dialogue as dialogue
from burnout_assistant.dialogue.practice_facts import days_phrase, english_note, response_slots
from burnout_assistant.settings import load_settings

ROOT = Path(__file__).parents[2]
DOMAIN = load_yaml((ROOT / "domain.yml").read_text())
SETTINGS = load_settings(ROOT / "practice.yml")
FILLED = response_slots(SETTINGS)
MAX_WORDS = 25


def _fill(text: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: FILLED.get(m.group(1), m.group(0)), text)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _responses() -> list[tuple[str, str]]:
    return [(name, _fill(variant["text"]))
            for name, variants in DOMAIN["responses"].items()
            for variant in variants if variant.get("text")]


def _other_texts() -> list[tuple[str, str]]:
    """Texts written in code or in questionnaire.yml, at their longest."""
    q = current_questionnaire()
    texts = [("questionnaire.intro", q.intro), ("questionnaire.disclaimer", q.disclaimer)]
    texts += [(f"question {x.id}", x.text) for x in q.questions]
    texts += [(f"band {b.name}", b.text) for b in q.scoring.bands]
    texts += [(f"message {k}", v) for k, v in q.messages.dict().items()]
    texts.append(("huisarts advice", q.messages.huisarts.format(
        reasons="veel klachten, klachten die langer dan drie maanden duren, ook lichamelijke "
                "klachten en je vaak somber voelen")))
    consent, _ = dialogue.consent_question(True, True, SETTINGS.practice.name,
                                           days_phrase(SETTINGS.retention.lead_days))
    texts += [("consent", consent), ("english note", english_note(SETTINGS)),
              ("declined", dialogue.declined_message(True, SETTINGS)[0])]
    return texts


@pytest.mark.parametrize(("name", "text"), _responses() + _other_texts())
def test_no_sentence_is_longer_than_25_words(name: str, text: str) -> None:
    long = [s for s in _sentences(text) if len(s.split()) > MAX_WORDS]
    assert not long, f"{name}: {long}"


def test_every_placeholder_in_a_response_is_a_slot() -> None:
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            for slot in re.findall(r"\{(\w+)\}", variant.get("text", "")):
                assert slot in DOMAIN["slots"], f"{name}: {{{slot}}}"


def test_privacy_texts_quote_the_retention_settings() -> None:
    privacy = _fill(DOMAIN["responses"]["utter_faq/privacy"][0]["text"])
    greeting = _fill(DOMAIN["responses"]["utter_greet"][0]["text"])
    conversation = days_phrase(SETTINGS.retention.conversation_days)
    lead = days_phrase(SETTINGS.retention.lead_days)
    assert conversation == f"{SETTINGS.retention.conversation_days} dagen"
    assert f"bewaren we {conversation}" in privacy and f"bewaren we {lead}" in privacy
    assert conversation in greeting and "werkgever" in greeting
    # who sees it, the not-understood list, the employer, and both ways to erase
    for needed in ("Medewerkers van de praktijk", "niet begreep", "werkgever",
                   "verwijder mijn gegevens", SETTINGS.practice.email):
        assert needed in privacy, needed
    # no text promises that nothing at all is kept
    for name, text in _responses():
        assert "niets bewaard" not in text and "bewaar ik niets" not in text, name


def test_retention_phrases_follow_the_settings() -> None:
    assert days_phrase(365) == "een jaar" and days_phrase(730) == "twee jaar"
    assert days_phrase(30) == "30 dagen" and days_phrase(1) == "een dag"
    assert FILLED["practice_hours"].startswith("maandag en dinsdag 9-12 en 13-17 uur")
    assert "vrijdag 9-13 uur" in FILLED["practice_hours"]


@pytest.mark.parametrize("topic", ["vitamine_c", "magnesium", "kruiden", "tekorten"])
def test_supplement_answers_are_our_approach_with_apotheker_and_pregnancy(topic: str) -> None:
    text = DOMAIN["responses"][f"utter_faq/{topic}"][0]["text"]
    assert "apotheker" in text and "zwanger" in text
    assert re.search(r"onze aanpak|wij zien|onze ervaring", text, re.IGNORECASE)


def test_health_texts_follow_the_articles_and_dutch_practice() -> None:
    responses = DOMAIN["responses"]
    assert "rust blijft belangrijk" in responses["utter_faq/rust_helpt_niet"][0]["text"].lower()
    sick = responses["utter_faq/ziekmelding"][0]["text"]
    assert "bedrijfsarts" in sick and "werkgever" in sick and "België" in sick
    assert "huisarts" in responses["utter_faq/depressie"][0]["text"]
    assert "eerste stop" not in yaml.safe_dump(responses)
