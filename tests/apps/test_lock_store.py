"""The atomic lock stores (Redis, SQLite) keep tickets unique when several processes take
them at once, and two processes take turns on one conversation."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid

import pytest


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["redis", "sqlite"])
def make_store(request, tmp_path):
    """Stores as separate processes would have them: each with its own connection."""
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    prefix = f"locktest{uuid.uuid4().hex[:8]}"
    if request.param == "redis":
        if not _redis_up():
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
    from deploy.lock_store import AtomicTickets

    store = make_store()
    assert isinstance(store, AtomicTickets)
    assert store.get_lock("nobody") is None


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
