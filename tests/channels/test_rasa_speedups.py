"""The server patches give Rasa's own answers: the reply validator and the event-type lookup."""

from __future__ import annotations

import inspect

import jsonschema
import pytest

VALID = {"events": [{"event": "slot", "name": "x", "value": 1}],
         "responses": [{"text": "hoi"}]}
INVALID = {"events": [{"name": "no event key"}], "responses": "not a list"}


@pytest.fixture(scope="module")
def rasa_speedups():
    """The patch module; importing ``channels`` installs it into Rasa, so it is imported
    when a test runs, not at collection (Rasa and TensorFlow take seconds to import)."""
    from channels import rasa_speedups

    return rasa_speedups


@pytest.fixture(scope="module")
def remote_action():
    """Rasa's RemoteAction, imported when a test runs: importing Rasa (and TensorFlow) at
    collection would slow every test run down, also those that never get here."""
    from rasa.core.actions.action import RemoteAction

    return RemoteAction


@pytest.fixture()
def fresh_rasa(monkeypatch, remote_action):
    """RemoteAction as if nothing had patched it yet (restored after the test)."""
    RemoteAction = remote_action
    monkeypatch.setattr(RemoteAction, "_validator_cached", False, raising=False)
    monkeypatch.setattr(RemoteAction, "_validate_action_result",
                        RemoteAction._validate_action_result)
    monkeypatch.delenv("RASA_SPEEDUPS", raising=False)
    return RemoteAction


def test_pinned_rasa_still_checks_the_schema_on_every_reply(rasa_speedups, remote_action) -> None:
    """If a Rasa upgrade fixes this upstream, this fails and the patch can go."""
    import rasa

    RemoteAction = remote_action
    assert rasa.__version__ == rasa_speedups.PINNED_RASA
    source = inspect.getsource(inspect.getmodule(RemoteAction))
    assert "validate(result, self.action_response_format_spec())" in source


def test_valid_reply_passes_without_rechecking_the_schema(
        rasa_speedups, fresh_rasa, monkeypatch) -> None:
    RemoteAction = fresh_rasa
    assert rasa_speedups.install()
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)

    def no_schema_check(*_args, **_kwargs):
        raise AssertionError("the schema was checked again")

    monkeypatch.setattr(validator_class, "check_schema", no_schema_check)
    assert RemoteAction("action_x", None)._validate_action_result(VALID) is True


def test_invalid_reply_raises_rasas_own_error(rasa_speedups, fresh_rasa) -> None:
    RemoteAction = fresh_rasa
    assert rasa_speedups.install()
    with pytest.raises(jsonschema.ValidationError) as error:
        RemoteAction("action_x", None)._validate_action_result(INVALID)
    assert "Failed to validate Action server response" in error.value.message


def _replies() -> list:
    """Valid replies of every event type our actions and forms send, and broken variants."""
    slot = {"event": "slot", "timestamp": None, "name": "check_answers", "value": {"q1": 3}}
    ask = {"text": "Vraag 2 van 11", "buttons": [{"title": "Vaak", "payload": "Vaak"}]}
    valid = [
        {"events": [], "responses": []},
        {"events": [slot, {"event": "slot", "name": "check_noted", "value": None}],
         "responses": [ask]},
        {"events": [{"event": "active_loop", "name": None},
                    {"event": "followup", "name": "action_listen"},
                    {"event": "reminder", "intent": "x", "date_time": "2026-12-03T10:00:00"},
                    {"event": "restart"}, {"event": "session_started"},
                    {"event": "bot", "text": "hoi", "data": {}, "metadata": {}}],
         "responses": [{"response": "utter_crisis"}]},
        {"events": [{"event": "user", "text": "hoi", "parse_data": {
            "intent": {"name": "greet", "confidence": 0.9}, "entities": []}}]},
    ]
    invalid = [
        {"events": [{"event": "no such event"}]},
        {"events": [{"event": "slot", "name": 5, "value": 1}]},
        {"events": [{"name": "no event key"}]},
        {"events": [{"event": 7}]},
        {"events": "not a list"},
        {"events": [], "responses": "not a list"},
        {"events": [{"event": "user", "parse_data": {"intent": {"confidence": "high"}}}]},
        {"events": [slot, {"event": "action", "name": 3}]},
        "not an object",
    ]
    return valid + invalid


