"""Understand when a visitor would like to be called, from a short Dutch answer.

The slot finder needs only a few facts: which days, and between which start times. Visitors
say this in many ways ("donderdagmiddag", "volgende week dinsdag na 3 uur", "'s ochtends
liefst"), with typos and Flemish words, so this module turns such answers into a
:class:`TimeWish` with plain rules: :mod:`~burnout_assistant.language.timewish_days` reads the
days, :mod:`~burnout_assistant.language.timewish_clock` the clock times. Here: the wish itself,
reading a whole answer, and the forms a wish is kept in and said back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from burnout_assistant.language.dutch_time import short_date
from burnout_assistant.language.timewish_clock import take_times, window
from burnout_assistant.language.timewish_days import read_days, resolve_days, take_dates


@dataclass(frozen=True)
class TimeWish:
    """A visitor's wish, e.g. "dinsdag of woensdag na twee uur".

    ``days``: the wished local dates (None: any day). ``earliest``/``latest`` bound the local
    *start* time of the call, both inclusive (None: no bound), so "om 10 uur" is 10:00–10:00.
    """

    days: tuple[date, ...] | None = None
    earliest: time | None = None
    latest: time | None = None


NO_PREFERENCE = TimeWish(None, None, None)

_NO_PREFERENCE = re.compile(
    r"\bmaakt\s+(?:\w+\s+){0,3}?(?:niet|niks|niets|weinig|geen)\s+(?:\w+\s+)?uit\b"
    r"|\bom het even\b|\beender wanneer\b|\bwanneer dan ook\b|\bmaakt niet uit\b"
    r"|\bgeen (?:voorkeur|idee)\b|\bweet (?:ik )?(?:het )?niet\b|\bweet ik veel\b"
    r"|\bzo (?:snel|vlug|vroeg|spoedig|gauw) (?:als )?mogelijk\b|\bzsm\b|\basap\b"
    r"|\beerst(?:e|e )?\s*(?:mogelijke?|mogelijkheid|beschikbare|vrije)\b"
    r"|\bwanneer (?:het )?(?:jullie|u|je|het) (?:uitkomt|past|kunnen|kan|wilt|willen)\b"
    r"|\bwat (?:jullie|u|je) (?:uitkomt|past)\b|\b(?:alles|altijd) (?:is )?(?:goed|prima)\b"
    r"|\bflexibel\b|\b(?:liefst|graag) snel\b"
)

# Meal-time phrases that name a part of the day rather than a clock time.
_PHRASES = (
    (re.compile(r"\b(?:voor|tot) (?:de middag|de lunch|het middaguur)\b"), "ochtend"),
    (re.compile(r"\bna (?:de middag|de lunch|het middaguur|het middageten)\b"), "middag"),
)


def parse_time_wish(text: str, now: datetime, tz: ZoneInfo) -> TimeWish | None:
    """The call-time wish in ``text``, or None when the text names no time at all.

    ``now`` may be naive (read as local time in ``tz``) or aware. "weet ik niet", "maakt niet
    uit" and "zo snel mogelijk" are a wish without preference (:data:`NO_PREFERENCE`): the
    visitor answered the question, and the first free slots are the helpful reply.
    """
    local = now.astimezone(tz) if now.tzinfo else now.replace(tzinfo=tz)
    today = local.date()
    cleaned = _normalise(text)
    if not cleaned:
        return None
    for pattern, replacement in _PHRASES:
        cleaned = pattern.sub(replacement, cleaned)

    cleaned, dates = take_dates(cleaned, local)
    cleaned, bounds = take_times(cleaned)
    days, parts = read_days(cleaned)

    if dates:
        # A weekday next to a date names that same date ("donderdag 3 december").
        days = {d for d in days if d[0] != "weekday"}
    resolved = sorted({*dates, *resolve_days(days, today)})
    earliest, latest = window(parts, bounds)

    if not resolved and earliest is None and latest is None and not parts:
        return NO_PREFERENCE if _NO_PREFERENCE.search(cleaned) else None
    return TimeWish(tuple(resolved) or None, earliest, latest)


def _normalise(text: str) -> str:
    """Lower case, no accents or apostrophes ("'s ochtends" → "s ochtends"), plain spaces."""
    text = re.sub(r"['’‘`´]", "", text.lower())
    text = re.sub(r"[–—]", "-", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(?<=[a-z])\.(?=[a-z])", "", text)  # z.s.m. → zsm
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # keep 14.30
    text = re.sub(r"[^a-z0-9:./\- ]+", " ", text)
    return " ".join(text.split())


# --- a wish kept between turns, and said back -------------------------------------------------


def parse_specific_wish(text: str, now: datetime, tz: ZoneInfo) -> TimeWish | None:
    """A wish that names a day or a time; "zo snel mogelijk" and no wish at all are None.

    For a wish that arrives outside the slot question (the opening message, a later answer),
    where only a real preference should change the offer."""
    wish = parse_time_wish(text, now, tz)
    return None if wish is None or wish == NO_PREFERENCE else wish


def wish_to_dict(wish: TimeWish) -> dict:
    """A JSON-safe form for a slot: the wish from the opening message waits for the offer."""
    return {
        "days": [d.isoformat() for d in wish.days] if wish.days is not None else None,
        "earliest": wish.earliest.isoformat("minutes") if wish.earliest else None,
        "latest": wish.latest.isoformat("minutes") if wish.latest else None,
    }


def wish_from_dict(raw: dict | None) -> TimeWish | None:
    if not raw:
        return None
    days = raw.get("days")
    return TimeWish(
        tuple(date.fromisoformat(d) for d in days) if days is not None else None,
        time.fromisoformat(raw["earliest"]) if raw.get("earliest") else None,
        time.fromisoformat(raw["latest"]) if raw.get("latest") else None,
    )


def describe_wish(wish: TimeWish) -> str:
    """"di 8 dec, na 13:00": what is stored and mailed as the visitor's preferred time.

    Built from the parsed wish only, never from the visitor's own words, so a sentence such as
    "ik ben op, kan het dinsdag?" never carries health details into a lead or a mail.
    """
    parts = []
    if wish.days:
        parts.append(" of ".join(short_date(d) for d in sorted(wish.days)[:5]))
    if wish.earliest and wish.latest:
        parts.append(f"tussen {wish.earliest:%H:%M} en {wish.latest:%H:%M}"
                     if wish.earliest != wish.latest else f"om {wish.earliest:%H:%M}")
    elif wish.earliest:
        parts.append(f"na {wish.earliest:%H:%M}")
    elif wish.latest:
        parts.append(f"voor {wish.latest:%H:%M}")
    return ", ".join(parts) or "zo snel mogelijk"
