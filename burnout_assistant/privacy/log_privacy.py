"""Keep personal data and message text out of the Rasa server's logs.

Rasa 3.6 logs through structlog. Its JSON output renders exception tracebacks WITH the local
variables of every frame, so one harmless error (the response interpolator complains about
the ``/inform{"menu":"vragen"}`` button payload on every use) writes all slot values of the
conversation, names and phone numbers included, to the log. Several of its events also carry
the message text under keys such as ``text`` or ``user_text``; Rasa only scrubs those with a
Rasa Pro plugin. :func:`install` re-configures structlog: known text keys are replaced, and
tracebacks keep their frames but lose the locals.
"""

from __future__ import annotations

from typing import Any

import structlog
from structlog.dev import ConsoleRenderer
from structlog.processors import ExceptionRenderer, JSONRenderer
from structlog.tracebacks import ExceptionDictTransformer

HIDDEN = "[verborgen]"
# Event keys that can hold what a visitor typed or what the assistant knows about them.
PRIVATE_KEYS = frozenset({
    "text", "user_text", "message", "user_message", "response", "response_text",
    "json_message", "values", "slot_values", "prefilled_slots", "slot_candidates",
    "parse_data_text", "parse_data_entities", "tracker_latest_message", "entity",
    "entities", "current_entity", "next_entity", "token_text", "rasa_event", "rasa_events",
    "prediction_events", "tracker_states", "states", "current_states", "old_states",
    "successes", "sender_id", "metadata",
})


def scrub(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Replace the values of private keys; the event name and the rest stay for debugging."""
    for key in PRIVATE_KEYS.intersection(event_dict):
        event_dict[key] = HIDDEN
    return event_dict


def _private_processors(processors: list[Any]) -> list[Any]:
    """The same pipeline with ``scrub`` before the renderer and tracebacks without locals."""
    result: list[Any] = []
    for processor in processors:
        if processor is structlog.processors.dict_tracebacks:
            continue  # replaced below, right before the renderer
        if isinstance(processor, JSONRenderer):
            result += [scrub, ExceptionRenderer(ExceptionDictTransformer(show_locals=False))]
        elif isinstance(processor, ConsoleRenderer):
            result += [scrub, structlog.processors.format_exc_info]  # plain, no locals
        result.append(processor)
    return result


def install() -> None:
    """Apply to the process-wide structlog configuration (idempotent)."""
    processors = list(structlog.get_config()["processors"])
    if scrub in processors:
        return
    structlog.configure(processors=_private_processors(processors))
