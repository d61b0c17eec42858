"""The cached SQL tracker store answers exactly as Rasa's own store, without reloading each turn."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest


@pytest.fixture
def rasa_parts():
    """Rasa's store and events, imported when a test runs (Rasa takes seconds to import)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    import deploy.tracker_store as module

    domain = Domain.from_yaml("""
version: "3.1"
intents: [greet]
slots:
  naam:
    type: text
    mappings: [{type: custom}]
responses:
  utter_hoi: [{text: hoi}]
""")
    return {"SQL": SQLTrackerStore, "module": module, "domain": domain,
            "Tracker": DialogueStateTracker, "ActionExecuted": ActionExecuted,
            "BotUttered": BotUttered, "SessionStarted": SessionStarted, "SlotSet": SlotSet,
            "UserUttered": UserUttered}


def run(coroutine):
    return asyncio.run(coroutine)


def count_calls(monkeypatch, owner: type, name: str) -> list[int]:
    """Calls of Rasa's own ``owner.name`` (sync or async) from now on, one entry each."""
    calls: list[int] = []
    original = getattr(owner, name)
    if inspect.iscoroutinefunction(original):
        async def counted(*args, **kwargs):
            calls.append(1)
            return await original(*args, **kwargs)
    else:
        def counted(*args, **kwargs):
            calls.append(1)
            return original(*args, **kwargs)
    monkeypatch.setattr(owner, name, counted)
    return calls


def turn(r, tracker, text: str, name: str | None = None) -> None:
    tracker.update(r["UserUttered"](text, {"name": "greet", "confidence": 1.0}))
    if name:
        tracker.update(r["SlotSet"]("naam", name))
    tracker.update(r["BotUttered"]("hoi"))
    tracker.update(r["ActionExecuted"]("action_listen"))


def states(tracker) -> tuple[list[dict], dict]:
    return [e.as_dict() for e in tracker.events], tracker.current_slot_values()


@pytest.fixture
def stores(rasa_parts, tmp_path: Path):
    """Two cached stores on one database (two processes) and Rasa's own store as the judge."""
    r = rasa_parts
    db = str(tmp_path / "tracker.db")
    made = [r["module"].CachedSQLTrackerStore(r["domain"], dialect="sqlite", db=db),
            r["module"].CachedSQLTrackerStore(r["domain"], dialect="sqlite", db=db),
            r["SQL"](r["domain"], dialect="sqlite", db=db)]
    yield made
    for store in made:
        store.engine.dispose()


def test_a_saved_conversation_is_not_loaded_again_and_equals_rasas(
        rasa_parts, stores, monkeypatch) -> None:
    r = rasa_parts
    cached, _, rasa_store = stores
    tracker = r["Tracker"]("ann", r["domain"].slots)
    for n in range(5):
        turn(r, tracker, f"bericht {n}", name="Ann" if n == 2 else None)
        run(cached.save(tracker))
        tracker = run(cached.retrieve("ann"))
    loads = count_calls(monkeypatch, r["SQL"], "_retrieve")
    from_cache = run(cached.retrieve("ann"))
    assert loads == []
    assert states(from_cache) == states(run(rasa_store.retrieve("ann")))
    assert from_cache.get_slot("naam") == "Ann"


def test_what_a_caller_adds_to_its_copy_is_not_in_the_next_answer(rasa_parts, stores) -> None:
    r = rasa_parts
    cached = stores[0]
    tracker = r["Tracker"]("bob", r["domain"].slots)
    turn(r, tracker, "hallo")
    run(cached.save(tracker))
    mine = run(cached.retrieve("bob"))
    turn(r, mine, "niet bewaard")
    assert len(run(cached.retrieve("bob")).events) == len(tracker.events)


