"""The atomic lock stores (Redis, SQLite) keep tickets unique when several processes take
them at once, and two processes take turns on one conversation."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import pytest

from burnout_assistant.apps.processes import listening


@pytest.fixture(params=["redis", "sqlite"])
def make_store(request, tmp_path):
    """Stores as separate processes would have them: each with its own connection."""
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    prefix = f"locktest{uuid.uuid4().hex[:8]}"
    if request.param == "redis":
        if not listening(6379):
            pytest.skip("no Redis at 127.0.0.1:6379")
        config = EndpointConfig(url="127.0.0.1", type="deploy.lock_store.AtomicRedisLockStore",
                                port=6379, db=6, key_prefix=prefix)
    else:
        config = EndpointConfig(type="deploy.lock_store.SQLiteLockStore",
                                db=str(tmp_path / "locks.db"))
    made = []

    def make():
        store = LockStore.create(config)  # how Rasa builds it from endpoints.yml
        made.append(store)
        return store

    yield make
    if request.param == "redis" and made:
        for key in made[0].red.keys(f"{prefix}:*"):
            made[0].red.delete(key)


def test_rasa_builds_it_from_the_endpoint_config(make_store) -> None:
    from deploy.lock_store import AtomicRedisLockStore, SQLiteLockStore

    store = make_store()
    assert isinstance(store, AtomicRedisLockStore | SQLiteLockStore)
    assert store.get_lock("nobody") is None


def test_expired_tickets_are_dropped_and_a_finish_never_recreates_a_lock(make_store) -> None:
    store = make_store()
    stale = store.issue_ticket("visitor", lock_lifetime=-1)  # expired when issued
    fresh = store.issue_ticket("visitor", lock_lifetime=60)
    assert (stale, fresh) == (0, 0)  # the expired one was dropped first: numbering restarts
    lock = store.get_lock("visitor")
    assert [t.number for t in lock.tickets] == [0] and not lock.is_locked(fresh)
    assert store.issue_ticket("visitor") == 1
    store.finish_serving("visitor", 0)
    assert [t.number for t in store.get_lock("visitor").tickets] == [1]
    store.cleanup("visitor", 1)
    assert store.get_lock("visitor") is None
    store.finish_serving("visitor", 1)
    store.update_lock("visitor")
    assert store.get_lock("visitor") is None  # nothing brought it back


@pytest.fixture
def redis_prefix():
    """A key prefix of this test in the local Redis (db 6); its keys are deleted after."""
    if not listening(6379):
        pytest.skip("no Redis at 127.0.0.1:6379")
    import redis

    prefix = f"locktest{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis(host="127.0.0.1", port=6379, db=6)
    for key in client.keys(f"{prefix}:*"):
        client.delete(key)
    client.close()


def test_the_stored_lock_is_rasas_own_text(redis_prefix) -> None:
    """Rasa's own RedisLockStore (a replica not yet upgraded) reads what this one writes."""
    from rasa.core.lock_store import RedisLockStore

    from deploy.lock_store import AtomicRedisLockStore

    ours = AtomicRedisLockStore(host="127.0.0.1", port=6379, db=6, key_prefix=redis_prefix)
    rasas = RedisLockStore(host="127.0.0.1", port=6379, db=6, key_prefix=redis_prefix)
    ours.issue_ticket('zeg "hoi" / \\ é', lock_lifetime=30)
    assert rasas.issue_ticket('zeg "hoi" / \\ é') == 1
    lock = ours.get_lock('zeg "hoi" / \\ é')
    assert lock.conversation_id == 'zeg "hoi" / \\ é'
    assert [t.number for t in lock.tickets] == [0, 1]
    assert 29 < lock.tickets[0].expires - time.time() <= 30


def test_a_turn_costs_the_redis_store_three_round_trips(redis_prefix, monkeypatch) -> None:
    """Issue, one look while waiting, finish: one round trip each (it was eight)."""
    import redis

    from deploy.lock_store import AtomicRedisLockStore

    store = AtomicRedisLockStore(host="127.0.0.1", port=6379, db=6, key_prefix=redis_prefix)
    store.get_lock("warm-up")  # the connection exists before counting
    store.issue_ticket("warm-up")  # and the script is loaded
    sent: list[bytes] = []
    original = redis.connection.Connection.send_packed_command

    def counted(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counted)

    async def turn() -> None:
        async with store.lock("visitor", wait_time_in_seconds=0.01):
            pass

    asyncio.run(turn())
    assert len(sent) == 3
    assert store.get_lock("visitor") is None


def test_tickets_drawn_at_once_by_many_processes_are_unique(make_store) -> None:
    stores = [make_store() for _ in range(8)]
    drawn: list[int] = []
    barrier = threading.Barrier(len(stores))

    def draw(store) -> None:
        barrier.wait()
        for _ in range(10):
            drawn.append(store.issue_ticket("visitor"))

    threads = [threading.Thread(target=draw, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(drawn) == list(range(80))
    assert len(stores[0].get_lock("visitor").tickets) == 80


def test_the_lock_goes_with_its_last_ticket_and_not_before(make_store) -> None:
    first, second = make_store(), make_store()
    one = first.issue_ticket("visitor")
    two = second.issue_ticket("visitor")
    first.cleanup("visitor", one)
    assert second.get_lock("visitor") is not None  # the second is still waiting
    assert not second.get_lock("visitor").is_locked(two)  # and is served now
    second.cleanup("visitor", two)
    assert first.get_lock("visitor") is None


def test_two_processes_take_turns_on_one_conversation(make_store) -> None:
    first, second = make_store(), make_store()
    order: list[str] = []

    async def turn(store, name: str) -> None:
        async with store.lock("visitor", wait_time_in_seconds=0.05):
            order.append(f"{name} in")
            await asyncio.sleep(0.2)
            order.append(f"{name} out")

    async def both() -> None:
        await asyncio.gather(turn(first, "a"), turn(second, "b"))

    asyncio.run(both())
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    assert first.get_lock("visitor") is None
