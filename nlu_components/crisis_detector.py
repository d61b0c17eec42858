"""Rasa adapter for the dedicated crisis classifier (``language.crisis_detector``).

Trained with the model from the crisis corpus plus the assistant's own NLU examples, packed
into the model file, and run on every message: typed form answers, long messages (read in
windows, tail included) and other languages alike. It only scores; ``CrisisOverride`` decides.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import burnout_assistant.language.crisis_detector as detector_module
import burnout_assistant.language.safety as safety_module
from burnout_assistant.language.crisis_corpus import load_corpus
from burnout_assistant.language.crisis_detector import CrisisModel, LabelledText, training_examples

SCORE_KEY = "crisis_score"
ORIGINAL_TEXT_KEY = "original_text"  # set by MessageGuard, never written to the output
_FILE = "crisis_model.joblib"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisDetector(GraphComponent):
    """Scores each message for crisis; the score goes into the parse data, the text does not."""

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: CrisisModel | None = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"corpus": "data/crisis"}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the corpus or the model code changes (Rasa cannot see either)."""
        digest = hashlib.sha256()
        files = sorted(Path(config.get("corpus", "data/crisis")).glob("*.yml"))
        for path in [*files, Path(detector_module.__file__), Path(safety_module.__file__)]:
            digest.update(path.name.encode() + path.read_bytes())
        return digest.hexdigest()

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CrisisDetector:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> CrisisDetector:
        with model_storage.read_from(resource) as folder:
            return cls(config, model_storage, resource, CrisisModel.load(folder / _FILE))

    def train(self, training_data: TrainingData) -> Resource:
        ordinary = [LabelledText.from_intent(m.get(TEXT), m.get("intent"))
                    for m in training_data.intent_examples if m.get(TEXT)]
        corpus = load_corpus([Path(self._config["corpus"])])
        self._model = CrisisModel.fit(training_examples(corpus, ordinary))
        with self._storage.write_to(self._resource) as folder:
            self._model.save(folder / _FILE)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        texts = [m.get(ORIGINAL_TEXT_KEY) or m.get(TEXT) or "" for m in messages]
        for message, score in zip(messages, self._model.score_many(texts), strict=True):
            message.set(SCORE_KEY, {"probability": score.probability, "kind": score.kind.value},
                        add_to_output=True)
        return messages
