"""The practice's calendar, leads store and mailer for this process, built once from settings.

The action server, the dashboard and the CLI jobs all take them from here, so a setting is
read in one place; the leads database is migrated on first use.
"""

from __future__ import annotations

from functools import lru_cache

from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.booking.notifications import Mailer
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.settings import current_settings


@lru_cache(maxsize=1)
def practice_calendar() -> PracticeCalendar:
    return PracticeCalendar.from_settings(current_settings())


@lru_cache(maxsize=1)
def leads_store() -> LeadStore:
    store = LeadStore(current_settings().leads.url)
    store.migrate()
    return store


@lru_cache(maxsize=1)
def mailer() -> Mailer:
    return Mailer(current_settings().notifications)
