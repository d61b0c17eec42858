"""Dates, times and lists as a Dutch visitor reads them, in the practice's time zone.

One place for the wording, so the chat, the mails and the dashboard say "di 1 dec 10:00"
the same way (no dependency on the machine's locale).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
DAYS_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
MONTHS_SHORT = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov",
                "dec")


def local(moment: datetime, tz: ZoneInfo = AMSTERDAM) -> datetime:
    """The moment on the practice's wall clock (naive input is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(tz)


def short_date(day: date) -> str:
    """``di 1 dec``."""
    return f"{DAYS_SHORT[day.weekday()]} {day.day} {MONTHS_SHORT[day.month - 1]}"


def short_when(moment: datetime, tz: ZoneInfo = AMSTERDAM) -> str:
    """``di 1 dec 10:00``: for buttons and mail subjects."""
    m = local(moment, tz)
    return f"{short_date(m)} {m:%H:%M}"


def long_date(moment: datetime, tz: ZoneInfo = AMSTERDAM) -> str:
    """``dinsdag 1 december``."""
    m = local(moment, tz)
    return f"{DAYS[m.weekday()]} {m.day} {MONTHS[m.month - 1]}"


def clock(moment: datetime, tz: ZoneInfo = AMSTERDAM) -> str:
    """``10:00``."""
    return f"{local(moment, tz):%H:%M}"


def long_when(moment: datetime, tz: ZoneInfo = AMSTERDAM) -> str:
    """``dinsdag 1 december om 10:00``: for confirmations."""
    return f"{long_date(moment, tz)} om {clock(moment, tz)}"


def dutch_list(items: list[str]) -> str:
    """``a, b en c``: how every text that names several things joins them."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]
