"""How the dashboard shows stored values to staff: Dutch words, local times, readable numbers.

Kept apart from the views so the pages and the CSV export say things the same way.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g

from burnout_assistant.booking.notifications import CHANNELS
from burnout_assistant.language.contact import format_phone_nl
from burnout_assistant.language.dutch_time import local, long_date, long_when, short_date
from burnout_assistant.records.schema import STATUSES
from burnout_assistant.settings import Settings

KIND_NAMES = {"booking": "Kennismaking", "callback": "Terugbelverzoek"}
STATUS_NAMES = {status: status.capitalize() for status in STATUSES}
EVENT_NAMES = {"status": "Status", "note": "Notitie", "export": "Geëxporteerd"}


def moment(value: datetime | None, tz: ZoneInfo, now: datetime | None = None) -> str:
    """``di 1 dec 10:00``; with the year when it is not this year's."""
    if value is None:
        return ""
    m = local(value, tz)
    year = f" {m.year}" if now is not None and local(now, tz).year != m.year else ""
    return f"{short_date(m)}{year} {m:%H:%M}"


def channel_name(channel: str) -> str:
    return CHANNELS.get(channel, channel)


def band_name(band: str | None) -> str:
    return band.capitalize() if band else "Geen check"


def topic_name(topic: str) -> str:
    """``faq/wat_is_burnout`` or ``wat_is_burnout`` → ``wat is burnout``."""
    return topic.rsplit("/", 1)[-1].replace("_", " ")


def phone(e164: str) -> str:
    return format_phone_nl(e164) if e164 else ""


def register(app: Flask, settings: Settings) -> None:
    """Filters and globals for the templates."""
    tz = settings.tz

    def _moment(value: datetime | None) -> str:
        return moment(value, tz, app.extensions["dashboard"].now())

    app.add_template_filter(_moment, "moment")
    app.add_template_filter(lambda value: long_when(value, tz) if value else "", "long_when")
    app.add_template_filter(lambda value: long_date(value, tz) if value else "", "long_date")
    app.add_template_filter(phone, "phone")
    app.add_template_filter(short_date, "day")
    app.add_template_filter(channel_name, "channel")
    app.add_template_filter(band_name, "band")
    app.add_template_filter(topic_name, "topic")
    app.add_template_filter(lambda s: STATUS_NAMES.get(s, s), "status")
    app.add_template_filter(lambda k: KIND_NAMES.get(k, k), "kind")
    app.add_template_filter(lambda k: EVENT_NAMES.get(k, k), "event")

    @app.context_processor
    def _globals() -> dict:
        return {
            "practice_name": settings.practice.name,
            "staff": g.get("staff"),
            "statuses": STATUSES,
        }
