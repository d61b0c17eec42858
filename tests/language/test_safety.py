"""The crisis detector on an independently written phrase set: every crisis caught, no idiom."""

from pathlib import Path

import pytest

from burnout_assistant.config_files import load_yaml
from burnout_assistant.language.incoming import looks_english
from burnout_assistant.language.safety import (
    ANSWER_HELPLINES,
    CHECK_IN_HELPLINES,
    ENGLISH_ANSWER,
    HELPLINES,
    CrisisKind,
    CrisisScore,
    Thresholds,
    Tier,
    assess,
    crisis_message,
    crisis_signal,
    is_everyday_use,
    normalise,
)

PHRASES = load_yaml((Path(__file__).parents[1] / "safety" / "phrases.yml").read_text())


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


def test_classifier_crisis_alone_asks_and_with_the_model_answers() -> None:
    text = "het gaat echt niet meer met me en ik weet niet wat ik ga doen"
    alone = assess(text, "crisis", 0.8)
    assert alone.tier is Tier.UNSURE and alone.reason == "classifier"
    limits = Thresholds(unsure=0.3, certain=0.9, vote=0.5)
    agreed = assess(text, "crisis", 0.8, CrisisScore(0.5, CrisisKind.SELF), limits)
    assert agreed.tier is Tier.CERTAIN and agreed.reason == "classifier"


def test_model_tiers_follow_the_thresholds() -> None:
    limits = Thresholds(unsure=0.3, certain=0.8)
    text = "ik wil gewoon heel lang slapen"
    assert assess(text, "faq", 0.9, CrisisScore(0.2, CrisisKind.SELF), limits).tier is Tier.NONE
    unsure = assess(text, "faq", 0.9, CrisisScore(0.5, CrisisKind.OTHER), limits)
    assert (unsure.tier, unsure.kind) == (Tier.UNSURE, CrisisKind.OTHER)
    assert assess(text, "faq", 0.9, CrisisScore(0.9, CrisisKind.SELF), limits).is_crisis


def test_everyday_idiom_turns_a_confident_model_into_a_question_not_an_alarm() -> None:
    high = CrisisScore(0.95, CrisisKind.SELF)
    assert assess("ik ga dood van de hitte", None, 0.0, high).tier is Tier.UNSURE


def test_ambiguous_pattern_needs_the_model() -> None:
    news = "ik las in de krant over zelfmoord onder jongeren"
    assert assess(news, None, 0.0, CrisisScore(0.01, CrisisKind.SELF)).tier is Tier.NONE
    plain = "zelfmoord"
    assert assess(plain, None, 0.0, CrisisScore(0.01, CrisisKind.SELF)).tier is Tier.UNSURE
    assert assess(plain, None, 0.0, CrisisScore(0.85, CrisisKind.SELF)).is_crisis


def test_kind_comes_from_the_model_but_violence_patterns_keep_theirs() -> None:
    other = CrisisScore(0.9, CrisisKind.OTHER)
    assert assess("mijn dochter zegt: ik wil dood", None, 0.0, other).kind is CrisisKind.OTHER
    beaten = assess("hij heeft me net geslagen", None, 0.0, CrisisScore(0.9, CrisisKind.SELF))
    assert beaten.is_crisis and beaten.kind is CrisisKind.VIOLENCE


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


def _variants(response: str) -> dict[str, str]:
    """The variations of a domain response by crisis_kind value ("self" when unconditioned)."""
    domain = load_yaml((Path(__file__).parents[2] / "domain.yml").read_text())
    out = {}
    for variant in domain["responses"][response]:
        conditions = variant.get("condition") or [{"value": "self"}]
        out[conditions[0]["value"]] = variant["text"]
    return out


@pytest.mark.parametrize(
    ("response", "required"),
    [("utter_crisis", ANSWER_HELPLINES), ("utter_crisis_check", CHECK_IN_HELPLINES)],
)
def test_every_crisis_answer_names_its_helplines(response: str, required: dict) -> None:
    variants = _variants(response)
    assert set(variants) == set(required)
    missing = {kind: [h for h in required[kind] if h not in text]
               for kind, text in variants.items()}
    assert missing == {kind: [] for kind in variants}


def test_the_mail_names_every_helpline() -> None:
    assert [h for h in HELPLINES if h not in crisis_message()] == []


def test_english_variants_are_in_english() -> None:
    for response in ("utter_crisis", "utter_crisis_check", "utter_crisis_check_no",
                     "utter_crisis_deny"):
        assert looks_english(_variants(response)[ENGLISH_ANSWER]), response
        assert not looks_english(_variants(response)["self"]), response
