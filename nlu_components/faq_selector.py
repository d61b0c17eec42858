"""Rasa's ResponseSelector, run only on messages the intent classifier took for a question.

The selector picks a FAQ topic for every message it sees, a check answer such as "vaak"
included, and nothing reads that topic unless the intent is ``faq``
(``burnout_assistant.language.topics``, Rasa's retrieval action). Running it only then saves
its share of every other turn (~8 % of the server's CPU on check traffic, bench/PROFILE.md);
training and the answers to questions are Rasa's own.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message

FAQ_INTENT = "faq"  # the retrieval intent the selector is trained for (config.yml)


def asks_a_question(message: Message) -> bool:
    """The intent classifier's top intent is the retrieval intent (or one of its topics)."""
    name = str((message.get(INTENT) or {}).get(INTENT_NAME_KEY) or "")
    return name == FAQ_INTENT or name.startswith(f"{FAQ_INTENT}/")


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class FaqOnlyResponseSelector(ResponseSelector):
    """``ResponseSelector`` that leaves messages of every other intent alone."""

    def process(self, messages: list[Message]) -> list[Message]:
        asked = [message for message in messages if asks_a_question(message)]
        if asked:
            super().process(asked)  # fills in the selector's output on these messages
        return messages