def test_the_reply_check_decides_as_the_whole_schema_does(rasa_speedups, remote_action) -> None:
    schema = remote_action.action_response_format_spec()
    whole = jsonschema.validators.validator_for(schema)(schema)
    check = rasa_speedups.reply_checker(schema)
    verdicts = [(check(reply), whole.is_valid(reply)) for reply in _replies()]
    assert all(ours == rasas for ours, rasas in verdicts), verdicts
    assert [rasas for _, rasas in verdicts].count(True) == 4  # the valid ones are valid


def test_a_schema_without_named_branches_is_checked_whole(rasa_speedups) -> None:
    schema = {"type": "object", "properties": {"events": {"type": "array", "items": {
        "type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}]}}}}
    check = rasa_speedups.reply_checker(schema)
    assert check({"events": [{"a": 1}]}) and not check({"events": [{"a": 1, "b": 2}]})


def test_off_switch_leaves_rasa_alone(rasa_speedups, fresh_rasa, monkeypatch) -> None:
    RemoteAction = fresh_rasa
    monkeypatch.setenv("RASA_SPEEDUPS", "off")
    before = RemoteAction._validate_action_result
    assert rasa_speedups.install() is False
    assert RemoteAction._validate_action_result is before


def test_pinned_rasa_still_walks_every_event_subclass_per_event() -> None:
    """If a Rasa upgrade caches this itself, this fails and the patch can go."""
    from rasa.shared.core import events

    source = inspect.getsource(events)
    assert "for cls in rasa.shared.utils.common.all_subclasses(Event):" in source
    assert "__init_subclass__" not in source  # ours is the only hook


@pytest.fixture()
def event_lookup(rasa_speedups):
    """Rasa's Event with the cached lookup installed (as the server has it)."""
    from rasa.shared.core.events import Event

    assert rasa_speedups.install()
    assert Event._types_cached
    return Event


def test_cached_event_lookup_answers_as_rasa_does_for_every_event_type(event_lookup) -> None:
    import rasa.shared.utils.common as common

    Event = event_lookup
    subclasses = common.all_subclasses(Event)
    names = {cls.type_name for cls in subclasses}
    assert {"user", "bot", "slot", "action", "session_started", "active_loop"} <= names
    for name in names:
        rasa_answer = next(cls for cls in subclasses if cls.type_name == name)
        assert Event.resolve_by_type(name) is rasa_answer
        assert Event.resolve_by_type(name) is rasa_answer  # the second answer is remembered
    assert Event.resolve_by_type("topic") is None  # Rasa's backwards-compatibility case
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")
    bot = Event.resolve_by_type("bot")
    assert Event.resolve_by_type("no-such-event", default=bot) is bot
    assert Event.resolve_by_type("no-such-event", default=bot) is bot  # defaults not remembered
    with pytest.raises(ValueError):
        Event.resolve_by_type("no-such-event")


def test_a_later_event_class_is_found(event_lookup) -> None:
    Event = event_lookup
    assert Event.resolve_by_type("bench-later", default=Event) is Event  # not yet known

    class Later(Event):  # defined after the cache filled
        type_name = "bench-later"

        def __eq__(self, other):
            return isinstance(other, Later)

        def __hash__(self):
            return 1

        def as_story_string(self):
            return None

    assert Event.resolve_by_type("bench-later") is Later


def test_events_round_trip_through_the_lookup(event_lookup) -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    Event = event_lookup
    for event in [UserUttered("hoi", {"name": "greet", "confidence": 1.0}), BotUttered("hallo"),
                  SlotSet("check_band", "laag"), ActionExecuted("action_listen")]:
        assert Event.from_parameters(event.as_dict()) == event


def test_action_requests_are_encoded_with_the_same_json_values(rasa_speedups) -> None:
    import asyncio
    import json

    from rasa.utils.endpoints import EndpointConfig

    assert rasa_speedups.install()
    body = {"next_action": "validate_symptom_check_form", "tracker": {"events": [
        {"event": "user", "text": "vaak / soms é \\u2028", "timestamp": 1764771234.123456,
         "parse_data": {"intent": {"name": "inform", "confidence": 0.948479712}}},
        {"event": "slot", "name": "check_answers", "value": {"vermoeidheid": 3}},
        {"event": "bot", "text": None, "data": {"buttons": []}}]}, "nan": float("nan")}
    text = rasa_speedups.dumps(body)
    again = json.loads(text)
    assert again.pop("nan") != again.get("nan")  # NaN stays NaN, as json.dumps writes it
    assert again == {k: v for k, v in body.items() if k != "nan"}

    async def serializer():
        session = EndpointConfig("http://127.0.0.1:1/webhook").session()
        try:
            return session.json_serialize
        finally:
            await session.close()

    assert asyncio.run(serializer()) is rasa_speedups.dumps


def test_what_ujson_refuses_goes_through_json_dumps(rasa_speedups) -> None:
    import json

    class Odd(float):
        pass

    value = {"big": 10**40, "odd": Odd(1.5)}
    assert json.loads(rasa_speedups.dumps(value)) == json.loads(json.dumps(value))
    with pytest.raises(TypeError):
        rasa_speedups.dumps({"not": object()})  # still refused, as json.dumps refuses it


def test_pinned_rasa_still_builds_a_session_with_the_default_encoder() -> None:
    import aiohttp
    from rasa.utils import endpoints

    source = inspect.getsource(endpoints.EndpointConfig)
    assert "json_serialize" not in source
    assert "return aiohttp.ClientSession(" in source
    assert "_json_serialize" in aiohttp.ClientSession.ATTRS


def test_pinned_rasa_still_replays_the_whole_history_for_every_state() -> None:
    from rasa.shared.core import domain, trackers

    assert "for tr, hide_rule_turn in tracker.generate_all_prior_trackers():" in (
        inspect.getsource(domain.Domain.states_for_tracker_history)
        if not getattr(domain.Domain, "_states_incremental", False)
        else inspect.getsource(domain.Domain._states_rasa))
    assert "yield tracker, False" in inspect.getsource(trackers.DialogueStateTracker)


def _conversation_events(rng):
    """A plausible random stretch of a conversation: user turns, actions, slots, a form that
    is activated, interrupted and rejected, reverted turns and a restart now and then."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionExecutionRejected,
        ActiveLoop,
        BotUttered,
        Restarted,
        SlotSet,
        UserUtteranceReverted,
        UserUttered,
    )

    intents = ["greet", "faq", "inform", "affirm", "deny", "stop", "start_symptom_check"]
    yield ActionExecuted("action_listen")
    for _ in range(rng.randint(25, 60)):
        roll = rng.random()
        yield UserUttered("x", {"name": rng.choice(intents), "confidence": 1.0})
        if roll < 0.15:  # the second form is named late: earlier events count anew
            form = rng.choice(["symptom_check_form", "symptom_check_form", "booking_form"])
            yield ActionExecuted(form)
            yield ActiveLoop(form)
            yield SlotSet("requested_slot", "check_answer")
        elif roll < 0.25:
            yield ActionExecutionRejected("symptom_check_form")
            yield ActionExecuted("utter_faq")
            yield BotUttered("antwoord")
        elif roll < 0.32:
            yield UserUtteranceReverted()
        elif roll < 0.36:
            yield ActiveLoop(None)
            yield SlotSet("requested_slot", None)
        elif roll < 0.38:
            yield Restarted()
        else:
            yield SlotSet("check_stop_asked", rng.random() < 0.5)
            yield ActionExecuted(rng.choice(["utter_greet", "action_start_check", "utter_faq"]))
            yield BotUttered("hoi")
        yield ActionExecuted("action_listen")


def test_incremental_states_equal_rasas_at_every_step_of_random_conversations(
        rasa_speedups) -> None:
    import random
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    assert rasa_speedups.install()
    domain = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))
    rasa_own = Domain._states_rasa
    for seed in range(6):
        rng = random.Random(seed)
        tracker = DialogueStateTracker(f"visitor-{seed}", domain.slots)
        for number, event in enumerate(_conversation_events(rng)):
            tracker.update(event)
            if number % 3 == 0 or isinstance(event, type(None)):
                ours = tracker.past_states(domain)
                assert ours == rasa_own(domain, tracker), (seed, number)
                # a caller that edits its states in place does not change the next answer
                for state in ours:
                    state.get("user", {}).pop("text", None)
                    state.clear()
                assert tracker.past_states(domain) == rasa_own(domain, tracker)
        # the same conversation loaded afresh (new event objects): replayed from the start
        again = DialogueStateTracker.from_dict(
            tracker.sender_id, [e.as_dict() for e in tracker.events], domain.slots)
        assert again.past_states(domain) == rasa_own(domain, again)


def test_a_copy_of_the_tracker_continues_the_replay_a_rewind_restarts_it(rasa_speedups) -> None:
    import random
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    assert rasa_speedups.install()
    domain = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))
    tracker = DialogueStateTracker("copy-visitor", domain.slots)
    for event in _conversation_events(random.Random(99)):
        tracker.update(event)
    tracker.past_states(domain)
    turn = tracker.copy()  # as the tracker store hands a turn its own copy
    turn.update(UserUttered("nog iets", {"name": "faq", "confidence": 1.0}))
    turn.update(ActionExecuted("utter_faq"))
    assert turn.past_states(domain) == Domain._states_rasa(domain, turn)
    earlier = tracker.travel_back_in_time(tracker.events[len(tracker.events) // 2].timestamp)
    assert earlier.past_states(domain) == Domain._states_rasa(domain, earlier)


def test_pinned_rasa_still_matches_rules_against_every_earlier_state() -> None:
    """If Rasa bounds the states itself one day, this fails and the bound can go."""
    from rasa.core.policies.rule_policy import RulePolicy

    assert "for i, state in enumerate(reversed(states)):" in inspect.getsource(
        RulePolicy._get_possible_keys)
    assert "if turn_index >= len(reversed_rule_states):" in inspect.getsource(
        RulePolicy._is_rule_applicable)


def _story_events(domain) -> list:
    """Every test story of the project, one after the other, as one long conversation."""
    from pathlib import Path

    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    events = []
    for path in sorted((Path(__file__).parents[1] / "stories").glob("*.yml")):
        for step in YAMLStoryReader(domain).read_from_file(str(path)):
            events.extend(step.explicit_events(domain))
    return events


@pytest.mark.model
def test_bounded_rule_states_predict_as_rasa_does_over_a_long_conversation(agent) -> None:
    """At every action of all test stories played as one conversation, the loaded RulePolicy
    (shown only its last states) predicts exactly what it predicts when shown them all."""
    from rasa.core.policies.rule_policy import RULES, RulePolicy
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    policy = next(node._component for node in agent.processor.graph_runner._instantiated_nodes
                  .values() if isinstance(node._component, RulePolicy))
    tail = policy._state_tail
    assert 1 < tail < 20
    domain = agent.domain
    tracker = DialogueStateTracker("long-visitor", domain.slots)
    by_rule = past_tail = 0
    for event in _story_events(domain):
        if isinstance(event, ActionExecuted):
            bounded, bounded_source = policy._predict(tracker, domain)
            policy._state_tail = None
            try:
                full, full_source = policy._predict(tracker, domain)
                states = len(tracker.past_states(domain))
            finally:
                policy._state_tail = tail
            assert (bounded.probabilities, bounded.events, bounded.hide_rule_turn,
                    bounded.is_end_to_end_prediction, bounded.is_no_user_prediction) == (
                full.probabilities, full.events, full.hide_rule_turn,
                full.is_end_to_end_prediction, full.is_no_user_prediction), event.action_name
            if full_source in policy.lookup[RULES]:
                assert bounded_source == full_source
                by_rule += 1
            past_tail += states > tail
        tracker.update(event)
    assert by_rule > 50 and past_tail > 100  # rules matched, and far past the bound


def _same_tracker(ours, rasa) -> None:
    """Every attribute alike: the same event objects, equal slots (definition and value)."""
    mine, theirs = dict(vars(ours)), dict(vars(rasa))
    assert list(mine.pop("events")) == list(theirs.pop("events"))
    assert all(a is b for a, b in zip(ours.events, rasa.events, strict=True))
    assert {n: vars(s) for n, s in mine.pop("slots").items()} == {
        n: vars(s) for n, s in theirs.pop("slots").items()}
    assert mine == theirs


def test_pinned_rasa_still_folds_all_events_for_applied_events_and_copies() -> None:
    """If Rasa changes either fold, this fails: the incremental ones copy its steps."""
    import hashlib

    from rasa.shared.core.trackers import DialogueStateTracker as Tracker

    def digest(method) -> str:
        return hashlib.sha256(inspect.getsource(method).encode()).hexdigest()[:16]

    applied = getattr(Tracker, "_applied_rasa", Tracker.applied_events)
    assert digest(applied) == "764d5065ea9997d6"
    assert "return self.travel_back_in_time(float(\"inf\"))" in inspect.getsource(
        getattr(Tracker, "_copy_rasa", Tracker.copy))
    assert "tracker = self.init_copy()" in inspect.getsource(Tracker.travel_back_in_time)


def test_incremental_applied_events_and_copies_equal_rasas_at_every_step(rasa_speedups) -> None:
    import random
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker as Tracker

    assert rasa_speedups.install()
    domain = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))
    for seed in range(8):
        rng = random.Random(seed)
        tracker = Tracker(f"fold-{seed}", domain.slots)
        for number, event in enumerate(_conversation_events(rng)):
            tracker.update(event)
            if number % 5 == 0:  # changed without an event: a copy (a replay) leaves it out
                tracker.slots[rng.choice(sorted(tracker.slots))].value = "direct"
                tracker.followup_action = "utter_direct"
            applied = tracker.applied_events()
            assert [id(e) for e in applied] == [id(e) for e in Tracker._applied_rasa(tracker)]
            applied.clear()  # a caller's edits do not reach the next answer
            if number % 2 == 0:
                made = tracker.copy()
                _same_tracker(made, Tracker._copy_rasa(tracker))
                # the copy is the caller's own: what it adds reaches neither tracker nor memo
                made.update(SlotSet("check_stop_asked", True))
                made.update(UserUttered("nog iets", {"name": "faq", "confidence": 1.0}))
                _same_tracker(tracker.copy(), Tracker._copy_rasa(tracker))
        # a rewind, and the same conversation loaded afresh (new event objects)
        earlier = tracker.travel_back_in_time(tracker.events[len(tracker.events) // 2].timestamp)
        again = Tracker.from_dict(
            tracker.sender_id, [e.as_dict() for e in tracker.events], domain.slots)
        for other in (earlier, again, tracker):
            assert [id(e) for e in other.applied_events()] == [
                id(e) for e in Tracker._applied_rasa(other)]
            _same_tracker(other.copy(), Tracker._copy_rasa(other))


def test_a_copy_takes_slot_definitions_from_the_tracker_it_copies(rasa_speedups) -> None:
    """A new model may start a slot elsewhere: the kept replay is then not reused."""
    import copy
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker as Tracker

    assert rasa_speedups.install()
    domain = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))
    events = [ActionExecuted("action_listen"), UserUttered("hoi", {"name": "greet"})]
    tracker = Tracker.from_events("slot-visitor", events, domain.slots)
    _same_tracker(tracker.copy(), Tracker._copy_rasa(tracker))
    slots = [copy.copy(slot) for slot in domain.slots]
    slots[0].initial_value = "Praktijk Anders"
    changed = Tracker.from_events("slot-visitor", events, slots)
    made = changed.copy()
    _same_tracker(made, Tracker._copy_rasa(changed))
    assert made.slots[slots[0].name].value == "Praktijk Anders"


def test_a_form_named_only_later_makes_its_earlier_runs_count_as_rasa_counts_them(
        rasa_speedups) -> None:
    """Two runs of a form before its loop starts: Rasa folds the second one away once the
    form's name is known; a fold kept from before must not keep it."""
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker as Tracker

    assert rasa_speedups.install()
    tracker = Tracker("late-form", [])
    for event in (ActionExecuted("action_listen"), UserUttered("a", {"name": "inform"}),
                  ActionExecuted("booking_form"), ActionExecuted("action_listen"),
                  UserUttered("b", {"name": "inform"}), ActionExecuted("booking_form")):
        tracker.update(event)
        tracker.applied_events()  # the fold is kept before the form's name is known
    tracker.update(ActiveLoop("booking_form"))
    ours = tracker.applied_events()
    assert [id(e) for e in ours] == [id(e) for e in Tracker._applied_rasa(tracker)]
    assert len(ours) < len(tracker.events)  # Rasa did fold events away here
