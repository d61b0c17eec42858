"""Booking needs both a real calendar and a real database: reuse their fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from burnout_assistant.leads import LeadStore
from tests.calendar.conftest import calendar, radicale_url  # noqa: F401  (pytest fixtures)
from tests.leads.conftest import (  # noqa: F401  (SQLite and PostgreSQL, a closed port)
    closed_port,
    database_url,
    postgres_database,
)


@pytest.fixture
def store(database_url: str) -> Iterator[LeadStore]:  # noqa: F811  (the imported fixture)
    leads = LeadStore(database_url)
    leads.migrate()
    yield leads
    leads.dispose()
