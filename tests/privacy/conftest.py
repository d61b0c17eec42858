"""Privacy jobs run against the leads database and a tracker store beside it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from burnout_assistant.records.leads import LeadStore
from tests.records.tracker_rows import TrackerDB


@pytest.fixture
def tracker(store: LeadStore) -> Iterator[TrackerDB]:
    db = TrackerDB(store.url)  # the same database as the leads, as a small practice might
    yield db
    db.dispose()
