"""What all conversations together say, for the dashboard's insights page.

Every query filters on ``type_name``/``action_name``/``timestamp`` in SQL and parses JSON only
for the rows it needs; nothing here logs message text. Definitions (what the page counts):

- a *conversation* is one ``sender_id``; it counts in the week (Monday 00:00, practice time
  zone) of its first user event, and everything it did later counts in that same week;
- *check started*: an ``active_loop`` event naming ``symptom_check_form``;
- *check done*: the slot ``check_band`` set to a value (``action_check_result`` sets it only
  when the last question is answered; stopping halfway leaves it empty);
- *booking started*: an ``active_loop`` event naming ``booking_form``;
- *booked*: the slot ``booking_status`` set to ``"booked"``. ``action_book`` sets it only after
  ``booking.book`` stored the lead, claimed the slot and wrote the calendar event; a taken slot,
  no consent or a database outage set other values (``"callback"`` is a call-back request,
  counted apart as ``callback_requested``). The action name alone would also count failures;
- a *faq topic* is the response selector's key (``faq/cortisol`` → ``cortisol``) of a user
  event whose intent IS ``faq``: the selector answers for every message, so its key alone
  says nothing;
- *not understood*: a user event whose intent is ``nlu_fallback`` or ``out_of_scope``, or that
  is followed by ``action_fallback`` (the latest user event of that sender before it).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import Table, and_, func, or_, select

from burnout_assistant.language.topics import faq_topic
from burnout_assistant.names import (
    BOOKING_STATUS,
    BOOKING_WISH,
    CHECK_ANSWERS,
    CHECK_BAND,
    CHECK_IN_RESPONSE,
    CRISIS_ANSWER,
    FAQ,
    FREE_TEXT_SLOTS,
)
from burnout_assistant.records.tracker_events import (
    TrackerEvents,
    chunks,
    event_data,
    moment,
    timestamp,
)

CHECK_FORM = "symptom_check_form"
BOOKING_FORM = "booking_form"
BOOKED = "booked"
CALLBACK = "callback"
MISS_INTENTS = ("nlu_fallback", "out_of_scope")
# A message a form took as its answer was understood, whatever its intent: a name, a phone
# number, an e-mail address, a booking code or a check answer never shows as "niet begrepen".
ANSWER_SLOTS = FREE_TEXT_SLOTS | {BOOKING_WISH}
FALLBACK_ACTION = "action_fallback"
CRISIS_QUESTION = CHECK_IN_RESPONSE
PLACEHOLDER_INTENT = "te_labelen"


@dataclass(frozen=True)
class WeekFunnel:
    """How far the conversations that started in one week got."""

    week_start: date  # Monday in the practice's time zone
    conversations: int
    check_started: int
    check_done: int
    booking_started: int
    booked: int
    callback_requested: int = 0
    crisis_answered: int = 0  # conversations that got the crisis answer with the helplines
    crisis_asked: int = 0  # conversations that got the direct question about suicide


@dataclass(frozen=True)
class Miss:
    """A visitor message the assistant did not understand."""

    at: datetime
    text: str
    intent: str | None
    confidence: float | None


class ConversationInsights(TrackerEvents):
    """Counts over every conversation in the tracker store, by the practice's weeks."""

    def __init__(self, tracker_url: str, tz: ZoneInfo) -> None:
        super().__init__(tracker_url)
        self.tz = tz

    def weekly_funnel(self, weeks: int, now: datetime) -> list[WeekFunnel]:
        """The last ``weeks`` weeks (this one included), oldest first, empty weeks too."""
        if weeks < 1:
            raise ValueError("weeks must be at least 1")
        timestamp(now)  # refuses a naive datetime
        today = now.astimezone(self.tz).date()
        this_monday = today - timedelta(days=today.weekday())
        mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
        start = timestamp(datetime.combine(mondays[0], time.min, self.tz))
        end = timestamp(datetime.combine(this_monday + timedelta(weeks=1), time.min, self.tz))
        counts = {monday: Counter[str]() for monday in mondays}
        events = self._table()
        if events is None:
            return [_week(monday, Counter()) for monday in mondays]
        first = func.min(events.c.timestamp)
        starts = (
            select(events.c.sender_id, first)
            .where(events.c.type_name == "user")
            .group_by(events.c.sender_id)
            .having(and_(first >= start, first < end))
        )
        markers = select(events.c.sender_id, events.c.type_name, events.c.action_name,
                         events.c.data).where(
            events.c.timestamp >= start,
            or_(
                and_(events.c.type_name == "active_loop",
                     events.c.action_name.in_((CHECK_FORM, BOOKING_FORM))),
                and_(events.c.type_name == "slot",
                     events.c.action_name.in_((CHECK_BAND, BOOKING_STATUS))),
                and_(events.c.type_name == "action",
                     events.c.action_name.in_((CRISIS_ANSWER, CRISIS_QUESTION))),
            ),
        )
        with self._engine.connect() as connection:
            week_of = {
                sender: self._monday(seconds)
                for sender, seconds in connection.execute(starts)
            }
            reached: dict[str, set[str]] = {sender: set() for sender in week_of}
            for sender, type_name, name, data in connection.execute(markers):
                if sender in reached:
                    stage = _stage(type_name, name, event_data(data))
                    if stage:
                        reached[sender].add(stage)
        for sender, monday in week_of.items():
            if monday in counts:
                counts[monday]["conversations"] += 1
                counts[monday].update(reached[sender])
        return [_week(monday, counts[monday]) for monday in mondays]

    def _monday(self, seconds: float) -> date:
        day = moment(seconds).astimezone(self.tz).date()
        return day - timedelta(days=day.weekday())

    def top_faq_topics(self, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """The faq topics asked most since ``since``: (topic, number of questions)."""
        events = self._table()
        if events is None:
            return []
        query = select(events.c.data).where(
            events.c.type_name == "user", events.c.timestamp >= timestamp(since),
            asked_faq(events),
        )
        with self._engine.connect() as connection:
            counted = Counter(
                topic for data, in connection.execute(query)
                if (topic := faq_topic(event_data(data).get("parse_data") or {}))
            )
        return sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def not_understood(self, since: datetime, limit: int = 200) -> list[Miss]:
        """Visitor messages the assistant did not understand since ``since``, newest first."""
        events = self._table()
        if events is None:
            return []
        candidates = (
            select(events.c.id, events.c.sender_id, events.c.type_name, events.c.intent_name,
                   events.c.timestamp, events.c.data)
            .where(
                events.c.timestamp >= timestamp(since),
                or_(events.c.type_name.in_(("user", "slot")),
                    and_(events.c.type_name == "action",
                         events.c.action_name == FALLBACK_ACTION)),
            )
            .order_by(events.c.id)
        )
        missed: dict[int, float] = {}
        misses: list[Miss] = []
        with self._engine.connect() as connection:
            last_user: dict[str, tuple[int, float]] = {}
            answered: dict[str, int] = {}  # check answers so far, per sender
            for event_id, sender, type_name, intent, seconds, data in connection.execute(
                    candidates):
                if type_name == "user":
                    last_user[sender] = (event_id, seconds or 0.0)
                    if intent in MISS_INTENTS:
                        missed[event_id] = seconds or 0.0
                elif type_name == "slot":
                    if sender in last_user and _form_accepted(event_data(data), answered, sender):
                        missed.pop(last_user[sender][0], None)
                elif sender in last_user:
                    user_id, user_at = last_user[sender]
                    missed[user_id] = user_at
            newest = sorted(missed, key=lambda i: (missed[i], i), reverse=True)
            for chunk in chunks(newest):
                query = select(events.c.id, events.c.timestamp, events.c.data).where(
                    events.c.id.in_(chunk))
                rows = {i: (t, d) for i, t, d in connection.execute(query)}
                for event_id in chunk:
                    if len(misses) >= limit:
                        return misses
                    miss = _miss(*rows[event_id]) if event_id in rows else None
                    if miss is not None:
                        misses.append(miss)
        return misses[:limit]


def asked_faq(events: Table) -> Any:
    """SQL condition: a user event whose intent is faq (with or without its topic)."""
    return or_(events.c.intent_name == FAQ, events.c.intent_name.like(f"{FAQ}/%"))


def _form_accepted(event: dict[str, Any], answered: dict[str, int], sender: str) -> bool:
    """Whether this slot event shows a form taking the last message as its answer."""
    name, value = event.get("name"), event.get("value")
    if name == CHECK_ANSWERS:
        count = len(value or {})
        grew = count > answered.get(sender, 0)
        answered[sender] = count
        return grew
    return name in ANSWER_SLOTS and value not in (None, "")


def _miss(seconds: float | None, data: str | None) -> Miss | None:
    event = event_data(data)
    text = (event.get("text") or "").strip()
    if not text:
        return None  # an empty message: nothing to learn from
    intent = (event.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return Miss(moment(seconds), text, intent.get("name"),
                float(confidence) if confidence is not None else None)


def _stage(type_name: str, name: str | None, event: dict[str, Any]) -> str | None:
    """Which funnel stage a marker event reaches, if any."""
    if type_name == "action":
        return {CRISIS_ANSWER: "crisis_answered", CRISIS_QUESTION: "crisis_asked"}.get(name or "")
    if type_name == "active_loop":
        return {CHECK_FORM: "check_started", BOOKING_FORM: "booking_started"}.get(
            event.get("name") or "")
    value = event.get("value")
    if name == CHECK_BAND and value is not None:
        return "check_done"
    if name == BOOKING_STATUS:
        return {BOOKED: "booked", CALLBACK: "callback_requested"}.get(str(value))
    return None


def _week(monday: date, counts: Counter[str]) -> WeekFunnel:
    return WeekFunnel(
        week_start=monday,
        conversations=counts["conversations"],
        check_started=counts["check_started"],
        check_done=counts["check_done"],
        booking_started=counts["booking_started"],
        booked=counts["booked"],
        callback_requested=counts["callback_requested"],
        crisis_answered=counts["crisis_answered"],
        crisis_asked=counts["crisis_asked"],
    )


_EXAMPLES_HEADER = """\
# Berichten die de assistent niet begreep, als kandidaat-voorbeelden voor de NLU-training.
# "{intent}" is een tijdelijke plek, geen echte intent: verplaats elk voorbeeld naar de
# intent (of het faq-onderwerp) waar het bij hoort, of schrap het. Pas daarna mag dit in
# data/ en wordt het model opnieuw getraind. Haal namen, telefoonnummers en andere
# persoonsgegevens eruit voordat je een voorbeeld bewaart.
"""


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks, the way Rasa's own data files look."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


def candidate_examples_yaml(misses: list[Miss]) -> str:
    """Rasa NLU YAML with the missed texts as examples of the placeholder intent ``te_labelen``.

    Texts are put on one line each (an example cannot span lines) without control characters,
    repeated texts appear once, and button payloads (``/intent``) are left out: they are no
    language to learn from.
    """
    texts: dict[str, str] = {}
    for miss in misses:
        text = " ".join("".join(c for c in miss.text if c.isspace()
                                or unicodedata.category(c) != "Cc").split())
        if text and not text.startswith("/"):
            texts.setdefault(text.casefold(), text)
    examples = "".join(f"- {text}\n" for text in texts.values())
    document = {"version": "3.1", "nlu": [{"intent": PLACEHOLDER_INTENT, "examples": examples}]}
    body = yaml.dump(document, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False,
                     width=1000)
    return _EXAMPLES_HEADER.format(intent=PLACEHOLDER_INTENT) + body
