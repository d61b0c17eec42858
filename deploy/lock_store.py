"""Rasa's Redis lock store with its read-modify-write steps made atomic.

Why: Rasa 3.6's ``RedisLockStore`` issues a ticket by reading the conversation's lock, adding a
ticket and writing it back, and finishes by reading, removing and writing again (or deleting
the key when nobody seems to wait). Two processes doing that for one conversation at the same
moment can both draw the same ticket, or one deletes the lock the other just joined
(rasa#9213). With one Rasa process per replica and routing by sender that never met: with
several Sanic workers per replica, two messages of one conversation can reach two processes.

Each step here is one optimistic Redis transaction (WATCH, compute, MULTI/EXEC, retried when the
key changed in between), so tickets stay unique and a lock is only deleted when it is truly
empty. Everything else (waiting, lifetimes, the key format) is Rasa's own.

Used in ``endpoints.scaled.yml`` as ``type: deploy.lock_store.AtomicRedisLockStore``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
MAX_ATTEMPTS = 50  # contention on one conversation is two or three messages, not fifty


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose ticket changes are single Redis transactions."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its path
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Apply ``change`` to the stored lock in one transaction; an empty lock is deleted."""
        import redis

        key = self.key_prefix + conversation_id
        for _ in range(MAX_ATTEMPTS):
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = (TicketLock.from_dict(json.loads(raw)) if raw
                            else TicketLock(conversation_id))
                    result = change(lock)
                    pipe.multi()
                    if lock.tickets:
                        pipe.set(key, lock.dumps())
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another process changed the lock meanwhile: read it again
        raise LockError(f"lock of a conversation changed {MAX_ATTEMPTS} times in a row")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except LockError:
            raise
        except Exception as e:  # as Rasa's: any Redis failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: str) -> None:
        if self.get_lock(conversation_id) is not None:  # never recreate a deleted lock
            self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        if self.get_lock(conversation_id) is not None:
            self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove this ticket; the lock goes with the last ticket, in the same transaction."""
        self.finish_serving(conversation_id, ticket_number)
