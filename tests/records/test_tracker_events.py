"""The tracker store's table: finding it in endpoints.yml, and deleting conversations from it
(SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from burnout_assistant.records.database import SQLITE_BUSY_SECONDS
from burnout_assistant.records.tracker_events import (
    TrackerEvents,
    tracker_engine,
    tracker_store_url,
)
from tests.records.tracker_rows import TrackerDB

UTC = timezone.utc
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def events(tracker: TrackerDB) -> Iterator[TrackerEvents]:
    table = TrackerEvents(tracker.url)
    yield table
    table.dispose()


def test_sqlite_and_postgresql_tracker_stores(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: run/tracker.db\n")
    assert tracker_store_url(endpoints) == "sqlite:///run/tracker.db"
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: db.local\n  port: 5432\n"
        "  db: rasa\n  username: rasa\n  password: geheim\n"
    )
    assert tracker_store_url(endpoints) == "postgresql://rasa:geheim@db.local:5432/rasa"


def test_other_tracker_stores_are_not_ours_to_erase(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: redis\n")
    assert tracker_store_url(endpoints) is None


def test_the_projects_own_endpoints() -> None:
    root = Path(__file__).parents[2]
    assert tracker_store_url(root / "endpoints.yml") == "sqlite:///run/tracker.db"


def test_sqlite_waits_while_rasa_writes(tmp_path: Path) -> None:
    """Deleting while the Rasa server holds the write lock waits instead of failing."""
    engine = tracker_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA busy_timeout")) == SQLITE_BUSY_SECONDS * 1000
    engine.dispose()


def test_retention_deletes_idle_conversations_except_kept(tracker, events) -> None:
    tracker.conversation("idle", NOW - timedelta(days=40)).user("hoi", "greet")
    tracker.conversation("kept", NOW - timedelta(days=40)).user("hoi", "greet")
    tracker.conversation("recent", NOW - timedelta(days=3)).user("hoi", "greet")
    (tracker.conversation("came-back", NOW - timedelta(days=90)).user("hoi", "greet")
     .at(NOW - timedelta(days=1)).user("daar ben ik weer", "greet"))
    assert events.idle_senders(30, NOW) == ["idle", "kept"]
    assert events.delete_older_than(30, {"kept"}, NOW) == 1
    assert tracker.senders() == {"kept", "recent", "came-back"}
    assert events.delete_older_than(30, {"kept"}, NOW) == 0
    assert events.known_senders({"kept", "idle", "x"}) == {"kept"}
    assert events.delete_conversations(["kept", "x"]) == 1
    assert tracker.senders() == {"recent", "came-back"}


def test_a_conversation_that_wakes_up_is_not_deleted(tracker, events) -> None:
    conversation = tracker.conversation("sleepy", NOW - timedelta(days=40)).user("hoi", "greet")
    assert events.idle_senders(30, NOW) == ["sleepy"]
    conversation.at(NOW - timedelta(minutes=1)).user("hallo?", "greet")  # between check and delete
    assert events.delete_conversations(["sleepy"], idle_before=NOW - timedelta(days=30)) == 0
    assert tracker.senders() == {"sleepy"}


def test_many_conversations_are_deleted_in_chunks(tracker, events) -> None:
    senders = [f"visitor-{n}" for n in range(1201)]  # more than two IN (...) lists
    tracker.insert([{"sender_id": sender, "type_name": "user", "timestamp": NOW.timestamp(),
                     "data": "{}"} for sender in senders])
    tracker.conversation("stays", NOW).user("hoi", "greet")
    assert events.delete_conversations(senders) == len(senders)
    assert tracker.senders() == {"stays"}


def test_a_store_rasa_never_wrote_to_is_left_alone(tmp_path: Path) -> None:
    missing = tmp_path / "not-there.db"
    events = TrackerEvents(f"sqlite:///{missing}")
    assert events.delete_conversations(["anyone"]) == 0 and events.idle_senders(0, NOW) == []
    assert not missing.exists()  # asking creates no database file
    events.dispose()
