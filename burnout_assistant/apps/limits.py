"""Limits every channel applies before a message reaches the assistant.

A person types a few messages a minute; a script or a stuck client sends hundreds. The rate
limit is per sender, so one noisy conversation cannot slow the others down, and the person
gets a friendly Dutch reply instead of an error. The size cap is enforced at the channel too
(the MessageGuard in the pipeline caps again), so an oversized body never reaches NLU.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from threading import Lock

from burnout_assistant.bounded import LruDict

RATE_LIMITED_TEXT = (
    "Je stuurt veel berichten kort na elkaar. Neem gerust even de tijd; over een minuutje "
    "kun je verder waar je was. Niets van wat je al gaf is kwijt."
)
TOO_LONG_TEXT = (
    "Dat bericht is te lang voor mij ({length} tekens, ik lees er maximaal {limit}). "
    "Wil je het korter schrijven, of in een paar losse berichten?"
)

# Shown when a part behind the assistant (the action server, the database) failed mid-turn.
FAILED_TEXT = (
    "Sorry, daar ging bij mij iets mis. Wat je al gaf is bewaard; stuur je bericht zo nog "
    "eens, of bel de praktijk als het niet lukt."
)


def too_long_reply(length: int, limit: int) -> str:
    return TOO_LONG_TEXT.format(length=length, limit=limit)


class RateLimiter:
    """Sliding window of ``per_minute`` messages per sender, in memory.

    Each Rasa replica keeps its own window; with conversations routed to one replica by
    sender (see README, scaling out) that is the same as a shared one. Memory is bounded:
    at most ``max_senders`` windows are kept, least recently active dropped first.
    """

    def __init__(
        self,
        per_minute: int,
        window_seconds: float = 60.0,
        max_senders: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.window = window_seconds
        self._clock = clock
        self._seen: LruDict[str, deque[float]] = LruDict(max_senders)
        self._lock = Lock()

    def allow(self, sender: str) -> bool:
        """Count this message and say whether it may pass."""
        now = self._clock()
        with self._lock:
            stamps = self._seen.get(sender) or deque()
            while stamps and now - stamps[0] >= self.window:
                stamps.popleft()
            allowed = len(stamps) < self.per_minute
            if allowed:
                stamps.append(now)
            self._seen[sender] = stamps  # the most recent now; the least recent may go
            return allowed
