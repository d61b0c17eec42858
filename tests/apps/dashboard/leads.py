"""Leads for the dashboard tests, stored through the real LeadStore."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.schema import Lead

UTC = timezone.utc
XSS = "<script>alert(1)</script><b>x</b>"


def callback(store: LeadStore, n: int = 1, **fields) -> Lead:
    values = {
        "sender_id": f"conv-{n}",
        "channel": "web",
        "name": f"Bezoeker {n}",
        "phone": f"+3161234{n:04d}",
        "kind": "callback",
        "preferred_times": "liefst 's ochtends",
        **fields,
    }
    return store.create_lead(**values)


def booking(store: LeadStore, n: int = 1, start: datetime | None = None, **fields) -> Lead:
    start = start or datetime(2030, 12, 3, 9, 0, tzinfo=UTC)  # di 3 dec 10:00 in Amsterdam
    values = {
        "sender_id": f"conv-{n}",
        "channel": "telegram",
        "name": f"Bezoeker {n}",
        "phone": f"+3161234{n:04d}",
        **fields,
    }
    return store.book_slot(values, start, start + timedelta(minutes=20), f"uid-{n}")
