"""Understand when a visitor would like to be called, from a short Dutch answer.

The slot finder needs only a few facts: which days, and between which start times. Visitors
say this in many ways ("donderdagmiddag", "volgende week dinsdag na 3 uur", "'s ochtends
liefst"), with typos and Flemish words, so this module turns such answers into a
:class:`TimeWish` with plain rules. dateparser only reads calendar dates ("3 dec.", "3-12"),
where it is reliable; clock times follow our own rules, because in a practice "3 uur" means
15:00, which a general parser cannot know (dateparser reads "morgen om 10 uur" as 20:00).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

from burnout_assistant.booking.slots import TimeWish
from burnout_assistant.language.dutch_time import short_date

# TimeWish lives beside the slot finder that consumes it (burnout_assistant.booking.slots).
NO_PREFERENCE = TimeWish(None, None, None)

DAYPARTS: dict[str, tuple[time, time]] = {
    "ochtend": (time(8), time(12)),
    "middag": (time(12), time(17)),
    "avond": (time(17), time(21)),
}

_WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
# "zo" is left out: it is far more often the word "zo" ("zo snel mogelijk") than Sunday.
_WEEKDAY_SHORT = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5}
_RELATIVE_DAYS = {"vandaag": 0, "morgen": 1, "overmorgen": 2}
_DAY_WORDS: dict[str, tuple[str, int]] = {
    **{name: ("weekday", i) for i, name in enumerate(_WEEKDAYS)},
    **{name: ("relative", n) for name, n in _RELATIVE_DAYS.items()},
}
# Real words that are a letter or two away from a day name.
_NOT_DAYS = frozenset({"vandaan", "maand", "maanden", "zorgen", "borgen", "zonder", "morgens"})

# Flemish "voormiddag"/"namiddag" are the morning and afternoon.
_DAYPART_WORDS = {
    "ochtend": "ochtend",
    "voormiddag": "ochtend",
    "middag": "middag",
    "namiddag": "middag",
    "avond": "avond",
}
# Suffixes of compounds such as "donderdagmiddag", "dinsdagmorgen", "morgenvroeg";
# longer ones first so "donderdagnamiddag" is not read as "donderdagna" + "middag".
_DAYPART_SUFFIXES = (
    ("voormiddag", "ochtend"),
    ("namiddag", "middag"),
    ("ochtend", "ochtend"),
    ("middag", "middag"),
    ("avond", "avond"),
    ("morgen", "ochtend"),
    ("vroeg", "ochtend"),
)

_HOUR_WORDS = {
    "een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
    "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
}  # fmt: skip
# "na drieën", "voor elven": hours as spoken, accents already stripped.
_HOUR_PLURALS = {
    "enen": 1, "tweeen": 2, "drieen": 3, "vieren": 4, "vijven": 5, "zessen": 6,
    "zevenen": 7, "achten": 8, "negenen": 9, "tienen": 10, "elven": 11, "twaalven": 12,
}  # fmt: skip
_COUNT_WORDS = {"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6}

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

_MONTHS = (
    r"(?:januari|jan|februari|feb|maart|mrt|april|apr|mei|juni|jun|juli|jul|augustus|aug"
    r"|september|sep|oktober|okt|november|nov|december|dec)"
)
_DATE_NAMED = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:e|ste|de)?\s+(?P<month>{_MONTHS})\b(?:\s+(?P<year>\d{{4}}))?"
    rf"|\b(?P<month2>{_MONTHS})\s+(?P<day2>\d{{1,2}})(?:e|ste|de)?\b(?!\s*(?:uur|u\b|:))"
)
_DATE_NUMERIC = re.compile(
    r"(?<![\w:./-])(?P<day>\d{1,2})[-/](?P<month>\d{1,2})(?:[-/](?P<year>\d{4}|\d{2}))?"
    r"(?![\w:./-])(?!\s*(?:uur|u)\b)"
)

_HOUR = r"(?:\d{1,2}|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf)"
_HOUR_NOT_ONE = r"(?:\d{1,2}|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf)"
_MINUTES = r"(?:\d{1,2}|vijf|tien|kwart)"
# Clock times that are times without any context; "een uur" alone is a duration, not 13:00.
_CLOCK = re.compile(
    rf"""\b(?:
        (?P<m_half>{_MINUTES})\s+(?P<dir_half>over|voor)\s+half\s+(?P<h_half>{_HOUR})
      | (?P<m_rel>{_MINUTES})\s+(?P<dir_rel>over|voor)\s+(?P<h_rel>{_HOUR})
      | half\s+(?P<h_halfonly>{_HOUR})
      | (?P<h_colon>\d{{1,2}})(?::|\.(?=00|15|30|45)|\s*[uh]\s*(?=\d\d))(?P<m_colon>\d\d)
        (?:\s*(?:uur|u)\b)?
      | (?:een\s+)?uur\s+of\s+(?P<h_about>{_HOUR})
      | (?<=om\s)een\s+uur
      | (?P<h_uur>{_HOUR_NOT_ONE})\s*(?:uur|u)
    )\b""",
    re.VERBOSE,
)
# A bound after "na", "voor", "tussen"…: a clock placeholder, a bare hour or a spoken hour;
# never a count of something ("na drie weken", "voor tien minuten").
_BOUND = (
    r"(?:@\d+@|\d{1,2}(?![\d:])|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf"
    r"|enen|tweeen|drieen|vieren|vijven|zessen|zevenen|achten|negenen|tienen|elven|twaalven)"
    r"(?!\s*(?:minuten|minuutjes|min\b|kwartier|weken|week|dagen|dag\b|maanden|maand|jaar"
    r"|keer|mensen|personen|sessies))"
)
_RANGES = (
    re.compile(
        rf"\b(?:tussen|van|vanaf)\s+(?P<a>{_BOUND})\s*"
        rf"(?:en|tot\s+en\s+met|tot|t/m|-)\s*(?P<b>{_BOUND})"
    ),
    re.compile(rf"(?P<a>{_BOUND})\s*(?:tot\s+en\s+met|tot|t/m)\s*(?P<b>{_BOUND})"),
    re.compile(rf"(?P<a>@\d+@)\s*-\s*(?P<b>{_BOUND})"),
    re.compile(rf"(?P<a>{_BOUND})\s*-\s*(?P<b>@\d+@)"),
)
_FILLER = r"(?:ongeveer\s+|zon\s+|een\s+uur\s+of\s+)?"
_AFTER = re.compile(
    rf"\b(?:(?<!niet\s)na|vanaf|niet\s+voor|niet\s+eerder\s+dan|later\s+dan|pas\s+na|pas\s+om)\s+"
    rf"{_FILLER}(?P<a>{_BOUND})"
)
_BEFORE = re.compile(
    rf"\b(?:voor|tot|uiterlijk(?:\s+om)?|ten\s+laatste(?:\s+om)?|niet\s+na|niet\s+later\s+dan"
    rf"|eerder\s+dan)\s+{_FILLER}(?P<a>{_BOUND})"
)
_POINT = re.compile(
    rf"\b(?:om|rond|rondom|omstreeks|tegen|ongeveer|zo\s+rond)\s+{_FILLER}(?P<a>{_BOUND})"
    r"|(?P<b>@\d+@)"
)

_Raw = tuple[int, int, bool]  # hour, minute, literal (written as a 24-hour time)


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

    dates: list[date] = []
    cleaned = _take_dates(cleaned, today, local, dates)
    clocks: list[_Raw] = []
    cleaned = _CLOCK.sub(lambda m: _placeholder(m, clocks), cleaned)
    bounds: dict[str, list[_Raw | tuple[_Raw, _Raw]]] = {k: [] for k in _BOUND_KINDS}
    cleaned = _take_bounds(cleaned, clocks, bounds)
    days, parts = _read_days(cleaned)

    if dates:
        # A weekday next to a date names that same date ("donderdag 3 december").
        days = {d for d in days if d[0] != "weekday"}
    resolved = sorted({*dates, *_resolve_days(days, today)})
    earliest, latest = _window(parts, bounds)

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


# --- dates -----------------------------------------------------------------------------------


def _take_dates(text: str, today: date, local: datetime, found: list[date]) -> str:
    """Record calendar dates and blank them out, so "3-12" is not read as a time later."""
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": local.replace(tzinfo=None),
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day", "month"],
    }

    def named(match: re.Match[str]) -> str:
        day = match.group("day") or match.group("day2")
        month = match.group("month") or match.group("month2")
        parsed = dateparser.parse(f"{day} {month}", languages=["nl"], settings=settings)
        if parsed is None:  # e.g. 31 februari
            return match.group(0)
        year = int(match.group("year")) if match.group("year") else None
        return _keep_date(parsed.day, parsed.month, year, today, found, match)

    def numeric(match: re.Match[str]) -> str:
        before = text[: match.start()].split()[-1:]
        if before and before[0] in ("tussen", "van", "vanaf"):  # "tussen 9-11" is a time
            return match.group(0)
        year = match.group("year")
        full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
        day, month = int(match.group("day")), int(match.group("month"))
        return _keep_date(day, month, full_year, today, found, match)

    text = _DATE_NAMED.sub(named, text)
    return _DATE_NUMERIC.sub(numeric, text)


def _keep_date(
    day: int, month: int, year: int | None, today: date, found: list[date], match: re.Match[str]
) -> str:
    """The date on or after today: a past date (or year) moves to its next occurrence."""
    for candidate_year in ([year] if year else []) + [today.year, today.year + 1]:
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            found.append(candidate)
            return " " * len(match.group(0))
    return match.group(0)


# --- clock times -----------------------------------------------------------------------------

_BOUND_KINDS = ("range", "after", "before", "point")


def _placeholder(match: re.Match[str], clocks: list[_Raw]) -> str:
    raw = _read_clock(match)
    if raw is None:
        return match.group(0)
    clocks.append(raw)
    return f" @{len(clocks) - 1}@ "


def _read_clock(match: re.Match[str]) -> _Raw | None:
    g = match.groupdict()
    if g["h_half"]:
        hour, minutes = _hour(g["h_half"]) - 1, _minute(g["m_half"])
        minute = 30 + minutes if g["dir_half"] == "over" else 30 - minutes
        return _valid(hour or 12, minute, False)
    if g["h_rel"]:
        minutes = _minute(g["m_rel"])
        if g["dir_rel"] == "over":
            return _valid(_hour(g["h_rel"]), minutes, False)
        return _valid((_hour(g["h_rel"]) - 1) or 12, 60 - minutes, False)
    if g["h_halfonly"]:
        return _valid((_hour(g["h_halfonly"]) - 1) or 12, 30, False)
    if g["h_colon"]:
        hour = g["h_colon"]
        return _valid(int(hour), int(g["m_colon"]), hour.startswith("0") or int(hour) > 12)
    if g["h_about"]:
        return _valid(_hour(g["h_about"]), 0, False)
    if g["h_uur"]:
        return _valid(_hour(g["h_uur"]), 0, g["h_uur"].startswith("0") or _hour(g["h_uur"]) > 12)
    return _valid(1, 0, False)  # "om een uur"


def _hour(word: str) -> int:
    if word.isdigit():
        return int(word)
    return _HOUR_WORDS.get(word) or _HOUR_PLURALS[word]


def _minute(word: str) -> int:
    return {"vijf": 5, "tien": 10, "kwart": 15}.get(word) or int(word)


def _valid(hour: int, minute: int, literal: bool) -> _Raw | None:
    return (hour, minute, literal) if 0 <= hour <= 23 and 0 <= minute <= 59 else None


def _take_bounds(text: str, clocks: list[_Raw], bounds: dict[str, list]) -> str:
    """Read ranges first, then "na"/"voor" bounds, then plain times, blanking each."""

    def collect(kind: str) -> Callable[[re.Match[str]], str]:
        def handle(match: re.Match[str]) -> str:
            a = _bound(match.group("a") or match.group("b"), clocks)
            b = _bound(match.group("b"), clocks) if kind == "range" else None
            if a is None or (kind == "range" and b is None):
                return match.group(0)
            bounds[kind].append((a, b) if kind == "range" else a)
            return " " * len(match.group(0))

        return handle

    for pattern in _RANGES:
        text = pattern.sub(collect("range"), text)
    text = _AFTER.sub(collect("after"), text)
    text = _BEFORE.sub(collect("before"), text)
    return _POINT.sub(collect("point"), text)


def _bound(token: str | None, clocks: list[_Raw]) -> _Raw | None:
    if token is None:
        return None
    if token.startswith("@"):
        return clocks[int(token.strip("@"))]
    if token.isdigit():
        return _valid(int(token), 0, token.startswith("0") or int(token) > 12)
    return _valid(_hour(token), 0, False)


def _clock(raw: _Raw, part: str | None) -> time:
    """A practice reads "3 uur" as 15:00: hours 1-6 are afternoon unless it is morning."""
    hour, minute, literal = raw
    evening = part == "avond" and hour < 12
    afternoon = part != "ochtend" and 1 <= hour <= 6
    if not literal and (evening or afternoon):
        hour += 12
    return time(hour, minute)


def _window(parts: list[str], bounds: dict[str, list]) -> tuple[time | None, time | None]:
    """Explicit times win over a part of the day; "middag na 3 uur" narrows to 15:00-17:00."""
    earliest = min((DAYPARTS[p][0] for p in parts), default=None)
    latest = max((DAYPARTS[p][1] for p in parts), default=None)
    kinds = set(parts)
    part = kinds.pop() if len(kinds) == 1 else None

    if bounds["range"]:
        pairs = [_range(a, b, part) for a, b in bounds["range"]]
        return min(a for a, _ in pairs), max(b for _, b in pairs)
    if bounds["point"]:
        points = [_clock(raw, part) for raw in bounds["point"]]
        return min(points), max(points)
    if bounds["after"]:
        earliest = max(_clock(raw, part) for raw in bounds["after"])
        if latest is not None and latest <= earliest:
            latest = None
    if bounds["before"]:
        latest = min(_clock(raw, part) for raw in bounds["before"])
        if earliest is not None and earliest >= latest:
            earliest = None
    return earliest, latest


def _range(a: _Raw, b: _Raw, part: str | None) -> tuple[time, time]:
    start, end = _clock(a, part), _clock(b, part)
    if end <= start and not b[2] and end.hour + 12 < 24:  # "tussen 5 en 7" → 17:00-19:00
        end = end.replace(hour=end.hour + 12)
    return (start, end) if start <= end else (end, start)


# --- days and parts of the day ---------------------------------------------------------------

_DayRef = tuple[str, int]  # ("weekday", 0-6) | ("relative", days from today) | ("week", offset)


def _read_days(text: str) -> tuple[set[_DayRef], list[str]]:
    """Day references and parts of the day in the words that are left."""
    words = re.findall(r"[a-z]+|\d+", text)
    days: set[_DayRef] = set()
    parts: list[str] = []
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        if word in ("week", "weken", "weekend"):
            days |= _week_ref(words, i)
            continue
        if word in ("dag", "dagen") and i >= 2 and words[i - 2] == "over":
            count = _count(before)
            if count is not None:
                days.add(("relative", count))
            continue
        if word == "morgen" and before in ("de", "s"):  # "in de morgen", "'s morgen"
            parts.append("ochtend")
            continue
        if word in ("vroeg", "vroege") and before == "morgen":
            parts.append("ochtend")
            continue
        day, part = _read_word(word)
        if part and not day and before == "deze":  # "deze namiddag" is this afternoon
            day = ("relative", 0)
        if day:
            days.add(day)
        if part:
            parts.append(part)
    return days, parts


def _week_ref(words: list[str], i: int) -> set[_DayRef]:
    """A week named around ``words[i]``: "volgende week", "over twee weken", "weekend"…"""
    word, before = words[i], words[i - 1] if i else ""
    if word == "weekend":
        if before == "het" and i >= 2 and words[i - 2] == "na":
            return {("week", 1)}
        offset = 1 if before in ("volgend", "volgende", "komend", "komende") else 0
        return {("weekend", offset)}
    if before in ("volgende", "komende", "volgend", "komend"):
        return {("week", 1)}
    if before in ("deze", "dit", "dezelfde"):
        later = i >= 2 and words[i - 2] in ("later", "nog")
        return {("laterweek", 0)} if later else {("week", 0)}
    if i >= 2 and words[i - 2] == "over":
        count = _count(before)
        if count is not None:
            return {("week", count)}
    return set()


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _COUNT_WORDS.get(word)


def _read_word(word: str) -> tuple[_DayRef | None, str | None]:
    """One word: a day ("donderdg"), a part of the day ("'s middags") or both ("vanavond")."""
    day = _day_word(word, fuzzy=False)
    if day:
        return day, None
    part = _daypart_word(word)
    if part:
        return None, part
    for suffix, part in _DAYPART_SUFFIXES:
        for ending in (suffix + "s", suffix):
            if word.endswith(ending) and len(word) > len(ending):
                prefix = word[: -len(ending)]
                if prefix in ("van", "deze"):  # "vanmiddag", "vanmorgen"
                    return ("relative", 0), part
                day = _day_word(prefix, fuzzy=True)
                if day:
                    return day, part
    return _day_word(word, fuzzy=True), None


def _daypart_word(word: str) -> str | None:
    for candidate in (word, word[1:] if word.startswith("s") else ""):
        if candidate == "morgens":
            return "ochtend"
        base = candidate[:-1] if candidate.endswith("s") else candidate
        if base in _DAYPART_WORDS:
            return _DAYPART_WORDS[base]
    return None


def _day_word(word: str, *, fuzzy: bool) -> _DayRef | None:
    word = word.replace("y", "ij")  # "vrydag"
    if word in _DAY_WORDS:
        return _DAY_WORDS[word]
    if word in _WEEKDAY_SHORT:
        return ("weekday", _WEEKDAY_SHORT[word])
    if word.endswith("s") and word[:-1] in _WEEKDAYS:  # "dinsdags"
        return _DAY_WORDS[word[:-1]]
    if not fuzzy or len(word) < 5 or word in _NOT_DAYS:
        return None
    close = difflib.get_close_matches(word, _DAY_WORDS, n=1, cutoff=0.85)
    return _DAY_WORDS[close[0]] if close else None


def _resolve_days(refs: set[_DayRef], today: date) -> set[date]:
    """Dates for the references; a weekday alone is its next occurrence from tomorrow on."""
    weeks = [n for kind, n in refs if kind == "week"]
    later = any(kind == "laterweek" for kind, _ in refs)
    week = min(weeks) if weeks else (0 if later else None)
    weekdays = [n for kind, n in refs if kind == "weekday"]
    monday = today - timedelta(days=today.weekday())
    result: set[date] = set()

    for weekday in weekdays:
        if week is None:
            result.add(today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1))
        else:
            result.add(_not_past(monday + timedelta(weeks=week, days=weekday), today))
    if week is not None and not weekdays:
        start = today + timedelta(days=1) if later and not weeks else today
        week_start = monday + timedelta(weeks=week)
        result |= {
            week_start + timedelta(days=n)
            for n in range(7)
            if week_start + timedelta(days=n) >= start
        }
    for kind, n in refs:
        if kind == "relative":
            result.add(today + timedelta(days=n))
        elif kind == "weekend":
            saturday = monday + timedelta(weeks=n, days=5)
            result |= {d for d in (saturday, saturday + timedelta(days=1)) if d >= today}
    return result


def _not_past(day: date, today: date) -> date:
    while day < today:
        day += timedelta(weeks=1)
    return day


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
