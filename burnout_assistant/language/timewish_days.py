"""Days in a Dutch time wish: dates ("3 dec.", "3-12"), day names with typos and Flemish
words ("donderdg", "vrydag", "namiddag"), and weeks ("volgende week", "over twee weken").

dateparser reads only calendar dates, where it is reliable; day names and parts of the day
follow plain rules. Everything resolves to local dates on or after today.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, timedelta

import dateparser

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

_COUNT_WORDS = {"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6}

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

# ("weekday", 0-6) | ("relative", days from today) | ("week", offset) | ("weekend", offset)
# | ("laterweek", 0): later this week
DayRef = tuple[str, int]


# --- dates -----------------------------------------------------------------------------------


def take_dates(text: str, local: datetime) -> tuple[str, list[date]]:
    """The calendar dates in ``text``, and the text with them blanked out, so "3-12" is not
    read as a time later. ``local`` is now on the practice's wall clock."""
    today = local.date()
    found: list[date] = []
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
    return _DATE_NUMERIC.sub(numeric, text), found


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


# --- days and parts of the day ---------------------------------------------------------------


def read_days(text: str) -> tuple[set[DayRef], list[str]]:
    """Day references and parts of the day in the words that are left."""
    words = re.findall(r"[a-z]+|\d+", text)
    days: set[DayRef] = set()
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


def _week_ref(words: list[str], i: int) -> set[DayRef]:
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


def _read_word(word: str) -> tuple[DayRef | None, str | None]:
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


def _day_word(word: str, *, fuzzy: bool) -> DayRef | None:
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


def resolve_days(refs: set[DayRef], today: date) -> set[date]:
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

