"""The slot finder: properties over random practices and calendars, plus the known traps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from burnout_assistant.booking.slots import (
    Slot,
    find_free_slots,
    last_bookable_day,
    slots_for_wish,
)
from burnout_assistant.language.timewish import TimeWish
from burnout_assistant.settings import WEEKDAYS, Booking, parse_window

TZ = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc
PRACTICE_HOURS = {
    "monday": ["09:00-12:00", "13:00-17:00"],
    "tuesday": ["09:00-12:00", "13:00-17:00"],
    "wednesday": ["09:00-12:00"],
    "thursday": ["09:00-12:00", "13:00-20:00"],
    "friday": ["09:00-13:00"],
}
EVERY_DAY = {day: ["09:00-12:00"] for day in WEEKDAYS}


def booking(**changes) -> Booking:
    values = {
        "intro_call_minutes": 20,
        "slot_step_minutes": 30,
        "buffer_minutes": 0,
        "minimum_notice_hours": 0,
        "horizon_days": 14,
        "opening_hours": PRACTICE_HOURS,
    }
    return Booking(**{**values, **changes})


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def starts(slots: list[Slot]) -> list[str]:
    return [s.start.strftime("%Y-%m-%d %H:%M") for s in slots]


# --- random practices -------------------------------------------------------------------------

MINUTES_PER_DAY = 24 * 60


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def windows(draw) -> list[str]:
    """One to three opening windows of a day, in order and apart (the settings refuse
    windows that overlap)."""
    edges = sorted(draw(st.sets(st.integers(0, MINUTES_PER_DAY - 1), min_size=2, max_size=6)))
    pairs = list(zip(edges[::2], edges[1::2], strict=False))
    return [f"{_clock(open_at)}-{_clock(close_at)}" for open_at, close_at in pairs]


@st.composite
def scenarios(draw):
    """A random practice, a random moment (across DST changes) and a random busy calendar."""
    now = draw(
        st.datetimes(
            min_value=datetime(2024, 1, 1), max_value=datetime(2031, 12, 31),
            timezones=st.just(TZ), allow_imaginary=False,
        )
    )
    today = now.date()
    horizon = draw(st.integers(1, 28))
    days_ahead = st.integers(-2, horizon + 2)
    rules = Booking(
        intro_call_minutes=draw(st.integers(5, 120)),
        slot_step_minutes=draw(st.integers(5, 120)),
        buffer_minutes=draw(st.integers(0, 60)),
        # a notice past the horizon is refused by the settings (nothing could be booked)
        minimum_notice_hours=draw(st.integers(0, min(72, (horizon + 1) * 24 - 1))),
        horizon_days=horizon,
        opening_hours=draw(
            st.dictionaries(
                st.sampled_from(WEEKDAYS), windows(), min_size=1,
            )
        ),
        closed_dates=[today + timedelta(days=n) for n in draw(st.lists(days_ahead, max_size=4))],
    )
    timed = st.tuples(
        st.integers(-3 * MINUTES_PER_DAY, (horizon + 2) * MINUTES_PER_DAY),
        st.integers(0, 12 * 60),
    ).map(lambda t: (now + timedelta(minutes=t[0]), now + timedelta(minutes=t[0] + t[1])))
    all_day = st.tuples(days_ahead, st.integers(1, 4)).map(
        lambda t: (
            datetime.combine(today + timedelta(days=t[0]), time(0), tzinfo=TZ),
            datetime.combine(today + timedelta(days=t[0] + t[1]), time(0), tzinfo=TZ),
        )
    )
    busy = draw(st.lists(st.one_of(timed, all_day), max_size=12))
    return rules, now, busy


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_offered_slots_obey_every_rule(scenario) -> None:
    rules, now, busy = scenario
    slots = find_free_slots(rules, TZ, busy, now)
    buffer = timedelta(minutes=rules.buffer_minutes)
    length = timedelta(minutes=rules.intro_call_minutes)
    dutch = holidays.country_holidays("NL")
    for slot in slots:
        start, end = slot.start.astimezone(TZ), slot.end.astimezone(TZ)
        assert utc(end) - utc(start) == length
        for b_start, b_end in busy:
            assert not (utc(b_start) - buffer < utc(end) and utc(start) < utc(b_end) + buffer)
        assert start.date() == end.date()
        day_windows = [parse_window(w) for w in rules.opening_hours.get(
            WEEKDAYS[start.weekday()], [])]
        assert any(o <= start.time() and end.time() <= c for o, c in day_windows)
        assert start.date() not in dutch
        assert start.date() not in rules.closed_dates
        assert utc(start) >= utc(now) + timedelta(hours=rules.minimum_notice_hours)
        assert start.date() <= now.date() + timedelta(days=rules.horizon_days)
    assert [utc(s.start) for s in slots] == sorted({utc(s.start) for s in slots})


@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_busy_time_removes_exactly_the_overlapping_slots(scenario) -> None:
    """Busy periods only take away what they overlap: nothing else disappears."""
    rules, now, busy = scenario
    buffer = timedelta(minutes=rules.buffer_minutes)
    free = find_free_slots(rules, TZ, [], now)
    expected = [
        s for s in free
        if not any(utc(b) - buffer < utc(s.end) and utc(s.start) < utc(e) + buffer
                   for b, e in busy)
    ]
    assert find_free_slots(rules, TZ, busy, now) == expected
    assert find_free_slots(rules, TZ, busy, now, limit=2) == expected[:2]


# --- examples ---------------------------------------------------------------------------------


def test_a_practice_day_in_full() -> None:
    """Monday 09-12 and 13-17, 20-minute calls every 30 minutes: 6 + 8 slots."""
    slots = find_free_slots(booking(horizon_days=1), TZ, [], local(2026, 6, 1, 7))
    slots = [s for s in slots if s.start.date() == date(2026, 6, 1)]
    assert starts(slots) == [f"2026-06-01 {h}" for h in (
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30")]
    assert all(s.end - s.start == timedelta(minutes=20) for s in slots)


@pytest.mark.parametrize(
    ("before", "after", "offsets"),
    [
        (date(2026, 3, 27), date(2026, 3, 30), ("+01:00", "+02:00")),  # clocks go forward
        (date(2026, 10, 23), date(2026, 10, 26), ("+02:00", "+01:00")),  # clocks go back
    ],
)
def test_dst_weekend_keeps_the_wall_clock(before: date, after: date, offsets) -> None:
    now = datetime.combine(before, time(7), tzinfo=TZ)
    slots = find_free_slots(booking(horizon_days=4), TZ, [], now)
    firsts = {d: next(s for s in slots if s.start.date() == d) for d in (before, after)}
    assert firsts[before].start.isoformat() == f"{before}T09:00:00{offsets[0]}"
    assert firsts[after].start.isoformat() == f"{after}T09:00:00{offsets[1]}"
    assert utc(firsts[after].start).hour != utc(firsts[before].start).hour


def test_no_slot_in_the_skipped_hour_and_calls_may_cross_it() -> None:
    rules = booking(opening_hours={"sunday": ["01:00-04:00"]}, intro_call_minutes=60,
                    horizon_days=3)
    slots = find_free_slots(rules, TZ, [], local(2026, 3, 27, 12))
    assert [s.start.isoformat() for s in slots] == [
        "2026-03-29T01:00:00+01:00", "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:00:00+02:00",
    ]
    assert slots[1].end.isoformat() == "2026-03-29T03:30:00+02:00"  # 60 real minutes


def test_repeated_autumn_hour_is_offered_once() -> None:
    rules = booking(opening_hours={"sunday": ["01:30-03:30"]}, horizon_days=3)
    slots = find_free_slots(rules, TZ, [], local(2026, 10, 23, 12))
    assert [s.start.isoformat() for s in slots] == [
        "2026-10-25T01:30:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00",
        "2026-10-25T03:00:00+01:00",
    ]


@pytest.mark.parametrize(
    ("now", "holiday"),
    [
        (local(2026, 4, 20), date(2026, 4, 27)),  # Koningsdag
        (local(2025, 4, 20), date(2025, 4, 26)),  # Koningsdag moves to Saturday in 2025
        (local(2026, 12, 20), date(2026, 12, 25)),  # Christmas
        (local(2026, 12, 20), date(2026, 12, 26)),  # Boxing day
    ],
)
def test_public_holidays_are_never_offered(now: datetime, holiday: date) -> None:
    slots = find_free_slots(booking(opening_hours=EVERY_DAY), TZ, [], now)
    days = {s.start.date() for s in slots}
    assert holiday not in days
    assert holiday - timedelta(days=1) in days or holiday + timedelta(days=1) in days


def test_country_decides_which_holidays() -> None:
    """21 July is Belgium's national day, an ordinary Tuesday in the Netherlands."""
    now = local(2026, 7, 19)
    nl = find_free_slots(booking(), TZ, [], now, country="NL")
    be = find_free_slots(booking(), TZ, [], now, country="BE")
    assert date(2026, 7, 21) in {s.start.date() for s in nl}
    assert date(2026, 7, 21) not in {s.start.date() for s in be}


