"""Two NLU components around the classifiers: a guard before them and a safety override after.

``MessageGuard`` runs first: it caps the text the featurizers read, tags empty, emoji-only,
non-Dutch and English messages, and keeps the whole original text for the safety components.
``CrisisOverride`` runs last: the patterns, the crisis classifier (``CrisisDetector``) and the
intent classifier together decide a tier (``safety.assess``), and a crisis tier turns the
intent into ``crisis`` whatever the classifiers and the fallback decided, so the crisis rules
answer at once and interrupt any form.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from burnout_assistant.language import safety
from burnout_assistant.language.incoming import MessageKind, inspect_text, looks_english
from nlu_components.crisis_detector import ORIGINAL_TEXT_KEY, SCORE_KEY

logger = logging.getLogger(__name__)

GUARD_KEY = "message_guard"
FALLBACK_INTENT = "nlu_fallback"
# What an English message may ask directly; any other English question gets the short
# "I answer in Dutch" reply of the fallback (utter_other_language).
ENGLISH_BASICS = frozenset({"delete_data", "book_intro_call", "request_human", "bot_challenge",
                            "stop"})
DECISION_KEY = "crisis_decision"
CRISIS_KIND_ENTITY = "crisis_kind"  # which crisis answer: self, other, violence, en
CRISIS_CHECK_ENTITY = "crisis_check"  # unsure: ask directly first


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
            message.set(ORIGINAL_TEXT_KEY, original)  # for the safety components only
            message.set(TEXT, incoming.text)
            message.set(
                GUARD_KEY,
                {"kind": incoming.kind.value, "truncated": incoming.truncated,
                 "english": looks_english(original)},
                add_to_output=True,
            )
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisOverride(GraphComponent):
    """Makes the safety decision final, in two tiers.

    Certain: the intent becomes ``crisis`` and the rules answer with the helplines at once.
    Unsure: the intent becomes ``crisis`` with the ``crisis_check`` entity, and the rules ask
    directly instead. Either way the ``crisis_kind`` entity says which answer fits (self,
    other, violence, or en for an English message). The original intent never survives a
    crisis tier, so no form takes the message as an answer.
    """

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
        raw_score = message.get(SCORE_KEY)
        score = (safety.CrisisScore(float(raw_score["probability"]),
                                    safety.CrisisKind(raw_score["kind"])) if raw_score else None)
        text = message.get(ORIGINAL_TEXT_KEY) or message.get(TEXT) or ""
        assessment = safety.assess(text, name, confidence, score)
        # What was decided and from which votes (never the text): for the evaluation and staff.
        message.set(DECISION_KEY, {"tier": assessment.tier.value, "reason": assessment.reason,
                                   "intent_before": name, "confidence": round(confidence, 4)},
                    add_to_output=True)
        if assessment.tier is not safety.Tier.NONE:
            logger.info("crisis %s (reason=%s)", assessment.tier.value, assessment.reason)
            _set_intent(message, "crisis", 1.0)
            variant = "en" if guard.get("english") else assessment.kind.value
            entities = [_entity(CRISIS_KIND_ENTITY, variant)]
            if assessment.tier is safety.Tier.UNSURE:
                entities.append(_entity(CRISIS_CHECK_ENTITY, "ja"))
            message.set(ENTITIES, entities, add_to_output=True)
        elif name == "crisis":
            # The classifier alone said crisis for an everyday phrase: take its next guess.
            runner_up = next((r for r in ranking if r.get("name") != "crisis"), None)
            logger.info("crisis demoted (reason=%s)", assessment.reason)
            _set_intent(message, runner_up["name"] if runner_up else FALLBACK_INTENT,
                        float(runner_up["confidence"]) if runner_up else 1.0)
        elif guard.get("kind", MessageKind.OK.value) != MessageKind.OK.value and not (
                guard.get("kind") == MessageKind.FOREIGN.value and guard.get("english")
                and name in ENGLISH_BASICS):
            # Empty, emoji-only or another language: the fallback answers. English is the
            # exception: the classifier knows the basics in English (erasure, booking, a
            # person, "are you a bot?"), and the answer adds one English line.
            _set_intent(message, FALLBACK_INTENT, 1.0)


def _entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 0,
            "extractor": CrisisOverride.__name__}


def _set_intent(message: Message, name: str, confidence: float) -> None:
    """Replace the top intent and put it first in the ranking, as the classifiers would."""
    ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != name]
    message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
    message.set(
        INTENT_RANKING_KEY, [{"name": name, "confidence": confidence}, *ranking], add_to_output=True
    )
