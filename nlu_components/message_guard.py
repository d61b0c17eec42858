"""Two NLU components around the classifiers: a guard before them and a safety override after.

``MessageGuard`` runs first: it caps the text the featurizers read, tags empty, emoji-only and
non-Dutch messages, and scans the whole (uncapped) message for crisis signals.
``CrisisOverride`` runs last: a crisis signal, from the patterns or the classifier, turns the
intent into ``crisis`` whatever the classifiers and the fallback decided, so the crisis rule
answers at once and interrupts any form.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from burnout_assistant import safety
from burnout_assistant.incoming import MessageKind, inspect_text

logger = logging.getLogger(__name__)

GUARD_KEY = "message_guard"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MessageGuard(GraphComponent):
    """Caps and tags each incoming message before any other component reads it."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._max_chars = int(config["max_chars"])

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"max_chars": 1000}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageGuard:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # training examples are ours; nothing to cap or tag

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            original = message.get(TEXT) or ""
            incoming = inspect_text(original, self._max_chars)
            crisis = safety.crisis_signal(original) is not None
            message.set(TEXT, incoming.text)
            message.set(
                GUARD_KEY,
                {"kind": incoming.kind.value, "truncated": incoming.truncated, "crisis": crisis},
                add_to_output=True,
            )
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisOverride(GraphComponent):
    """Makes the safety assessment final: crisis wins, everyday idioms never trigger it."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisOverride:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._apply(message)
        return messages

    @staticmethod
    def _apply(message: Message) -> None:
        guard = message.get(GUARD_KEY) or {}
        intent = message.get(INTENT) or {}
        ranking = message.get(INTENT_RANKING_KEY) or []
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if name == FALLBACK_INTENT and ranking:
            # The fallback hides the classifier's own top guess; safety needs to see it.
            name, confidence = ranking[0].get("name"), float(ranking[0].get("confidence") or 0)
        assessment = safety.assess(message.get(TEXT) or "", name, confidence)
        if guard.get("crisis") or assessment.is_crisis:
            logger.info("crisis override (reason=%s)", assessment.reason if assessment.is_crisis
                        else "pattern_in_full_text")
            _set_intent(message, "crisis", 1.0)
        elif name == "crisis":
            # The classifier alone said crisis for an everyday phrase: take its next guess.
            runner_up = next((r for r in ranking if r.get("name") != "crisis"), None)
            logger.info("crisis demoted (reason=%s)", assessment.reason)
            _set_intent(message, runner_up["name"] if runner_up else FALLBACK_INTENT,
                        float(runner_up["confidence"]) if runner_up else 1.0)
        elif guard.get("kind", MessageKind.OK.value) != MessageKind.OK.value:
            _set_intent(message, FALLBACK_INTENT, 1.0)


def _set_intent(message: Message, name: str, confidence: float) -> None:
    """Replace the top intent and put it first in the ranking, as the classifiers would."""
    ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != name]
    message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
    message.set(
        INTENT_RANKING_KEY, [{"name": name, "confidence": confidence}, *ranking], add_to_output=True
    )