def test_closed_dates_are_never_offered() -> None:
    rules = booking(closed_dates=[date(2026, 6, 2)])
    days = {s.start.date() for s in find_free_slots(rules, TZ, [], local(2026, 6, 1))}
    assert date(2026, 6, 2) not in days and date(2026, 6, 3) in days


def test_buffer_applies_on_both_sides_to_the_minute() -> None:
    busy = [(local(2026, 6, 1, 10), local(2026, 6, 1, 10, 20))]
    now = local(2026, 6, 1, 7)
    ten = find_free_slots(booking(buffer_minutes=10, horizon_days=1), TZ, busy, now)
    assert "2026-06-01 09:30" in starts(ten) and "2026-06-01 10:30" in starts(ten)
    assert "2026-06-01 10:00" not in starts(ten)
    eleven = find_free_slots(booking(buffer_minutes=11, horizon_days=1), TZ, busy, now)
    assert not {"2026-06-01 09:30", "2026-06-01 10:00", "2026-06-01 10:30"} & set(
        starts(eleven))
    assert "2026-06-01 09:00" in starts(eleven) and "2026-06-01 11:00" in starts(eleven)


def test_all_day_busy_blocks_the_whole_local_day() -> None:
    busy = [(local(2026, 6, 2), local(2026, 6, 3))]
    days = {s.start.date() for s in find_free_slots(booking(), TZ, busy, local(2026, 6, 1))}
    assert date(2026, 6, 2) not in days and {date(2026, 6, 1), date(2026, 6, 3)} <= days


