"""Lock stores whose ticket changes are atomic across processes: Redis and, embedded, SQLite.

Why: Rasa 3.6's ``RedisLockStore`` issues a ticket by reading the conversation's lock, adding a
ticket and writing it back, and finishes by reading, removing and writing again (or deleting
the key when nobody seems to wait). Two processes doing that for one conversation at the same
moment can both draw the same ticket, or one deletes the lock the other just joined
(rasa#9213). With one Rasa process per replica and routing by sender that never met: with
several Sanic workers per replica, two messages of one conversation can reach two processes.

Each step here is one transaction (Redis: one script, which Redis runs as one step and which
costs one round trip; SQLite: BEGIN IMMEDIATE), so tickets stay unique and a lock is only
deleted when it is truly empty. Everything else (waiting, lifetimes, the key and its text) is
Rasa's own.

Used in ``endpoints.scaled.yml`` as ``type: deploy.lock_store.AtomicRedisLockStore``; the
embedded default can run two Sanic workers on ``deploy.lock_store.SQLiteLockStore``
(``endpoints.yml``), with no server but a file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")


# One ticket change as a Redis script: Redis runs a script as one step, so the change is atomic
# and costs one round trip (WATCH, GET and MULTI/EXEC cost three, plus a GET before a finish).
# The stored text is Rasa's: {"conversation_id": ..., "tickets": ["<ticket JSON>", ...]}.
# ARGV: operation (issue | expire | remove), the client's time (Rasa's tickets use the
# client's clock), the lifetime (issue) or ticket number (remove), the conversation id.
TICKET_SCRIPT = """
local stored = redis.call('GET', KEYS[1])
local op, now = ARGV[1], tonumber(ARGV[2])
local lock
if stored then
  lock = cjson.decode(stored)
elseif op == 'issue' then
  lock = {conversation_id = ARGV[4], tickets = {}}
else
  return nil  -- never recreate a deleted lock
end
local kept, last = {}, -1
for _, text in ipairs(lock.tickets) do
  local ticket = cjson.decode(text)
  local gone = now > ticket.expires or (op == 'remove' and ticket.number == tonumber(ARGV[3]))
  if not gone then
    table.insert(kept, cjson.encode(text))
    last = ticket.number
  end
end
local result = nil
if op == 'issue' then
  result = last + 1
  local ticket = string.format('{"number": %d, "expires": %.6f}', result, now + tonumber(ARGV[3]))
  table.insert(kept, cjson.encode(ticket))
end
if #kept == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], '{"conversation_id": ' .. cjson.encode(lock.conversation_id)
    .. ', "tickets": [' .. table.concat(kept, ', ') .. ']}')
end
return result
"""


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose every ticket change is one Redis script: atomic, one round trip.

    Rasa's steps, each done in Redis: issuing drops expired tickets and appends the next
    number; a finished or expired ticket is removed, and the lock with its last ticket; a lock
    that is gone is never recreated by a finish.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its path
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)
        self._script = self.red.register_script(TICKET_SCRIPT)

    def _run(self, conversation_id: str, op: str, argument: float | int) -> int | None:
        try:
            result = self._script(keys=[self.key_prefix + conversation_id],
                                  args=[op, repr(time.time()), argument, conversation_id])
        except Exception as e:  # as Rasa's: any store failure is a LockError
            raise LockError(f"Error while changing a lock. Error:\n{e}") from e
        return None if result is None else int(result)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        number = self._run(conversation_id, "issue", lock_lifetime)
        assert number is not None
        return number

    def update_lock(self, conversation_id: str) -> None:
        self._run(conversation_id, "expire", 0)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._run(conversation_id, "remove", ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove this ticket; the lock goes with the last ticket, in the same step."""
        self.finish_serving(conversation_id, ticket_number)


class SQLiteLockStore(LockStore):
    """Ticket locks in a SQLite file: several processes on one machine, no server."""

    def __init__(self, endpoint_config: EndpointConfig | None = None,
                 db: str = "run/locks.db") -> None:
        if endpoint_config is not None:
            db = str(endpoint_config.kwargs.get("db", db))
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(db, timeout=10, isolation_level=None,
                                           check_same_thread=False)
        self._guard = threading.Lock()
        with self._guard:
            self._connection.execute("PRAGMA journal_mode=WAL")
            # Locks live for one turn: after a power cut they are stale anyway (tickets expire),
            # so no commit waits for the disk.
            self._connection.execute("PRAGMA synchronous=OFF")
            self._connection.execute("CREATE TABLE IF NOT EXISTS locks "
                                     "(conversation_id TEXT PRIMARY KEY, data TEXT NOT NULL)")
        super().__init__()

    def _read(self, conversation_id: str) -> str | None:
        row = self._connection.execute(
            "SELECT data FROM locks WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()
        return row[0] if row else None

    def _write(self, conversation_id: str, stored: str | None) -> None:
        """Store the lock's text; None deletes it."""
        if stored is None:
            self._connection.execute("DELETE FROM locks WHERE conversation_id = ?",
                                     (conversation_id,))
        else:
            self._connection.execute("INSERT OR REPLACE INTO locks VALUES (?, ?)",
                                     (conversation_id, stored))

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        with self._guard:
            stored = self._read(conversation_id)
        return TicketLock.from_dict(json.loads(stored)) if stored else None

    def delete_lock(self, conversation_id: str) -> None:
        with self._guard:
            self._write(conversation_id, None)

    def save_lock(self, lock: TicketLock) -> None:
        with self._guard:
            self._write(lock.conversation_id, lock.dumps())

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T],
                create: bool = False) -> T | None:
        """Apply ``change`` to the stored lock in one transaction; an empty lock is deleted.

        BEGIN IMMEDIATE takes SQLite's write lock first, so no other process reads between.
        Without ``create`` a lock that is gone stays gone (never recreated by a finish).
        """
        with self._guard:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                stored = self._read(conversation_id)
                if stored is None and not create:
                    self._connection.execute("COMMIT")
                    return None
                lock = (TicketLock.from_dict(json.loads(stored)) if stored
                        else TicketLock(conversation_id))
                result = change(lock)
                self._write(conversation_id, lock.dumps() if lock.tickets else None)
                self._connection.execute("COMMIT")
                return result
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            number = self._change(conversation_id,
                                  lambda lock: lock.issue_ticket(lock_lifetime), create=True)
        except Exception as e:  # as Rasa's: any store failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        assert number is not None
        return number

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove this ticket; the lock goes with the last ticket, in the same transaction."""
        self.finish_serving(conversation_id, ticket_number)
