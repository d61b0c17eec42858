"""Traffic shaped like the practice's visitors, and Rasa's moodbot as the yardstick.

Each shape is one whole conversation, played by a closed-loop visitor (send, wait for the
replies, send the next) with a fresh sender id per conversation. A turn is either a fixed text
or a rule that picks a button from the replies just received, because slot buttons carry the
offered start times. Every answered turn is recorded with its position in the conversation, so
the report can show whether a turn costs more as the conversation grows.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.load import REQUEST_TIMEOUT_S, percentile, post_message

Turn = str | Callable[[list[dict]], str]


def first_slot_button(replies: list[dict]) -> str:
    """The first offered time (a slot button), or "ander moment" when none was offered."""
    for reply in replies:
        for button in reply.get("buttons") or []:
            payload = button.get("payload", "")
            if payload.startswith("/inform{") and '"slot_choice"' in payload:
                choice = json.loads(payload[len("/inform"):]).get("slot_choice")
                if choice and choice != "ander":
                    return payload
    return "ander moment"


def last_button(replies: list[dict]) -> str:
    """The heaviest answer of a check question (its last answer button), as a clicking visitor.

    The "change my last answer" button comes after the answers, so it is skipped.
    """
    for reply in reversed(replies):
        answers = [b["payload"] for b in reply.get("buttons") or []
                   if '"check_fix"' not in b.get("payload", "")]
        if answers:
            return answers[-1]
    return "vaak"


@dataclass(frozen=True)
class Shape:
    name: str
    turns: tuple[Turn, ...]
    about: str

    def text(self, index: int, replies: list[dict]) -> str:
        turn = self.turns[index]
        return turn if isinstance(turn, str) else turn(replies)


# Typed and clicked answers, a FAQ question mid-check, stop and resume: the main path.
CHECK = Shape("check", (
    "hallo",
    "wat is burn-out eigenlijk?",
    "ik wil graag de korte check doen",
    "heel vaak",              # q1 typed
    last_button,              # q2 clicked
    "wat doet cortisol eigenlijk?",  # a FAQ question mid-check: answered, then q3 again
    "nee niet echt",          # q3 typed with "niet"
    last_button,              # q4 clicked
    "stop",
    "ja",                     # yes, pause the check
    "ga verder",              # resume at q5
    "bijna nooit",            # q5
    last_button,              # q6
    "af en toe",              # q7
    last_button,              # q8
    "eigenlijk altijd",       # q9
    "al een half jaar",       # q10 (duration)
    "flink",                  # q11 (impact): the result follows
    "dankjewel",
), "greeting, a FAQ, the check (typed + clicked, FAQ mid-check, stop + resume), thanks")

# A time wish in the first message, a slot button, name, phone, consent, confirmation.
BOOKING = Shape("booking", (
    "hoi, kan ik donderdagmiddag een kennismakingsgesprek plannen?",
    first_slot_button,
    "Sanne de Vries",
    "06 12345678",
    "geen",                   # no e-mail address
    "ja",                     # consent
    "ja",                     # confirm
    "dank je wel",
), "booking with a time wish in the first message, through to the confirmation")

_SAME_FIVE = (  # the first and the last turns of the long conversation: the same messages
    "wat is burn-out eigenlijk?",
    "waar zitten jullie?",
    "hoe lang is de wachttijd",
    "ik slaap slecht en ben altijd moe, hoort dat erbij?",
    "ben jij een robot?",
)
LONG = Shape("long", (
    *_SAME_FIVE,
    "hoe lang duurt herstel meestal",
    "en magnesium?",
    "wat kost een traject bij jullie",
    "wordt het vergoed?",
    "wat is het verschil met overspannen?",
    "kan ik de korte check doen?",
    *["vaak", "soms", "bijna nooit", "heel vaak", "af en toe", "nooit", "soms", "vaak",
      "zelden"],  # q1-q9
    "een paar maanden",       # q10 (duration)
    "een beetje",             # q11 (impact): the result follows
    "dank je",
    "wat doet cortisol eigenlijk?",
    "moet ik me ziek melden?",
    "wat kan ik zelf doen om te herstellen?",
    "helpt sporten bij burn-out?",
    "wat wordt het weer morgen",
    "is dit een depressie?",
    "hoe gaat een kennismakingsgesprek?",
    "heb ik een verwijzing nodig?",
    "hoe werkt jullie aanpak?",
    "wat zijn de openingstijden",
    "hoe lang duurt herstel meestal",
    "en magnesium?",
    *_SAME_FIVE,
), "40 turns: the same five questions first and last, FAQ and the whole check between")

MOODBOT = Shape("moodbot", (
    "hey", "I am sad", "yes", "great", "bye",
    "hello", "not good", "no", "very good", "goodbye",
), "Rasa's `rasa init` moodbot: greet, mood, did that help, goodbye")

SHAPES = {shape.name: shape for shape in (CHECK, BOOKING, LONG, MOODBOT)}
# Turns of the long conversation compared for growth (1-based positions).
FIRST_TURNS = range(1, len(_SAME_FIVE) + 1)
LAST_TURNS = range(len(LONG.turns) - len(_SAME_FIVE) + 1, len(LONG.turns) + 1)


@dataclass
class Phase:
    """One load phase: (turn position, ms) of every answered message, errors, wall time."""

    target: str
    shape: str
    users: int
    samples: list[tuple[int, float]] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    hit_deadline: bool = False

    @property
    def messages(self) -> int:
        return len(self.samples)

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds if self.seconds else math.nan

    def pct(self, value: float, turns: Sequence[int] | None = None) -> float:
        chosen = set(turns) if turns is not None else None
        return percentile(
            [ms for turn, ms in self.samples if chosen is None or turn in chosen], value)

    def by_turn(self) -> dict[int, list[float]]:
        found: dict[int, list[float]] = defaultdict(list)
        for turn, ms in self.samples:
            found[turn].append(ms)
        return dict(sorted(found.items()))


async def _run(target: str, url: str, shape: Shape, users: int, conversations: int,
               deadline_s: float, keep_alive: bool = False) -> Phase:
    import aiohttp

    phase = Phase(target, shape.name, users)
    stop_at = time.monotonic() + deadline_s
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    # A new connection per message by default: with a handful of kept-alive connections the
    # kernel's choice of Sanic worker per connection decides the balance (7:3 or 10:0 at ten
    # users), which many real visitors, or a balancer in front, even out.
    connector = aiohttp.TCPConnector(limit=users + 5, force_close=not keep_alive)

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def visitor(slot: int) -> None:
            for _ in range(conversations):
                sender = f"bench-{shape.name}-{slot}-{uuid.uuid4().hex[:10]}"
                replies: list[dict] = []
                for index in range(len(shape.turns)):
                    if time.monotonic() > stop_at:
                        phase.hit_deadline = True
                        return
                    started = time.perf_counter()
                    answer = await post_message(session, url, sender, shape.text(index, replies))
                    if answer is None:
                        phase.errors += 1
                        break  # a broken conversation is not continued
                    phase.samples.append((index + 1, (time.perf_counter() - started) * 1000))
                    replies = answer

        started = time.perf_counter()
        tasks = [asyncio.ensure_future(visitor(n)) for n in range(users)]
        _, pending = await asyncio.wait(tasks, timeout=deadline_s + REQUEST_TIMEOUT_S)
        for task in pending:
            task.cancel()
        phase.hit_deadline = phase.hit_deadline or bool(pending)
        phase.seconds = time.perf_counter() - started
    return phase


def run(target: str, url: str, shape: Shape, users: int, conversations: int,
        deadline_s: float, keep_alive: bool = False) -> Phase:
    """``users`` visitors at once, each playing ``conversations`` whole conversations."""
    return asyncio.run(_run(target, url, shape, users, conversations, deadline_s, keep_alive))
