"""Reading conversations from Rasa's SQL tracker store for the staff dashboard (and retention).

Rasa 3.6's ``SQLTrackerStore`` keeps every event as one row of the table ``events``: ``id``
(insertion order), ``sender_id``, ``type_name``, ``timestamp`` (unix seconds), ``intent_name``
(user events), ``action_name`` (``data["name"]`` of any event: the action, the slot or the form)
and ``data`` (the whole event as JSON). The table is reflected, not imported from Rasa, so this
module works without Rasa installed. Every query filters on ``type_name``/``action_name``/
``timestamp`` in SQL and parses JSON only for the rows it needs. Only the retention methods
write. Nothing here logs message text.

Definitions (what the insights page counts):

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

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import MetaData, Table, and_, create_engine, delete, func, or_, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import NoSuchTableError

from burnout_assistant.language.topics import faq_key, faq_topic, topics_asked
from burnout_assistant.names import CHECK_IN_RESPONSE, CRISIS_ANSWER, FAQ, FREE_TEXT_SLOTS
from burnout_assistant.privacy.erasure import tracker_store_url

UTC = timezone.utc
VISITOR = "bezoeker"
ASSISTANT = "assistent"
CHECK_FORM = "symptom_check_form"
BOOKING_FORM = "booking_form"
CHECK_BAND = "check_band"
BOOKING_STATUS = "booking_status"
BOOKED = "booked"
CALLBACK = "callback"
MISS_INTENTS = ("nlu_fallback", "out_of_scope")
# A message a form took as its answer was understood, whatever its intent: a name, a phone
# number, an e-mail address, a booking code or a check answer never shows as "niet begrepen".
ANSWER_SLOTS = FREE_TEXT_SLOTS | {"booking_wish"}
FALLBACK_ACTION = "action_fallback"
CRISIS_QUESTION = CHECK_IN_RESPONSE
PLACEHOLDER_INTENT = "te_labelen"
_CHUNK = 500  # ids per IN (...): well below every database's parameter limit


@dataclass(frozen=True)
class Turn:
    """One line of the transcript."""

    at: datetime  # aware UTC
    who: str  # VISITOR | ASSISTANT
    text: str  # a clicked button shows its title when it can be found, else the payload
    buttons: tuple[str, ...] = ()  # titles offered with an assistant message
    intent: str | None = None  # visitor turns; faq as "faq/<topic>"


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


def _at(timestamp: float | None) -> datetime:
    return datetime.fromtimestamp(timestamp or 0.0, UTC)


def _ts(moment: datetime) -> float:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return moment.timestamp()


def _load(data: str | None) -> dict[str, Any]:
    try:
        loaded = json.loads(data or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _intent_label(parse_data: dict[str, Any]) -> str | None:
    return faq_key(parse_data) or (parse_data.get("intent") or {}).get("name")


class ConversationStore:
    """Read access to the tracker store's ``events`` table (plus deleting for retention)."""

    def __init__(self, tracker_url: str, tz: ZoneInfo) -> None:
        self.tz = tz
        self._url = make_url(tracker_url)
        options: dict[str, Any] = {"future": True, "hide_parameters": True}
        if self._url.get_backend_name() == "sqlite":
            options["connect_args"] = {"timeout": 15}  # wait while Rasa writes
        elif self._url.get_backend_name() == "postgresql":
            options["connect_args"] = {"connect_timeout": 5}
            options["pool_pre_ping"] = True
        self._engine: Engine = create_engine(self._url, **options)
        self._events: Table | None = None

    @classmethod
    def from_endpoints(cls, endpoints: Path, tz: ZoneInfo) -> ConversationStore | None:
        """The store named in ``endpoints.yml``; None when the tracker store is not SQL.

        A relative SQLite path is relative to the working directory, as for Rasa itself.
        """
        url = tracker_store_url(endpoints)
        return cls(url, tz) if url else None

    def dispose(self) -> None:
        self._engine.dispose()

    def _table(self) -> Table | None:
        """The reflected ``events`` table; None while Rasa has not stored anything yet."""
        if self._events is not None:
            return self._events
        if self._url.get_backend_name() == "sqlite":
            database = self._url.database or ""
            if database not in ("", ":memory:") and not Path(database).exists():
                return None  # do not create an empty database file by connecting
        try:
            self._events = Table("events", MetaData(), autoload_with=self._engine)
        except NoSuchTableError:
            return None
        return self._events

    # -- one conversation ------------------------------------------------------------------

    def transcript(self, sender_id: str) -> list[Turn]:
        """The messages of one conversation in order; [] for an unknown or erased one."""
        events = self._table()
        if events is None:
            return []
        query = (
            select(events.c.type_name, events.c.timestamp, events.c.data)
            .where(events.c.sender_id == sender_id, events.c.type_name.in_(("user", "bot")))
            .order_by(events.c.id)
        )
        turns: list[Turn] = []
        offered: dict[str, str] = {}  # payload -> title of the buttons since the last visitor turn
        with self._engine.connect() as connection:
            for type_name, timestamp, data in connection.execute(query):
                event = _load(data)
                if type_name == "bot":
                    buttons = [b for b in ((event.get("data") or {}).get("buttons") or [])
                               if isinstance(b, dict)]
                    titles = tuple(str(b.get("title") or b.get("payload") or "") for b in buttons)
                    for button in buttons:
                        if button.get("payload") is not None:
                            offered[str(button["payload"])] = str(button.get("title") or "")
                    text = event.get("text") or ""
                    if text or titles:
                        turns.append(Turn(_at(timestamp), ASSISTANT, text, titles))
                    continue
                typed = event.get("text") or ""
                shown = offered.get(typed) or typed
                offered = {}
                turns.append(Turn(_at(timestamp), VISITOR, shown, (),
                                  _intent_label(event.get("parse_data") or {})))
        return turns

    def safety_moments(self, sender_id: str) -> tuple[int, int]:
        """How often this conversation got the crisis answer and the direct question."""
        events = self._table()
        if events is None:
            return 0, 0
        query = (select(events.c.action_name, func.count())
                 .where(events.c.sender_id == sender_id, events.c.type_name == "action",
                        events.c.action_name.in_((CRISIS_ANSWER, CRISIS_QUESTION)))
                 .group_by(events.c.action_name))
        with self._engine.connect() as connection:
            counts = dict(connection.execute(query).all())
        return counts.get(CRISIS_ANSWER, 0), counts.get(CRISIS_QUESTION, 0)

    def topics(self, sender_id: str) -> list[str]:
        """The faq topics this visitor asked about, in order, each once."""
        events = self._table()
        if events is None:
            return []
        query = (
            select(events.c.data)
            .where(events.c.sender_id == sender_id, events.c.type_name == "user", _faq(events))
            .order_by(events.c.id)
        )
        with self._engine.connect() as connection:
            return topics_asked(_load(data).get("parse_data") or {}
                                for data, in connection.execute(query))

    # -- insights --------------------------------------------------------------------------

    def weekly_funnel(self, weeks: int, now: datetime) -> list[WeekFunnel]:
        """The last ``weeks`` weeks (this one included), oldest first, empty weeks too."""
        if weeks < 1:
            raise ValueError("weeks must be at least 1")
        _ts(now)  # refuses a naive datetime
        today = now.astimezone(self.tz).date()
        this_monday = today - timedelta(days=today.weekday())
        mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
        start = _ts(datetime.combine(mondays[0], time.min, self.tz))
        end = _ts(datetime.combine(this_monday + timedelta(weeks=1), time.min, self.tz))
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
                sender: self._monday(timestamp)
                for sender, timestamp in connection.execute(starts)
            }
            reached: dict[str, set[str]] = {sender: set() for sender in week_of}
            for sender, type_name, name, data in connection.execute(markers):
                if sender in reached:
                    stage = _stage(type_name, name, _load(data))
                    if stage:
                        reached[sender].add(stage)
        for sender, monday in week_of.items():
            if monday in counts:
                counts[monday]["conversations"] += 1
                counts[monday].update(reached[sender])
        return [_week(monday, counts[monday]) for monday in mondays]

    def _monday(self, timestamp: float) -> date:
        day = _at(timestamp).astimezone(self.tz).date()
        return day - timedelta(days=day.weekday())

    def top_faq_topics(self, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """The faq topics asked most since ``since``: (topic, number of questions)."""
        events = self._table()
        if events is None:
            return []
        query = select(events.c.data).where(
            events.c.type_name == "user", events.c.timestamp >= _ts(since), _faq(events)
        )
        with self._engine.connect() as connection:
            counted = Counter(
                topic for data, in connection.execute(query)
                if (topic := faq_topic(_load(data).get("parse_data") or {}))
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
                events.c.timestamp >= _ts(since),
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
            for event_id, sender, type_name, intent, timestamp, data in connection.execute(
                    candidates):
                if type_name == "user":
                    last_user[sender] = (event_id, timestamp or 0.0)
                    if intent in MISS_INTENTS:
                        missed[event_id] = timestamp or 0.0
                elif type_name == "slot":
                    if sender in last_user and _form_accepted(_load(data), answered, sender):
                        missed.pop(last_user[sender][0], None)
                elif sender in last_user:
                    user_id, user_at = last_user[sender]
                    missed[user_id] = user_at
            newest = sorted(missed, key=lambda i: (missed[i], i), reverse=True)
            for chunk in _chunks(newest):
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

    # -- retention -------------------------------------------------------------------------

    def idle_senders(self, days: int, now: datetime) -> list[str]:
        """Conversations whose last event is more than ``days`` days before ``now``."""
        if days < 0:
            raise ValueError("days must not be negative")
        events = self._table()
        if events is None:
            return []
        cutoff = _ts(now - timedelta(days=days))
        query = (
            select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(func.max(events.c.timestamp) < cutoff)
        )
        with self._engine.connect() as connection:
            return sorted(connection.scalars(query))

    def known_senders(self, sender_ids: Iterable[str]) -> set[str]:
        """Which of these conversations have events in the store."""
        events = self._table()
        senders = sorted(set(sender_ids))
        if events is None or not senders:
            return set()
        found: set[str] = set()
        with self._engine.connect() as connection:
            for chunk in _chunks(senders):
                found.update(connection.scalars(
                    select(events.c.sender_id).where(events.c.sender_id.in_(chunk)).distinct()))
        return found

    def delete_older_than(self, days: int, keep: set[str], now: datetime) -> int:
        """Delete conversations idle for more than ``days`` days, except those in ``keep``.

        A conversation that gets a new event between the check and the delete is left alone.
        Returns how many conversations were deleted.
        """
        senders = [s for s in self.idle_senders(days, now) if s not in keep]
        return self.delete_conversations(senders, idle_before=now - timedelta(days=days))

    def delete_conversations(
        self, sender_ids: Iterable[str], idle_before: datetime | None = None
    ) -> int:
        """Delete these conversations (only those idle since ``idle_before``, if given)."""
        events = self._table()
        senders = sorted(set(sender_ids))
        if events is None or not senders:
            return 0
        deleted = 0
        for chunk in _chunks(senders):
            condition = events.c.sender_id.in_(chunk)
            if idle_before is not None:
                active = select(events.c.sender_id).where(
                    events.c.timestamp >= _ts(idle_before))
                condition = and_(condition, events.c.sender_id.not_in(active))
            with self._engine.begin() as connection:
                found = list(connection.scalars(
                    select(events.c.sender_id).where(condition).distinct()))
                if found:
                    connection.execute(delete(events).where(events.c.sender_id.in_(found)))
                deleted += len(found)
        return deleted


def _form_accepted(event: dict[str, Any], answered: dict[str, int], sender: str) -> bool:
    """Whether this slot event shows a form taking the last message as its answer."""
    name, value = event.get("name"), event.get("value")
    if name == "check_answers":
        count = len(value or {})
        grew = count > answered.get(sender, 0)
        answered[sender] = count
        return grew
    return name in ANSWER_SLOTS and value not in (None, "")


def _faq(events: Table) -> Any:
    return or_(events.c.intent_name == FAQ, events.c.intent_name.like(f"{FAQ}/%"))


def _miss(timestamp: float | None, data: str | None) -> Miss | None:
    event = _load(data)
    text = (event.get("text") or "").strip()
    if not text:
        return None  # an empty message: nothing to learn from
    intent = (event.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return Miss(_at(timestamp), text, intent.get("name"),
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
