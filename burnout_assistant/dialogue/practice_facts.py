"""Practice facts as the Dutch phrases responses quote: opening hours, place, waiting time,
referral and retention.

Responses in domain.yml say "{retention_conversation}" rather than "30 dagen", so a practice
that changes its retention in practice.yml never leaves a promise in a text that is no longer
true. Session start puts these phrases into slots.
"""

from __future__ import annotations

from burnout_assistant.language.dutch_time import DAYS, dutch_list
from burnout_assistant.names import (
    PRACTICE_EMAIL,
    PRACTICE_HOURS,
    PRACTICE_NAME,
    PRACTICE_PHONE,
    PRACTICE_REFERRAL,
    PRACTICE_WAITING,
    PRACTICE_WEBSITE,
    PRACTICE_WHERE,
    RETENTION_CONVERSATION,
    RETENTION_LEAD,
)
from burnout_assistant.settings import WEEKDAYS, Settings

DAY_NAMES = dict(zip(WEEKDAYS, DAYS, strict=True))
_YEARS = {1: "een jaar", 2: "twee jaar", 3: "drie jaar", 5: "vijf jaar", 7: "zeven jaar"}


def days_phrase(days: int) -> str:
    """365 → "een jaar", 30 → "30 dagen": how a retention period is said."""
    if days % 365 == 0 and days // 365 in _YEARS:
        return _YEARS[days // 365]
    return "een dag" if days == 1 else f"{days} dagen"


def hours_phrase(settings: Settings) -> str:
    """"maandag en dinsdag 9-12 en 13-17 uur, woensdag 9-12 uur, …": days with equal hours
    are grouped, so the sentence stays short."""
    groups: list[tuple[list[str], list[str]]] = []
    for day in WEEKDAYS:
        windows = settings.booking.opening_hours.get(day)
        if not windows:
            continue
        if groups and groups[-1][1] == windows:
            groups[-1][0].append(DAY_NAMES[day])
        else:
            groups.append(([DAY_NAMES[day]], windows))
    if not groups:
        return "op afspraak"
    parts = []
    for days, windows in groups:
        spans = " en ".join(_span(window) for window in windows)
        parts.append(f"{dutch_list(days)} {spans} uur")
    return dutch_list(parts)


def _span(window: str) -> str:
    start, end = window.split("-")
    return f"{_clock(start)}-{_clock(end)}"


def _clock(hhmm: str) -> str:
    hours, minutes = hhmm.split(":")
    return str(int(hours)) if minutes == "00" else f"{int(hours)}.{minutes}"


def response_slots(settings: Settings) -> dict[str, str]:
    """Every practice slot the responses quote, by slot name."""
    practice = settings.practice
    return {
        PRACTICE_NAME: practice.name,
        PRACTICE_PHONE: practice.phone,
        PRACTICE_EMAIL: practice.email,
        PRACTICE_WEBSITE: practice.website,
        PRACTICE_HOURS: hours_phrase(settings),
        PRACTICE_WHERE: practice.where,
        PRACTICE_WAITING: practice.waiting,
        PRACTICE_REFERRAL: (
            "Je hebt een verwijzing van je huisarts nodig." if practice.referral_needed
            else "Je hebt geen verwijzing van je huisarts nodig."
        ),
        RETENTION_CONVERSATION: days_phrase(settings.retention.conversation_days),
        RETENTION_LEAD: days_phrase(settings.retention.lead_days),
    }


ENGLISH_NOTE = (
    "I answer in Dutch, but you are welcome to write in English. For personal help, call the "
    "practice at {phone}."
)


def english_note(settings: Settings) -> str:
    """The one English line before a Dutch answer to an English message."""
    return ENGLISH_NOTE.format(phone=settings.practice.phone)
