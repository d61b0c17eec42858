"""The crisis detector on an independently written phrase set: every crisis caught, no idiom."""

from pathlib import Path

import pytest
import yaml

from burnout_assistant.safety import assess, crisis_signal, is_everyday_use, normalise

PHRASES = yaml.safe_load((Path(__file__).parents[1] / "safety" / "phrases.yml").read_text())


def test_phrase_set_is_large_enough() -> None:
    assert len(PHRASES["crisis"]) >= 40
    assert len(PHRASES["not_crisis"]) >= 40


def test_every_crisis_phrasing_is_caught() -> None:
    missed = [text for text in PHRASES["crisis"] if crisis_signal(text) is None]
    assert missed == []


def test_no_false_trigger_on_idioms_and_look_alikes() -> None:
    triggered = [text for text in PHRASES["not_crisis"] if crisis_signal(text) is not None]
    assert triggered == []


@pytest.mark.parametrize(
    "text",
    ["ik ben doodmoe", "mijn werk maakt me kapot", "ik ga dood van de hitte", "ik schaam me dood"],
)
def test_named_idioms_never_trigger(text: str) -> None:
    assert crisis_signal(text) is None
    assert not assess(text, "crisis", 0.99).is_crisis  # not even when the classifier says so


def test_classifier_crisis_counts_without_everyday_context() -> None:
    result = assess("het gaat echt niet meer met me en ik weet niet wat ik ga doen", "crisis", 0.8)
    assert result.is_crisis and result.reason == "classifier"


def test_low_classifier_confidence_alone_is_not_enough() -> None:
    assert not assess("ik weet het niet meer", "crisis", 0.2).is_crisis


def test_pattern_wins_over_any_classifier_intent() -> None:
    result = assess("ik wil er niet meer zijn. hoe lang duurt herstel?", "faq", 0.99)
    assert result.is_crisis and result.reason == "pattern"


def test_signal_found_deep_inside_a_long_message() -> None:
    story = "mijn werk is zwaar en mijn team is onderbezet. " * 200
    assert crisis_signal(story + "ik heb pillen gespaard. " + story) is not None


def test_normalise_folds_chat_spelling_and_diacritics() -> None:
    assert normalise("Ik wil er NIE meeeer zijn, k wil dood gwn") == (
        "ik wil er niet meer zijn, ik wil dood gewoon"
    )
    assert normalise("suïcide") == "suicide"


def test_everyday_use_recognises_hyperbole() -> None:
    assert is_everyday_use("Ik ben echt doodmoe vandaag")
    assert is_everyday_use("ik verveel me dood in die vergadering")
    assert not is_everyday_use("ik wil dood")


def test_crisis_in_the_tail_of_a_huge_message_is_found() -> None:
    story = "mijn werk is zwaar en mijn team is onderbezet. " * 2000  # ~94k characters
    assert crisis_signal(story + "ik wil er niet meer zijn") is not None


def test_dead_devices_veto_a_classifier_only_crisis() -> None:
    assert not assess("mijn gsm is dood, vandaar", "crisis", 0.95).is_crisis
    assert assess("ik wil dood, mijn telefoon ligt naast me", "faq", 0.9).is_crisis


def test_crisis_answers_name_every_helpline() -> None:
    from burnout_assistant.safety import CRISIS_MESSAGE, HELPLINES

    domain = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text())
    chat_answer = domain["responses"]["utter_crisis"][0]["text"]
    assert [h for h in HELPLINES if h not in chat_answer] == []
    assert [h for h in HELPLINES if h not in CRISIS_MESSAGE] == []