def test_another_process_writing_the_conversation_is_seen(rasa_parts, stores) -> None:
    r = rasa_parts
    first, second, rasa_store = stores
    tracker = r["Tracker"]("cor", r["domain"].slots)
    turn(r, tracker, "een")
    run(first.save(tracker))
    run(first.retrieve("cor"))  # cached in the first process
    other = run(second.retrieve("cor"))
    turn(r, other, "twee", name="Cor")
    run(second.save(other))  # the next turn ran in another process (worker, replica)
    seen = run(first.retrieve("cor"))
    assert states(seen) == states(run(rasa_store.retrieve("cor")))
    assert seen.get_slot("naam") == "Cor"


def test_erased_conversation_is_gone_from_the_cache_too(rasa_parts, stores) -> None:
    r = rasa_parts
    cached = stores[0]
    tracker = r["Tracker"]("dirk", r["domain"].slots)
    turn(r, tracker, "hallo", name="Dirk")
    run(cached.save(tracker))
    assert run(cached.retrieve("dirk")) is not None
    with cached.session_scope() as session:  # what erasure and retention do
        session.query(cached.SQLEvent).filter(cached.SQLEvent.sender_id == "dirk").delete()
        session.commit()
    assert run(cached.retrieve("dirk")) is None


def test_a_new_session_is_cached_as_loading_would_give_it(rasa_parts, stores) -> None:
    r = rasa_parts
    cached, _, rasa_store = stores
    tracker = r["Tracker"]("eva", r["domain"].slots)
    turn(r, tracker, "oude sessie", name="Eva")
    run(cached.save(tracker))
    tracker = run(cached.retrieve("eva"))
    tracker.update(r["ActionExecuted"]("action_session_start"))
    tracker.update(r["SessionStarted"]())
    tracker.update(r["SlotSet"]("naam", "Eva"))  # carried over, as action_session_start does
    tracker.update(r["ActionExecuted"]("action_listen"))
    turn(r, tracker, "nieuwe sessie")
    run(cached.save(tracker))
    from_cache = run(cached.retrieve("eva"))
    from_db = run(rasa_store.retrieve("eva"))
    assert states(from_cache) == states(from_db)
    assert from_cache.events[0].type_name == "session_started"
    assert len(run(cached.retrieve_full_tracker("eva")).events) > len(from_cache.events)


def test_cache_size_zero_loads_every_time(rasa_parts, tmp_path: Path, monkeypatch) -> None:
    r = rasa_parts
    store = r["module"].CachedSQLTrackerStore(
        r["domain"], dialect="sqlite", db=str(tmp_path / "t.db"), cache_size="0")
    tracker = r["Tracker"]("fee", r["domain"].slots)
    turn(r, tracker, "hallo")
    run(store.save(tracker))
    loads = count_calls(monkeypatch, r["SQL"], "_retrieve")
    run(store.retrieve("fee"))
    run(store.retrieve("fee"))
    assert len(loads) == 2
    store.engine.dispose()


def test_memory_is_bounded(rasa_parts, tmp_path: Path) -> None:
    r = rasa_parts
    store = r["module"].CachedSQLTrackerStore(
        r["domain"], dialect="sqlite", db=str(tmp_path / "t.db"), cache_size=2)
    for sender in ("a", "b", "c"):
        tracker = r["Tracker"](sender, r["domain"].slots)
        turn(r, tracker, "hallo")
        run(store.save(tracker))
    assert list(store._cache) == ["b", "c"]
    assert run(store.retrieve("a")) is not None  # loaded from the database again
    store.engine.dispose()


