"""Which intro-call times can be offered: opening hours minus busy time, holidays and notice.

Pure functions without I/O, so the one rule that decides "is this time free" lives here and is
tested on its own; the calendar module only supplies the busy periods. Wall-clock times are
built in the practice's time zone and compared as aware datetimes (i.e. in UTC), so a DST
change never shifts an offered 09:00 to 10:00.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from burnout_assistant.language.timewish import TimeWish
from burnout_assistant.settings import WEEKDAYS, Booking, parse_window

UTC = timezone.utc


@dataclass(frozen=True)
class Slot:
    """One bookable intro call, both ends in the practice's time zone (ready to show).

    Python compares and subtracts datetimes sharing a tzinfo on the wall clock; do arithmetic
    on ``start.astimezone(UTC)`` when a DST change could lie in between.
    """

    start: datetime
    end: datetime


def find_free_slots(
    booking: Booking,
    tz: ZoneInfo,
    busy: Sequence[tuple[datetime, datetime]],
    now: datetime,
    *,
    country: str = "NL",
    limit: int | None = None,
    not_before: datetime | None = None,
) -> list[Slot]:
    """Free intro-call slots from ``now`` up to the booking horizon, sorted by start.

    A slot starts every ``slot_step_minutes`` from the start of an opening-hours window (local
    wall clock) and the whole call fits in the window. Dropped: slots overlapping a busy
    period widened by ``buffer_minutes`` on both sides, public holidays of ``country``,
    ``closed_dates``, slots starting before ``now + minimum_notice_hours`` (or ``not_before``),
    and local dates after ``today + horizon_days``. Wall-clock times that do not exist (the
    hour skipped in spring) are never offered; in the repeated autumn hour the first
    occurrence is used.
    """
    _require_aware(now, "now")
    earliest = _utc(now, tz) + timedelta(hours=booking.minimum_notice_hours)
    if not_before is not None:
        _require_aware(not_before, "not_before")
        earliest = max(earliest, _utc(not_before, tz))
    last_day = last_bookable_day(booking, tz, now)
    length = timedelta(minutes=booking.intro_call_minutes)
    blocked = _blocked(booking, tz, busy)
    closed = set(booking.closed_dates)
    windows = {day: sorted(parse_window(w) for w in ws) for day, ws in
               booking.opening_hours.items()}

    found: list[Slot] = []
    day = earliest.astimezone(tz).date()
    while day <= last_day:
        if day not in closed and not is_public_holiday(day, country):
            starts: set[datetime] = set()
            for open_at, close_at in windows.get(WEEKDAYS[day.weekday()], []):
                starts.update(_starts_in_window(day, open_at, close_at, tz, booking, length))
            for start in sorted(starts):
                if start >= earliest and not _overlaps(start, start + length, blocked):
                    found.append(Slot(start.astimezone(tz), (start + length).astimezone(tz)))
                    if limit is not None and len(found) >= limit:
                        return found
        day += timedelta(days=1)
    return found


def last_bookable_day(booking: Booking, tz: ZoneInfo, now: datetime) -> date:
    """The horizon counts local calendar days: today + ``horizon_days`` is the last one."""
    return now.astimezone(tz).date() + timedelta(days=booking.horizon_days)


def is_public_holiday(day: date, country: str = "NL") -> bool:
    return day in _holidays(country, day.year)


def slots_for_wish(
    slots: Sequence[Slot],
    wish: TimeWish,
    tz: ZoneInfo,
    limit: int = 3,
    *,
    now: datetime | None = None,
) -> list[Slot]:
    """Up to ``limit`` future slots for a wish, in time order.

    Slots that match the wish exactly come first (earliest first); only when none match are
    the nearest offered, nearest meaning fewest days from a wished day, then closest to the
    wished time window, so "dinsdag om 10 uur" falls back to Tuesday at another time before
    another day at 10:00.
    """
    now = now or datetime.now(UTC)
    _require_aware(now, "now")
    moment = _utc(now, tz)
    future = sorted((s for s in slots if _utc(s.start, tz) > moment), key=_start_key(tz))
    exact = [s for s in future if _distance(s, wish, tz) == (0, timedelta(0))]
    if exact:
        return exact[:limit]
    nearest = sorted(future, key=lambda s: (*_distance(s, wish, tz), _utc(s.start, tz)))
    return sorted(nearest[:limit], key=_start_key(tz))


def _start_key(tz: ZoneInfo):
    return lambda slot: _utc(slot.start, tz)


def _distance(slot: Slot, wish: TimeWish, tz: ZoneInfo) -> tuple[int, timedelta]:
    """(days from the nearest wished day, time outside the wished start window)."""
    local = slot.start.astimezone(tz)
    days = min((abs((local.date() - d).days) for d in wish.days), default=0) if wish.days else 0
    at = _minutes(local.time())
    gap = 0
    if wish.earliest is not None and at < _minutes(wish.earliest):
        gap = _minutes(wish.earliest) - at
    elif wish.latest is not None and at > _minutes(wish.latest):
        gap = at - _minutes(wish.latest)
    return days, timedelta(minutes=gap)


def _starts_in_window(
    day: date, open_at: time, close_at: time, tz: ZoneInfo, booking: Booking, length: timedelta
) -> Iterator[datetime]:
    """Candidate starts (UTC) stepped on the wall clock; the call must end by closing time."""
    window_start = _local(day, open_at, tz)
    window_end = _local(day, close_at, tz)
    step = booking.slot_step_minutes
    minute = _minutes(open_at)
    while minute < _minutes(close_at):
        wall = datetime.combine(day, time(minute // 60, minute % 60))
        start = wall.replace(tzinfo=tz).astimezone(UTC)
        exists = start.astimezone(tz).replace(tzinfo=None) == wall  # not in the spring gap
        if exists and window_start <= start and start + length <= window_end:
            yield start
        minute += step


def is_free(
    booking: Booking, tz: ZoneInfo, busy: Sequence[tuple[datetime, datetime]],
    start: datetime, end: datetime,
) -> bool:
    """The same free-or-not rule as ``find_free_slots``, for one slot (the booking re-check)."""
    return not _overlaps(_utc(start, tz), _utc(end, tz), _blocked(booking, tz, busy))


def _blocked(
    booking: Booking, tz: ZoneInfo, busy: Sequence[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """Busy periods in UTC, widened by the buffer on both sides."""
    buffer = timedelta(minutes=booking.buffer_minutes)
    return [(_utc(s, tz) - buffer, _utc(e, tz) + buffer) for s, e in busy]


def _overlaps(start: datetime, end: datetime, blocked: list[tuple[datetime, datetime]]) -> bool:
    return any(b_start < end and start < b_end for b_start, b_end in blocked)


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Local wall-clock time as a UTC instant (first occurrence in the repeated hour)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _utc(moment: datetime, tz: ZoneInfo) -> datetime:
    """To UTC; a naive busy time is taken as practice-local (floating calendar times are)."""
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)).astimezone(UTC)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)
