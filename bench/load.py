"""Visitor-shaped load over the website's REST-shaped channel, on loopback, bounded in time.

Each simulated visitor sends one message, waits for the replies, then sends the next (a closed
loop: that is how a person in a chat behaves), and becomes a new visitor every conversation:
Rasa posts the whole tracker to the action server on every custom action, so one endless
conversation would measure tracker size, not the assistant. The client is asyncio + aiohttp,
so 50 users cost the 2-core machine little next to the servers it measures.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import psutil

CONVERSATION = (  # one visitor: questions, a check start, a booking start with a time wish
    "hallo",
    "wat is burn-out eigenlijk?",
    "ik slaap slecht en ben altijd moe, hoort dat erbij?",
    "en magnesium?",
    "hoe lang duurt herstel meestal",
    "wat kost een traject bij jullie",
    "ben jij een robot?",
    "wat wordt het weer morgen",
    "ik wil een kennismakingsgesprek plannen",
    "donderdagmiddag",
)
REQUEST_TIMEOUT_S = 60


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default); NaN for no values."""
    return float(np.percentile(values, pct)) if len(values) else math.nan


def sender_for(message_number: int, tag: str, conversation_length: int = len(CONVERSATION)) -> str:
    """A new visitor every ``conversation_length`` messages."""
    return f"bench-{tag}-{message_number // conversation_length}"


@dataclass
class PhaseResult:
    """One load phase: latencies in ms of the answered messages, errors, wall time."""

    users: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    hit_deadline: bool = False

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds if self.seconds else math.nan

    def pct(self, value: float) -> float:
        return percentile(self.latencies_ms, value)


async def post_message(session, url: str, sender: str, text: str) -> list[dict] | None:
    """One message; the replies when the server answered 200 with a JSON list, else None."""
    import aiohttp

    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.json(content_type=None)
            return body if response.status == 200 and isinstance(body, list) else None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return None


async def _run_phase(url: str, users: int, each: int, deadline_s: float) -> PhaseResult:
    import aiohttp

    result = PhaseResult(users)
    stop_at = time.monotonic() + deadline_s
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=users + 5)

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def visitor(slot: int) -> None:
            tag = f"{slot}-{uuid.uuid4().hex[:8]}"
            for i in range(each):
                if time.monotonic() > stop_at:
                    result.hit_deadline = True
                    return
                started = time.perf_counter()
                text = CONVERSATION[i % len(CONVERSATION)]
                ok = await post_message(session, url, sender_for(i, tag), text) is not None
                if ok:
                    result.latencies_ms.append((time.perf_counter() - started) * 1000)
                else:
                    result.errors += 1

        started = time.perf_counter()
        tasks = [asyncio.ensure_future(visitor(n)) for n in range(users)]
        # Requests in flight at the deadline may take up to their own timeout to finish.
        _, pending = await asyncio.wait(tasks, timeout=deadline_s + REQUEST_TIMEOUT_S)
        for task in pending:
            task.cancel()
        result.hit_deadline = result.hit_deadline or bool(pending)
        result.seconds = time.perf_counter() - started
    return result


def run_phase(url: str, users: int, each: int, deadline_s: float) -> PhaseResult:
    """``users`` visitors at once, ``each`` messages per visitor, stopped at the deadline."""
    return asyncio.run(_run_phase(url, users, each, deadline_s))


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children, in MB (10^6 bytes, like the target)."""
    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)]
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 1e6