def test_a_turn_saves_without_counting_and_stores_what_rasa_would(
        rasa_parts, stores, monkeypatch) -> None:
    r = rasa_parts
    cached, _, rasa_store = stores
    tracker = r["Tracker"]("gijs", r["domain"].slots)
    turn(r, tracker, "een")
    run(cached.save(tracker))  # nothing loaded before: Rasa's count query
    counted = count_calls(monkeypatch, r["SQL"], "_additional_events")
    for text in ("twee", "drie"):
        tracker = run(cached.retrieve("gijs"))
        turn(r, tracker, text, name="Gijs")
        run(cached.save(tracker))
    assert counted == []
    stored = run(rasa_store.retrieve("gijs"))
    assert [e.as_dict() for e in stored.events] == [e.as_dict() for e in tracker.events]
    assert cached._stamp("gijs") == cached._cache.peek("gijs")[0]  # known without a query
    # row for row what Rasa's own save writes for the same conversation
    twin = r["Tracker"]("gijs-rasa", r["domain"].slots)
    for event in tracker.events:
        twin.update(event)
    run(rasa_store.save(twin))

    def rows(sender: str) -> list[tuple]:
        table = rasa_store.SQLEvent.__table__
        with rasa_store.engine.connect() as connection:
            found = connection.execute(
                table.select().where(table.c.sender_id == sender).order_by(table.c.id))
            return [(row.type_name, row.timestamp, row.intent_name, row.action_name, row.data)
                    for row in found]

    assert rows("gijs") == rows("gijs-rasa")


def test_the_embedded_store_keeps_its_connections_and_writes_ahead(rasa_parts, stores) -> None:
    """SQLite: a pool instead of a new connection per query, WAL with synchronous=NORMAL on
    every connection; a reader on another connection sees each save at once."""
    r = rasa_parts
    cached, other, _ = stores
    assert cached.engine.pool.__class__.__name__ == "QueuePool"
    tracker = r["Tracker"]("wal", r["domain"].slots)
    turn(r, tracker, "hallo")
    run(cached.save(tracker))
    with cached.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert len(run(other.retrieve("wal")).events) == len(tracker.events)


def test_turns_alternating_between_two_processes_load_only_the_new_rows(
        rasa_parts, stores, monkeypatch) -> None:
    """Two Sanic workers: about every other turn lands on the process that did not serve the
    one before. It adds the other's rows to what it holds, and ends where Rasa's load ends."""
    r = rasa_parts
    first, second, rasa_store = stores
    tracker = r["Tracker"]("fien", r["domain"].slots)
    turn(r, tracker, "nul")
    run(first.save(tracker))
    run(second.retrieve("fien"))  # both processes have seen the conversation
    store_class, grown = r["module"].CachedSQLTrackerStore, []
    original = store_class._grown

    def watched(self, *args):
        result = original(self, *args)
        grown.append(result is not None)
        return result

    monkeypatch.setattr(store_class, "_grown", watched)
    for number in range(6):
        process = (first, second)[number % 2]
        tracker = run(process.retrieve("fien"))
        assert states(tracker) == states(run(rasa_store._retrieve("fien", False)))
        turn(r, tracker, f"bericht {number}", name=f"Fien {number}")
        run(process.save(tracker))
    assert grown == [True] * 5  # each turn after the first came from the other process
    assert run(first.retrieve("fien")).get_slot("naam") == "Fien 5"


def test_a_conversation_erased_and_begun_again_is_loaded_whole(rasa_parts, stores) -> None:
    """Erasure deletes every row; a new conversation under the same id then has more rows than
    the cache knew, but none of the old ones: nothing erased comes back from memory."""
    r = rasa_parts
    first, second, rasa_store = stores
    tracker = r["Tracker"]("gea", r["domain"].slots)
    turn(r, tracker, "oud", name="Gea")
    run(first.save(tracker))
    assert run(first.retrieve("gea")).get_slot("naam") == "Gea"
    with first.session_scope() as session:  # what erasure does, from another process
        session.query(first.SQLEvent).filter(first.SQLEvent.sender_id == "gea").delete()
        session.commit()
    again = r["Tracker"]("gea", r["domain"].slots)
    for text in ("nieuw", "en nog eens"):
        turn(r, again, text)
    run(second.save(again))
    seen = run(first.retrieve("gea"))
    assert states(seen) == states(run(rasa_store.retrieve("gea")))
    assert seen.get_slot("naam") is None