def test_minimum_notice_can_mean_not_today() -> None:
    slots = find_free_slots(booking(minimum_notice_hours=12), TZ, [], local(2026, 6, 1, 8))
    assert slots[0].start == local(2026, 6, 2, 9)  # Monday 20:00 is past closing


def test_horizon_counts_local_days() -> None:
    rules = booking(horizon_days=7)
    now = local(2026, 6, 2, 0, 30)  # just after midnight: still 1 June in UTC
    slots = find_free_slots(rules, TZ, [], now)
    assert last_bookable_day(rules, TZ, now) == date(2026, 6, 9)
    assert max(s.start.date() for s in slots) == date(2026, 6, 9)


def test_not_before_and_limit() -> None:
    slots = find_free_slots(booking(), TZ, [], local(2026, 6, 1, 7),
                            not_before=local(2026, 6, 3, 11), limit=3)
    assert starts(slots) == ["2026-06-03 11:00", "2026-06-03 11:30", "2026-06-04 09:00"]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        find_free_slots(booking(), TZ, [], datetime(2026, 6, 1, 8))


# --- wishes -----------------------------------------------------------------------------------

NOW = local(2026, 6, 1, 7)  # Monday morning
WEEK = find_free_slots(booking(horizon_days=6), TZ, [], NOW)
TUESDAY, WEDNESDAY = date(2026, 6, 2), date(2026, 6, 3)


def test_wish_matching_exactly_gives_the_earliest_matches() -> None:
    wish = TimeWish(days=(TUESDAY,), earliest=time(13), latest=None)
    assert starts(slots_for_wish(WEEK, wish, TZ, now=NOW)) == [
        "2026-06-02 13:00", "2026-06-02 13:30", "2026-06-02 14:00"]


def test_wish_for_a_booked_time_gives_the_nearest_on_that_day() -> None:
    taken = [s for s in WEEK if s.start != local(2026, 6, 2, 10)]
    wish = TimeWish(days=(TUESDAY,), earliest=time(10), latest=time(10))
    assert starts(slots_for_wish(taken, wish, TZ, now=NOW)) == [
        "2026-06-02 09:00", "2026-06-02 09:30", "2026-06-02 10:30"]


def test_wish_outside_opening_hours_falls_back_to_the_nearest() -> None:
    """Wednesday has no afternoon: the latest Wednesday morning slots are nearest."""
    wish = TimeWish(days=(WEDNESDAY,), earliest=time(14), latest=None)
    assert starts(slots_for_wish(WEEK, wish, TZ, now=NOW)) == [
        "2026-06-03 10:30", "2026-06-03 11:00", "2026-06-03 11:30"]


def test_wish_for_a_closed_day_gives_the_nearest_days() -> None:
    saturday = date(2026, 6, 6)
    wish = TimeWish(days=(saturday,), earliest=time(9), latest=time(10))
    picked = slots_for_wish(WEEK, wish, TZ, now=NOW)
    assert {s.start.date() for s in picked} == {date(2026, 6, 5)}  # Friday, 1 day away
    assert starts(picked) == ["2026-06-05 09:00", "2026-06-05 09:30", "2026-06-05 10:00"]


def test_wish_only_a_time_of_day() -> None:
    wish = TimeWish(days=None, earliest=time(17), latest=None)
    assert starts(slots_for_wish(WEEK, wish, TZ, limit=2, now=NOW)) == [
        "2026-06-04 17:00", "2026-06-04 17:30"]  # only Thursday is open late


def test_wish_never_gives_slots_in_the_past() -> None:
    later = local(2026, 6, 2, 12)
    wish = TimeWish(days=(TUESDAY,), earliest=time(9), latest=time(10))
    picked = slots_for_wish(WEEK, wish, TZ, now=later)
    assert picked and all(s.start > later for s in picked)
    assert starts(picked) == ["2026-06-02 13:00", "2026-06-02 13:30", "2026-06-02 14:00"]
    assert slots_for_wish(WEEK, TimeWish(None, None, None), TZ, now=local(2026, 7, 1)) == []
