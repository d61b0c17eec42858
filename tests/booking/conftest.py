"""Booking needs both a real calendar and a real database: reuse their fixtures."""

from __future__ import annotations

from tests.calendar.conftest import calendar, radicale_url  # noqa: F401  (pytest fixtures)
from tests.leads.conftest import (  # noqa: F401  (SQLite and PostgreSQL, a closed port)
    closed_port,
    database_url,
    postgres_database,
    store,
)

