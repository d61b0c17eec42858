"""Clock times in a Dutch time wish: "3 uur", "kwart over 10", "na drieën", "tussen 9 en 11".

Our own rules, not a general parser: in a practice "3 uur" means 15:00, which a general parser
cannot know (dateparser reads "morgen om 10 uur" as 20:00). Hours 1-6 are afternoon unless the
visitor said morning, and "een uur" alone is a duration. Each time found is blanked out of the
text, so the day reader (:mod:`~burnout_assistant.language.timewish_days`) never sees it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time

DAYPARTS: dict[str, tuple[time, time]] = {
    "ochtend": (time(8), time(12)),
    "middag": (time(12), time(17)),
    "avond": (time(17), time(21)),
}

_HOUR_WORDS = {
    "een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
    "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
}  # fmt: skip
# "na drieën", "voor elven": hours as spoken, accents already stripped.
_HOUR_PLURALS = {
    "enen": 1, "tweeen": 2, "drieen": 3, "vieren": 4, "vijven": 5, "zessen": 6,
    "zevenen": 7, "achten": 8, "negenen": 9, "tienen": 10, "elven": 11, "twaalven": 12,
}  # fmt: skip

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
_BOUND_KINDS = ("range", "after", "before", "point")
# Per kind of bound, the times read: one raw time each, a (start, end) pair for a range.
Bounds = dict[str, list[_Raw | tuple[_Raw, _Raw]]]


def take_times(text: str) -> tuple[str, Bounds]:
    """The clock times in ``text`` as bounds of the wish, and the text with them blanked."""
    clocks: list[_Raw] = []
    text = _CLOCK.sub(lambda m: _placeholder(m, clocks), text)
    bounds: Bounds = {k: [] for k in _BOUND_KINDS}
    return _take_bounds(text, clocks, bounds), bounds


def window(parts: list[str], bounds: Bounds) -> tuple[time | None, time | None]:
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


def _take_bounds(text: str, clocks: list[_Raw], bounds: Bounds) -> str:
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


def _range(a: _Raw, b: _Raw, part: str | None) -> tuple[time, time]:
    start, end = _clock(a, part), _clock(b, part)
    if end <= start and not b[2] and end.hour + 12 < 24:  # "tussen 5 en 7" → 17:00-19:00
        end = end.replace(hour=end.hour + 12)
    return (start, end) if start <= end else (end, start)

