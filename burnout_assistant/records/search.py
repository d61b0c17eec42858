"""Finding leads for staff: the filter of the dashboard's list, its search box and its counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from burnout_assistant.records.database import UTC, Database
from burnout_assistant.records.references import normalise_reference
from burnout_assistant.records.schema import Lead

NO_BAND = "geen"  # filter value: leads without check answers
PRACTICE_TZ = ZoneInfo("Europe/Amsterdam")  # default of LeadFilter; settings.tz in the app


@dataclass(frozen=True)
class LeadFilter:
    """What staff filter the leads list on; empty fields do not filter.

    Dates are the practice's calendar days (both inclusive), so "from Monday" means Monday
    00:00 in Amsterdam, not in UTC.
    """

    status: str | None = None
    band: str | None = None  # a band name, or NO_BAND for leads without a check
    channel: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    query: str = ""  # part of a name, email or phone number, or a booking reference
    tz: ZoneInfo = PRACTICE_TZ
    limit: int | None = 50
    offset: int = 0


class LeadSearch(Database):
    """The queries behind the staff's list of leads and its CSV export."""

    def search(self, lead_filter: LeadFilter) -> list[Lead]:
        """The leads that match, newest first: the staff's list and its CSV export."""
        query = _filtered(select(Lead), lead_filter).order_by(
            Lead.created_at.desc(), Lead.id.desc()
        )
        if lead_filter.limit is not None:
            query = query.limit(lead_filter.limit)
        if lead_filter.offset:
            query = query.offset(lead_filter.offset)
        with self.transaction() as session:
            return list(session.scalars(query))

    def count(self, lead_filter: LeadFilter) -> int:
        """How many leads match, regardless of the filter's limit and offset."""
        query = _filtered(select(func.count(Lead.id)), lead_filter)
        with self.transaction() as session:
            return int(session.scalar(query) or 0)

    def count_new(self) -> int:
        """Leads nobody has picked up yet (status "nieuw")."""
        with self.transaction() as session:
            return int(session.scalar(
                select(func.count(Lead.id)).where(Lead.status == "nieuw")
            ) or 0)

    def channels(self) -> list[str]:
        """The channels leads came in through, for the list's filter."""
        with self.transaction() as session:
            return sorted(session.scalars(select(Lead.channel).distinct()))


def _filtered(query: Any, lead_filter: LeadFilter) -> Any:
    """``query`` narrowed to the leads that match the filter."""
    f = lead_filter
    if f.status:
        query = query.where(Lead.status == f.status)
    if f.band == NO_BAND:
        query = query.where(Lead.check_band.is_(None))
    elif f.band:
        query = query.where(Lead.check_band == f.band)
    if f.channel:
        query = query.where(Lead.channel == f.channel)
    if f.created_from:
        query = query.where(Lead.created_at >= _day_start(f.created_from, f.tz))
    if f.created_to:
        query = query.where(Lead.created_at < _day_start(f.created_to + timedelta(days=1), f.tz))
    if f.query.strip():
        query = query.where(or_(*_search_terms(f.query.strip()[:100])))
    return query


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz).astimezone(UTC)


def _search_terms(query: str) -> list[Any]:
    """Name or email contains the text; the reference is it; the phone holds its digits.

    Phones are stored as E.164, so "06 1234 5678" is matched on "612345678".
    """
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", query.lower()) + "%"
    terms = [
        func.lower(Lead.name).like(pattern, escape="\\"),
        func.lower(Lead.email).like(pattern, escape="\\"),
    ]
    reference = normalise_reference(query)
    if reference:
        terms.append(Lead.reference == reference)
    digits = re.sub(r"\D", "", query).lstrip("0")
    if len(digits) >= 4 and re.fullmatch(r"[\d\s+\-().]+", query):
        terms.append(Lead.phone.like(f"%{digits}%"))
    return terms
