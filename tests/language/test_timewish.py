"""Dutch call-time wishes become the days and start times the slot finder searches.

``NOW`` is Monday 23 November 2026, 10:00 in Amsterdam, so "dinsdag" is tomorrow and
"maandag" is next week's Monday (a weekday name means its next occurrence from tomorrow on).
Decided and pinned here: "weet ik niet", "maakt niet uit" and "zo snel mogelijk" are a wish
without preference (all None: offer the first free slots); text that names no time at all
("pizza", "nee", a phone number) is None.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from burnout_assistant.language.timewish import (
    NO_PREFERENCE,
    TimeWish,
    describe_wish,
    parse_specific_wish,
    parse_time_wish,
    wish_from_dict,
    wish_to_dict,
)

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
NEXT_WEEK = tuple(date(2026, 11, 30) + timedelta(days=n) for n in range(7))
THIS_WEEK = tuple(date(2026, 11, 23) + timedelta(days=n) for n in range(7))
MORNING = (time(8), time(12))
AFTERNOON = (time(12), time(17))
EVENING = (time(17), time(21))


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def at(hour: int, minute: int = 0) -> tuple[time, time]:
    """A wish for one exact start time."""
    return time(hour, minute), time(hour, minute)


def wish(days: tuple[date, ...] | None, window: tuple[time | None, time | None]) -> TimeWish:
    return TimeWish(days, *window)


ANY = (None, None)

CASES = [
    # days
    ("morgen", wish((d(11, 24),), ANY)),
    ("overmorgen", wish((d(11, 25),), ANY)),
    ("vandaag", wish((d(11, 23),), ANY)),
    ("vrijdag", wish((d(11, 27),), ANY)),
    ("Maandag", wish((d(11, 30),), ANY)),
    ("dinsdag of donderdag", wish((d(11, 24), d(11, 26)), ANY)),
    ("volgende week", wish(NEXT_WEEK, ANY)),
    ("deze week", wish(THIS_WEEK, ANY)),
    ("later deze week", wish(THIS_WEEK[1:], ANY)),
    ("dinsdag volgende week", wish((d(12, 1),), ANY)),
    ("volgende week woensdag of donderdag", wish((d(12, 2), d(12, 3)), ANY)),
    ("deze week woensdag", wish((d(11, 25),), ANY)),
    ("komende vrijdag", wish((d(11, 27),), ANY)),
    ("over twee weken", wish(tuple(d(12, 7) + timedelta(days=n) for n in range(7)), ANY)),
    ("over 3 dagen", wish((d(11, 26),), ANY)),
    ("na het weekend", wish(NEXT_WEEK, ANY)),
    ("in het weekend", wish((d(11, 28), d(11, 29)), ANY)),
    # calendar dates; a past date is its next occurrence
    ("3 december", wish((d(12, 3),), ANY)),
    ("3 dec.", wish((d(12, 3),), ANY)),
    ("3e december", wish((d(12, 3),), ANY)),
    ("3-12", wish((d(12, 3),), ANY)),
    ("3/12", wish((d(12, 3),), ANY)),
    ("3-11", wish((d(11, 3, 2027),), ANY)),
    ("1 jan", wish((d(1, 1, 2027),), ANY)),
    ("donderdag 3 december", wish((d(12, 3),), ANY)),
    # typos and Flemish
    ("donderdg", wish((d(11, 26),), ANY)),
    ("woensdg middag", wish((d(11, 25),), AFTERNOON)),
    ("vrydag", wish((d(11, 27),), ANY)),
    ("voormiddag", wish(None, MORNING)),
    ("namiddag", wish(None, AFTERNOON)),
    ("donderdagnamiddag", wish((d(11, 26),), AFTERNOON)),
    ("deze namiddag", wish((d(11, 23),), AFTERNOON)),
    ("om het even", NO_PREFERENCE),
    # parts of the day
    ("donderdagmiddag", wish((d(11, 26),), AFTERNOON)),
    ("donderdag middag", wish((d(11, 26),), AFTERNOON)),
    ("'s ochtends", wish(None, MORNING)),
    ("s ochtends", wish(None, MORNING)),
    ("’s ochtends liefst", wish(None, MORNING)),
    ("in de ochtend", wish(None, MORNING)),
    ("'s morgens", wish(None, MORNING)),
    ("'s middags", wish(None, AFTERNOON)),
    ("'s avonds", wish(None, EVENING)),
    ("morgenochtend", wish((d(11, 24),), MORNING)),
    ("morgen vroeg", wish((d(11, 24),), MORNING)),
    ("dinsdagmorgen", wish((d(11, 24),), MORNING)),
    ("vanavond", wish((d(11, 23),), EVENING)),
    ("vrijdag voor de middag", wish((d(11, 27),), MORNING)),
    ("na de lunch", wish(None, AFTERNOON)),
    ("di of wo ochtend", wish((d(11, 24), d(11, 25)), MORNING)),
    # clock times: in a practice hours 1-6 are the afternoon
    ("na 3 uur", wish(None, (time(15), None))),
    ("voor 11 uur", wish(None, (None, time(11)))),
    ("tussen 9 en 11", wish(None, (time(9), time(11)))),
    ("tussen 2 en 4", wish(None, (time(14), time(16)))),
    ("tussen 5 en 7", wish(None, (time(17), time(19)))),
    ("tussen 11 en 1", wish(None, (time(11), time(13)))),
    ("9-11 uur", wish(None, (time(9), time(11)))),
    ("van 8 tot 10 's avonds", wish(None, (time(20), time(22)))),
    ("woensdag tussen 10:00 en 11:30", wish((d(11, 25),), (time(10), time(11, 30)))),
    ("maandag 14:30", wish((d(11, 30),), at(14, 30))),
    ("maandag om half drie", wish((d(11, 30),), at(14, 30))),
    ("kwart over 10", wish(None, at(10, 15))),
    ("kwart voor 1", wish(None, at(12, 45))),
    ("tien over half drie", wish(None, at(14, 40))),
    ("5 voor 11", wish(None, at(10, 55))),
    ("om een uur of drie", wish(None, at(15))),
    ("om 11.15", wish(None, at(11, 15))),
    ("3/12 10u30", wish((d(12, 3),), at(10, 30))),
    ("Donderdag om 16.00 uur", wish((d(11, 26),), at(16))),
    ("volgende week dinsdag om 10 uur", wish((d(12, 1),), at(10))),
    ("morgen om 10 uur", wish((d(11, 24),), at(10))),
    ("'s avonds om 7", wish(None, at(19))),
    ("om 6 uur 's ochtends", wish(None, at(6))),
    ("woensdagavond om half 8", wish((d(11, 25),), at(19, 30))),
    ("niet na 4", wish(None, (None, time(16)))),
    ("niet voor 10 uur", wish(None, (time(10), None))),
    ("vanaf half 10", wish(None, (time(9, 30), None))),
    ("uiterlijk om 11", wish(None, (None, time(11)))),
    # a time narrows the part of the day
    ("donderdagmiddag na 3 uur", wish((d(11, 26),), (time(15), time(17)))),
    ("vanmiddag na drieën", wish((d(11, 23),), (time(15), time(17)))),
    ("'s ochtends na 10", wish(None, (time(10), time(12)))),
    ("'s middags voor 3 uur", wish(None, (time(12), time(15)))),
    ("volgende week dinsdag na 3 uur", wish((d(12, 1),), (time(15), None))),
    # no preference
    ("zo snel mogelijk", NO_PREFERENCE),
    ("zsm", NO_PREFERENCE),
    ("maakt niet uit", NO_PREFERENCE),
    ("het maakt mij niet zoveel uit", NO_PREFERENCE),
    ("weet ik niet", NO_PREFERENCE),
    ("geen voorkeur", NO_PREFERENCE),
    ("liefst zo snel mogelijk, 's middags", wish(None, AFTERNOON)),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_reads_the_wish(text: str, expected: TimeWish) -> None:
    assert parse_time_wish(text, NOW, TZ) == expected


@pytest.mark.parametrize(
    "text",
    [
        "pizza",
        "nee",
        "ja",
        "",
        "   ",
        "06 12345678",
        "jan@gmail.com",
        "ik wil een afspraak voor 2 personen",
        "over een uur",  # a duration, not 13:00
        "na drie weken",
        "voor tien minuten",
        "31 februari",
        "waar kom je vandaan",  # "vandaan" is no typo of "vandaag"
        "over een maand",  # nor "maand" of "maandag"
    ],
)
def test_text_without_a_time_is_none(text: str) -> None:
    assert parse_time_wish(text, NOW, TZ) is None


def test_a_naive_now_is_read_as_local_time() -> None:
    naive = NOW.replace(tzinfo=None)
    assert parse_time_wish("morgen om 10 uur", naive, TZ) == parse_time_wish(
        "morgen om 10 uur", NOW, TZ
    )


def test_today_is_the_practices_date_not_utc() -> None:
    # 23:30 UTC on Monday is already Tuesday 00:30 in Amsterdam.
    late = datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc)
    assert parse_time_wish("vandaag", late, TZ) == wish((d(11, 24),), ANY)
    assert parse_time_wish("morgen", late, TZ) == wish((d(11, 25),), ANY)


def test_a_weekday_named_today_means_next_week() -> None:
    assert parse_time_wish("maandag", NOW, TZ).days == (d(11, 30),)
    assert parse_time_wish("vandaag", NOW, TZ).days == (d(11, 23),)


def test_volgende_week_is_the_next_calendar_week_on_any_weekday() -> None:
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=TZ)
    assert parse_time_wish("volgende week dinsdag", sunday, TZ).days == (d(12, 1),)
    assert parse_time_wish("dinsdag", sunday, TZ).days == (d(12, 1),)


def test_this_weeks_past_weekday_moves_to_next_week() -> None:
    thursday = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    assert parse_time_wish("deze week maandag", thursday, TZ).days == (d(11, 30),)


@pytest.mark.parametrize("offset", range(7))
@pytest.mark.parametrize(
    "text", ["maandag", "vrijdagmiddag", "deze week", "volgende week", "3-11", "zondag"]
)
def test_days_are_never_in_the_past(offset: int, text: str) -> None:
    now = NOW + timedelta(days=offset)
    days = parse_time_wish(text, now, TZ).days
    assert days and min(days) >= now.date()
    assert list(days) == sorted(set(days))


def test_a_wish_is_a_frozen_value() -> None:
    wished = parse_time_wish("donderdagmiddag", NOW, TZ)
    with pytest.raises(dataclasses.FrozenInstanceError):
        wished.earliest = time(9)  # type: ignore[misc]
    assert {wished, parse_time_wish("donderdag middag", NOW, TZ)} == {wished}


def test_a_specific_wish_names_a_day_or_a_time() -> None:
    assert parse_specific_wish("zo snel mogelijk", NOW, TZ) is None
    assert parse_specific_wish("ik ben zo moe", NOW, TZ) is None
    wish = parse_specific_wish("kunnen jullie me dinsdagmiddag bellen?", NOW, TZ)
    assert wish is not None and wish.days and wish.earliest == time(12)


@pytest.mark.parametrize("wished", [
    wish((d(11, 24), d(11, 26)), (time(13), None)),
    wish(None, (None, time(11, 30))),
    NO_PREFERENCE,
])
def test_a_kept_wish_reads_back_the_same(wished: TimeWish) -> None:
    """The opening message's wish waits in a slot as JSON until the offer."""
    assert wish_from_dict(wish_to_dict(wished)) == wished
    assert wish_from_dict(None) is None


@pytest.mark.parametrize("wished, said", [
    (wish((d(11, 24),), (time(13), None)), "di 24 nov, na 13:00"),
    (wish((d(11, 26), d(11, 24)), AFTERNOON), "di 24 nov of do 26 nov, tussen 12:00 en 17:00"),
    (wish(None, at(10)), "om 10:00"),
    (wish(None, (None, time(11))), "voor 11:00"),
    (NO_PREFERENCE, "zo snel mogelijk"),
])
def test_a_wish_is_said_back_from_the_parsed_value(wished: TimeWish, said: str) -> None:
    assert describe_wish(wished) == said
