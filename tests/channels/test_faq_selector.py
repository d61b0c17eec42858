"""The response selector runs only on messages the classifier took for a question."""

from __future__ import annotations

import pytest


@pytest.fixture
def parts(monkeypatch):
    """The component and Rasa's Message; Rasa's own ``process`` recorded instead of run."""
    from rasa.nlu.selectors.response_selector import ResponseSelector
    from rasa.shared.nlu.training_data.message import Message

    from nlu_components.faq_selector import FaqOnlyResponseSelector

    seen: list[list[str]] = []

    def recorded(self, messages):
        seen.append([m.get("text") for m in messages])
        for message in messages:
            message.set("response_selector", {"faq": {"response": {
                "intent_response_key": "faq/cortisol"}}}, add_to_output=True)
        return messages

    monkeypatch.setattr(ResponseSelector, "process", recorded)
    selector = FaqOnlyResponseSelector.__new__(FaqOnlyResponseSelector)

    def message(text: str, intent: str | None) -> Message:
        data = {"text": text}
        if intent is not None:
            data["intent"] = {"name": intent, "confidence": 0.9}
        return Message(data=data)

    return selector, message, seen


def test_only_questions_reach_the_selector_and_all_messages_come_back(parts) -> None:
    selector, message, seen = parts
    batch = [message("wat doet cortisol?", "faq"), message("vaak", "inform"),
             message("hoi", "greet"), message("???", None),
             message("en cortisol dan", "faq/cortisol")]
    out = selector.process(batch)
    assert out == batch
    assert seen == [["wat doet cortisol?", "en cortisol dan"]]
    assert out[0].get("response_selector") and out[4].get("response_selector")
    assert not out[1].get("response_selector")


def test_no_question_no_selector_call(parts) -> None:
    selector, message, seen = parts
    selector.process([message("vaak", "inform")])
    assert seen == []


def test_the_project_config_uses_it_with_short_rankings() -> None:
    from pathlib import Path

    from burnout_assistant.config_files import load_yaml

    pipeline = load_yaml((Path(__file__).parents[2] / "config.yml").read_text())["pipeline"]
    names = {step["name"]: step for step in pipeline}
    assert "ResponseSelector" not in names
    assert names["nlu_components.faq_selector.FaqOnlyResponseSelector"]["retrieval_intent"] == "faq"
    assert names["DIETClassifier"]["ranking_length"] == 3
