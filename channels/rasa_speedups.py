"""Measured fixes for the Rasa server's biggest per-turn costs (bench/PROFILE.md).

1. Rasa 3.6 checks every action-server reply with ``jsonschema.validate(reply, schema)``, and
   that call first re-checks the constant schema against the JSON Schema meta-schema: ~15 of
   ~17 ms per reply, a third of the server's CPU per turn. Here the validator is built once,
   and each event is checked against the one ``oneOf`` branch its ``event`` name selects
   (every branch fixes that name with ``const``, so no other branch can match): 1.1 ->
   0.13 ms per reply. A reply found invalid goes through Rasa's own check, with its errors.
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
5. ``RulePolicy`` then matches its rules against the states of the whole conversation: it
   copies them, rewrites them, formats them for a debug line nobody reads and filters its rule
   keys once per earlier state, although a rule can only look at as many states as it is long.
   A policy loaded from a trained model (whose rules no longer change) is handed only the last
   states its longest rule can look at; a rule that is shorter than what it is shown passes on
   the older states in Rasa's own ``_is_rule_applicable``, so the same rules match.

Tied to the pinned Rasa (3.6.21): ``tests/channels/test_rasa_speedups.py`` notices when Rasa
changes a method replaced here. ``RASA_SPEEDUPS=off`` runs stock Rasa (the benchmark's
baseline does).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

PINNED_RASA = "3.6.21"


def enabled() -> bool:
    return os.environ.get("RASA_SPEEDUPS", "on").lower() not in ("off", "0", "false")


def install() -> bool:
    """Install the fixes; False when switched off or when Rasa is not the pinned version."""
    if not enabled():
        return False
    import rasa

    if rasa.__version__ != PINNED_RASA:
        return False
    _cache_reply_validator()
    _cache_event_types()
    _fast_request_json()
    _incremental_states()
    _bounded_rule_states()
    _incremental_applied_events()
    _incremental_copies()
    return True


def _cache_reply_validator() -> None:
    """Replace ``RemoteAction._validate_action_result`` with a validator built once."""
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction, "_validator_cached", False):
        return
    original = RemoteAction._validate_action_result
    is_valid = reply_checker(RemoteAction.action_response_format_spec())

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if is_valid(result):
            return True
        return original(self, result)  # Rasa's own message and exception for a bad reply

    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction._validator_cached = True


def reply_checker(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """Whether a reply is valid under ``schema``, with validators built once.

    When every branch of the events' ``oneOf`` fixes the event name with a distinct ``const``,
    a valid event matches exactly the branch of its name, so that branch alone is checked
    after the rest of the schema; otherwise the whole schema is, as Rasa does.
    """
    import jsonschema

    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    rest = copy.deepcopy(schema)
    items = rest.get("properties", {}).get("events", {}).get("items", {})
    branches = items.pop("oneOf", None) or []
    names = [b.get("properties", {}).get("event", {}).get("const") for b in branches]
    if not branches or not all(isinstance(n, str) for n in names) or len(set(names)) < len(names):
        return validator_class(schema).is_valid
    without_branches = validator_class(rest)
    by_name = {name: validator_class(branch) for name, branch in zip(names, branches, strict=True)}

    def is_valid(reply: Any) -> bool:
        if not without_branches.is_valid(reply):
            return False
        for event in reply.get("events") or []:
            branch = by_name.get(event["event"])
            if branch is None or not branch.is_valid(event):
                return False
        return True

    return is_valid


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


STATE_MEMO_CONVERSATIONS = 100  # conversations going on at once, per process
# How many of the latest states a caller needs (None: all); set around RulePolicy's featurizer.
_STATE_TAIL: ContextVar[int | None] = ContextVar("rasa_speedups_state_tail", default=None)


class _Prefix:
    """Work done on the first events of a conversation, valid for any later list of events
    that starts with exactly those events (the same objects: a tracker's copies share them)."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def continues(self, events: list[Any]) -> bool:
        if len(self.events) > len(events):
            return False
        head = events[: len(self.events)]
        return all(mine is theirs for mine, theirs in zip(self.events, head, strict=True))


class _Replay(_Prefix):
    """One conversation replayed so far: its events, the tracker after them, earlier states."""

    def __init__(self, domain: Any, tracker: Any) -> None:
        super().__init__()
        self.domain = domain  # held, so a reloaded model's domain never matches by id alone
        self.tracker = tracker
        self.states: list[dict] = []


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
        tail = _STATE_TAIL.get()
        earlier = (replay.states if tail is None
                   else replay.states[max(0, len(replay.states) - (tail - 1)):])
        # Callers edit states in place (Rasa's featurizer deletes user text): copies out.
        copies = [{part: dict(sub) for part, sub in past.items()} for past in earlier]
        return [*copies, state()]

    Domain.states_for_tracker_history = states_for_tracker_history
    Domain._states_incremental = True
    Domain._states_rasa = original  # Rasa's own, for the tests that compare both


def _longest_rule(policy: Any) -> int:
    """How many states the longest of the policy's rules (happy or unhappy loop) looks at."""
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH

    keys = [*policy.lookup.get(RULES, {}), *policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
    return max((len(policy._rule_key_to_state(key)) for key in keys), default=1)


def _bounded_rule_states() -> None:
    """Hand a loaded ``RulePolicy`` only the last states its longest rule can match."""
    from rasa.core.policies.rule_policy import RulePolicy

    if getattr(RulePolicy, "_states_bounded", False):
        return
    load = RulePolicy.load.__func__
    states = RulePolicy._prediction_states

    def load_bounded(cls: type, *args: Any, **kwargs: Any) -> Any:
        policy = load(cls, *args, **kwargs)
        # Set only on a loaded policy: while training, the rules are still being collected.
        policy._state_tail = max(_longest_rule(policy), 1)
        return policy

    def _prediction_states(self: Any, *args: Any, **kwargs: Any) -> list[dict]:
        token = _STATE_TAIL.set(getattr(self, "_state_tail", None))
        try:
            return states(self, *args, **kwargs)
        finally:
            _STATE_TAIL.reset(token)

    RulePolicy.load = classmethod(load_bounded)  # type: ignore[assignment]
    RulePolicy._prediction_states = _prediction_states
    RulePolicy._states_bounded = True


class _Applied(_Prefix):
    """A conversation's applied events so far, and the names of the loops its events start."""

    def __init__(self, events: list[Any] | None = None, loops: set[str] | None = None,
                 applied: list[Any] | None = None) -> None:
        super().__init__()
        self.events = events or []
        self.loops = loops or set()
        self.applied = applied or []


def _incremental_applied_events() -> None:
    """Fold only the new events in ``DialogueStateTracker.applied_events``."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        ActiveLoop,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    from burnout_assistant.bounded import LruDict

    if getattr(DialogueStateTracker, "_applied_incremental", False):
        return
    memo: LruDict[tuple, _Applied] = LruDict(STATE_MEMO_CONVERSATIONS)

    def applied_events(self: DialogueStateTracker) -> list[Any]:
        events = list(self.events)
        key = (self.sender_id, self.is_rule_tracker)
        done = memo.get(key)
        if done is not None and done.continues(events):
            new = events[len(done.events):]
            if not new:
                return list(done.applied)
            loops = done.loops | {e.name for e in new if isinstance(e, ActiveLoop) and e.name}
            if loops != done.loops:  # Rasa checks every loop execution against all names
                done = None
        else:
            done = None
        if done is None:
            done, new = _Applied(), events
            loops = {e.name for e in events if isinstance(e, ActiveLoop) and e.name}
        applied = list(done.applied)
        for event in new:  # Rasa's fold (3.6.21), event by event
            if isinstance(event, Restarted | SessionStarted):
                applied = []
            elif isinstance(event, ActionReverted):
                self._undo_till_previous(ActionExecuted, applied)
            elif isinstance(event, UserUtteranceReverted):
                self._undo_till_previous(UserUttered, applied)
                self._undo_till_previous(ActionExecuted, applied)
            elif (
                isinstance(event, ActionExecuted)
                and event.action_name in loops
                and not self._first_loop_execution_or_unhappy_path(event.action_name, applied)
            ):
                self._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
        memo[key] = _Applied(events, loops, applied)
        return list(applied)

    DialogueStateTracker._applied_rasa = DialogueStateTracker.applied_events
    DialogueStateTracker.applied_events = applied_events
    DialogueStateTracker._applied_incremental = True


class _Copied(_Prefix):
    """A private tracker that replayed a conversation's events so far from a fresh start."""

    def __init__(self, tracker: Any) -> None:
        super().__init__()
        self.tracker = tracker.init_copy()  # what Rasa's copy starts from
        self.initial = {name: slot.initial_value for name, slot in tracker.slots.items()}

    def fits(self, tracker: Any) -> bool:
        """Starting afresh from ``tracker`` would give this start (its slots begin alike)."""
        mine = self.tracker
        return (mine._max_event_history == tracker._max_event_history
                and self.initial.keys() == tracker.slots.keys()
                and all(self.initial[name] == slot.initial_value
                        for name, slot in tracker.slots.items()))


def _incremental_copies() -> None:
    """``DialogueStateTracker.copy`` replays only the new events onto a kept replay."""
    import copy as copying
    from collections import deque

    from rasa.shared.core.trackers import DialogueStateTracker

    from burnout_assistant.bounded import LruDict

    if getattr(DialogueStateTracker, "_copy_incremental", False):
        return
    original = DialogueStateTracker.copy
    memo: LruDict[tuple, _Copied] = LruDict(STATE_MEMO_CONVERSATIONS)

    def copy(self: DialogueStateTracker) -> DialogueStateTracker:
        if type(self.slots) is not dict:  # no domain: Rasa's AnySlotDict
            return original(self)
        events = list(self.events)
        key = (self.sender_id, self.is_rule_tracker)
        done = memo.get(key)
        if done is None or not done.fits(self) or not done.continues(events):
            done = memo[key] = _Copied(self)
        for event in events[len(done.events):]:
            done.tracker.update(event)
            done.events.append(event)
        replayed = done.tracker
        made = copying.copy(replayed)  # sender, flags, latest message/utterance/action name
        made.events = deque(replayed.events, maxlen=replayed.events.maxlen)
        made.slots = {}
        for name, slot in self.slots.items():  # the slots' definitions come from self
            own = made.slots[name] = copying.copy(slot)
            own._value = replayed.slots[name]._value
            own._has_been_set = replayed.slots[name]._has_been_set
        made.latest_action = copying.copy(replayed.latest_action)
        made.active_loop = copying.deepcopy(replayed.active_loop)
        return made

    DialogueStateTracker._copy_rasa = original
    DialogueStateTracker.copy = copy
    DialogueStateTracker._copy_incremental = True
