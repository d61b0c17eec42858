"""Measured fixes for the Rasa server's biggest per-turn costs (bench/PROFILE.md).

1. Rasa 3.6 checks every action-server reply with ``jsonschema.validate(reply, schema)``, and
   that call first re-checks the constant schema against the JSON Schema meta-schema: ~15 of
   ~17 ms per reply, a third of the server's CPU per turn. Here the validator is built once;
   replies are checked against the same schema with the same errors.
2. Rasa 3.6 turns every stored or returned event into its class with ``Event.resolve_by_type``,
   which walks all ~120 Event subclasses (recursively, with ``inspect.isabstract`` on each) for
   every single event: 70 % of loading a tracker from the tracker store, and a tracker is loaded
   on every turn, so the cost grew with the conversation. Here the name-to-class answer is
   remembered; a class defined later clears what was remembered, so the answer stays Rasa's.
3. Every custom action posts the whole conversation and the domain (~100 kB) to the action
   server, encoded by ``json.dumps``: 5 % of the server's CPU on check traffic. Here the
   request session encodes with ``ujson`` (installed with Rasa, 3x faster), which writes the
   same JSON values; anything ujson refuses goes through ``json.dumps`` as before.
4. For every prediction, Rasa's ``RulePolicy`` asks ``Domain.states_for_tracker_history`` for
   the state before every earlier action, which replays the whole conversation: 2 ms at turn 2,
   10-14 ms at turn 40. The states of a conversation's past do not change when it grows, so
   they are kept per conversation and only the new events are replayed; whenever the events
   are not an extension of what was replayed (a rewind, a reverted turn, another tracker), the
   replay starts over, so the answer is always Rasa's.

Tied to the pinned Rasa (3.6.21): ``tests/channels/test_rasa_speedups.py`` notices when Rasa
changes a method replaced here. ``RASA_SPEEDUPS=off`` runs stock Rasa (the benchmark's
baseline does).
"""

from __future__ import annotations

import os
from typing import Any

PINNED_RASA = "3.6.21"


def enabled() -> bool:
    return os.environ.get("RASA_SPEEDUPS", "on").lower() not in ("off", "0", "false")


def install() -> bool:
    """Install both fixes; False when switched off or when Rasa is not the pinned version."""
    if not enabled():
        return False
    import rasa

    if rasa.__version__ != PINNED_RASA:
        return False
    _cache_reply_validator()
    _cache_event_types()
    _fast_request_json()
    _incremental_states()
    return True


def _cache_reply_validator() -> None:
    """Replace ``RemoteAction._validate_action_result`` with a validator built once."""
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction, "_validator_cached", False):
        return
    original = RemoteAction._validate_action_result
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = jsonschema.exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        return original(self, result)  # Rasa's own message and exception for a bad reply

    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction._validator_cached = True


def _cache_event_types() -> None:
    """Remember ``Event.resolve_by_type``'s answer per event name."""
    from rasa.shared.core.events import Event

    if getattr(Event, "_types_cached", False):
        return
    original = Event.resolve_by_type
    known: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        found = known.get(type_name)
        if found is not None:
            return found
        found = original(type_name, default)  # Rasa's search, fallbacks and errors
        if found is not None and getattr(found, "type_name", None) == type_name:
            known[type_name] = found  # a real match, never the caller's default
        return found

    def __init_subclass__(cls: type, **kwargs: Any) -> None:
        known.clear()  # a new event class could change the answer for its name
        super(Event, cls).__init_subclass__(**kwargs)

    Event.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]
    Event._types_cached = True


def dumps(value: Any) -> str:
    """JSON text of ``value`` as ``json.dumps`` would give it, written by ujson when it can."""
    import json

    import ujson

    try:
        return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(value)


def _fast_request_json() -> None:
    """Give ``EndpointConfig``'s aiohttp sessions the faster JSON encoder."""
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig, "_fast_json", False):
        return
    original = EndpointConfig.session

    def session(self: EndpointConfig) -> Any:
        made = original(self)
        made._json_serialize = dumps  # what ClientSession(json_serialize=...) sets
        return made

    EndpointConfig.session = session
    EndpointConfig._fast_json = True


STATE_MEMO_CONVERSATIONS = 200


class _Replay:
    """One conversation replayed so far: its events, the tracker after them, earlier states."""

    def __init__(self, domain: Any, tracker: Any) -> None:
        self.domain = domain  # held, so a reloaded model's domain never matches by id alone
        self.tracker = tracker
        self.events: list[Any] = []
        self.states: list[dict] = []

    def continues(self, applied: list[Any]) -> bool:
        """``applied`` starts with exactly the events replayed (the same objects)."""
        if len(self.events) > len(applied):
            return False
        head = applied[: len(self.events)]
        return all(mine is theirs for mine, theirs in zip(self.events, head, strict=True))


def _incremental_states() -> None:
    """Replay only the new events in ``Domain.states_for_tracker_history`` (rule turns kept)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted

    from burnout_assistant.bounded import LruDict

    if getattr(Domain, "_states_incremental", False):
        return
    original = Domain.states_for_tracker_history
    memo: LruDict[tuple, _Replay] = LruDict(STATE_MEMO_CONVERSATIONS)

    def states_for_tracker_history(
        self: Domain, tracker: Any, omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False, rule_only_data: dict | None = None,
    ) -> list[dict]:
        if ignore_rule_only_turns:  # the ML policies' variant (none configured here)
            return original(self, tracker, omit_unset_slots=omit_unset_slots,
                            ignore_rule_only_turns=True, rule_only_data=rule_only_data)
        applied = tracker.applied_events()
        key = (id(self), tracker.sender_id, omit_unset_slots, tracker.is_rule_tracker)
        replay = memo.get(key)
        if replay is None or replay.domain is not self or not replay.continues(applied):
            replay = memo[key] = _Replay(self, tracker.init_copy())

        def state() -> dict:
            return self._clean_state(
                self.get_active_state(replay.tracker, omit_unset_slots=omit_unset_slots))

        for event in applied[len(replay.events):]:
            if isinstance(event, ActionExecuted):  # the state before each action, as Rasa's
                replay.states.append(state())
            replay.tracker.update(event)
            replay.events.append(event)
        # Callers edit states in place (Rasa's featurizer deletes user text): copies out.
        copies = [{part: dict(sub) for part, sub in past.items()} for past in replay.states]
        return [*copies, state()]

    Domain.states_for_tracker_history = states_for_tracker_history
    Domain._states_incremental = True
    Domain._states_rasa = original  # Rasa's own, for the tests that compare both
