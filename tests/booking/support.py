"""Shared pieces of the booking tests: settings, a fixed 'now', a request, the events."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from burnout_assistant.booking.appointments import BookingRequest
from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.settings import load_settings

SETTINGS = load_settings(Path(__file__).parents[2] / "practice.yml")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=SETTINGS.tz)  # a Monday morning


def request(sender: str, start: datetime | None, **extra) -> BookingRequest:
    return BookingRequest(sender_id=sender, channel="rest", name="Sanne de Vries",
                          phone="+31612345678", consent_at=NOW, start=start, **extra)


def events_around(calendar: PracticeCalendar, start: datetime) -> list:
    return calendar.busy_periods(start - timedelta(hours=2), start + timedelta(hours=2))
