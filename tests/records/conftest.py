"""A tracker store with Rasa's ``events`` table on each test database, and the reader over it."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from burnout_assistant.records.conversations import ConversationStore
from tests.records.tracker_rows import TrackerDB


@pytest.fixture
def tracker(database_url: str) -> Iterator[TrackerDB]:
    db = TrackerDB(database_url)
    yield db
    db.dispose()


@pytest.fixture
def conversations(tracker: TrackerDB) -> Iterator[ConversationStore]:
    store = ConversationStore(tracker.url, ZoneInfo("Europe/Amsterdam"))
    yield store
    store.dispose()
