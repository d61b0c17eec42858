"""A real Radicale server for the session, a fresh calendar collection per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from burnout_assistant.apps.radicale_server import running_radicale
from burnout_assistant.booking.calendar import PracticeCalendar, ensure_calendar


@pytest.fixture(scope="session")
def radicale_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_radicale(tmp_path_factory.mktemp("radicale")) as url:
        yield url


@pytest.fixture
def calendar(radicale_url: str) -> PracticeCalendar:
    """Unique path per test, so no test sees another test's events."""
    url = f"{radicale_url}/tests/{uuid.uuid4().hex}/"
    ensure_calendar(url)
    return PracticeCalendar(url, timeout=5.0)
