"""Limits every channel applies before a message reaches the assistant.

A person types a few messages a minute; a script or a stuck client sends hundreds. The rate
limit is per sender, so one noisy conversation cannot slow the others down, and the person
gets a friendly Dutch reply instead of an error. The size cap is enforced at the channel too
(the MessageGuard in the pipeline caps again), so an oversized body never reaches NLU.
"""

from __future__ import annotations

import time
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
    """A token bucket per sender, in memory: a burst of ``burst`` messages, then ``per_minute``.

    Why a bucket and not a sliding window: a person clicking through the ten check buttons
    sends ten messages in twenty seconds and must never see "rustig aan"; a script sending
    without pause empties the bucket within seconds and is then held to the sustained rate.
    Each Rasa replica keeps its own buckets; with conversations routed to one replica by sender
    (see README, scaling out) that is the same as a shared one. Memory is bounded: at most
    ``max_senders`` buckets are kept, least recently active dropped first (a dropped sender
    starts again with a full bucket, as a new visitor would).
    """

    def __init__(
        self,
        per_minute: int,
        burst: int | None = None,
        max_senders: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.burst = per_minute if burst is None else burst
        if self.burst < 1:
            raise ValueError("burst must be at least 1")
        self._refill_per_second = per_minute / 60.0
        self._clock = clock
        self._buckets: LruDict[str, tuple[float, float]] = LruDict(max_senders)
        self._lock = Lock()

    def allow(self, sender: str) -> bool:
        """Take one token for this message; False (and nothing taken) when the bucket is empty."""
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.get(sender) or (float(self.burst), now)
            tokens = min(float(self.burst), tokens + (now - then) * self._refill_per_second)
            allowed = tokens >= 1.0 - 1e-9  # refills add up in floats: 10 x 0.1 < 1.0
            if allowed:
                tokens = max(0.0, tokens - 1.0)
            self._buckets[sender] = (tokens, now)  # the most recent now; the least recent may go
            return allowed
