"""Retention: old leads go with their conversation, conversations without a lead go when idle."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.config_files import load_yaml
from burnout_assistant.privacy import retention
from burnout_assistant.privacy.retention import RetentionResult, run_retention
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.tracker_events import TrackerEvents
from burnout_assistant.settings import Retention, current_settings, load_settings
from devtools.servers import practice_file
from tests.records.tracker_rows import TrackerDB

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = load_settings(ROOT / "practice.yml").copy(
    update={"retention": Retention(conversation_days=30, lead_days=365)})
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
PERSON = {"channel": "web", "name": "Sanne de Vries", "phone": "+31612345678"}


@pytest.fixture
def conversations(tracker: TrackerDB) -> Iterator[TrackerEvents]:
    events = TrackerEvents(tracker.url)
    yield events
    events.dispose()


def chat(tracker: TrackerDB, sender: str, days_ago: float) -> None:
    tracker.conversation(sender, NOW - timedelta(days=days_ago)).user("hoi", "greet").bot("Hoi!")


def callback_lead(store: LeadStore, sender: str, days_ago: float) -> int:
    return store.create_lead(sender_id=sender, kind="callback",
                             created_at=NOW - timedelta(days=days_ago), **PERSON).id


def booked_lead(store: LeadStore, sender: str, days_ago: float, call_in_days: float) -> int:
    start = NOW + timedelta(days=call_in_days)
    fields = {"sender_id": sender, "created_at": NOW - timedelta(days=days_ago), **PERSON}
    return store.book_slot(fields, start, start + timedelta(minutes=20), f"uid-{sender}").id


def test_old_leads_go_with_their_conversations_and_idle_chats_go(store, tracker,
                                                                conversations) -> None:
    old = callback_lead(store, "old-lead", 400)
    chat(tracker, "old-lead", 380)
    young = callback_lead(store, "young-lead", 10)
    chat(tracker, "young-lead", 200)  # idle, but staff still need it for the lead
    two_old = callback_lead(store, "two-leads", 400)
    two_young = callback_lead(store, "two-leads", 5)
    chat(tracker, "two-leads", 5)
    past_call = booked_lead(store, "past-call", 500, call_in_days=-480)
    chat(tracker, "idle", 40)
    chat(tracker, "recent", 3)
    chat(tracker, "in-between", 29)

    dry = run_retention(SETTINGS, store, conversations, None, NOW, dry_run=True)
    assert dry == RetentionResult(leads_deleted=3, conversations_deleted=2)
    assert store.get(old) is not None and "idle" in tracker.senders()  # nothing deleted

    assert run_retention(SETTINGS, store, conversations, None, NOW) == dry
    assert store.get(old) is None and store.get(two_old) is None and store.get(past_call) is None
    assert store.get(young) is not None and store.get(two_young) is not None
    assert tracker.senders() == {"young-lead", "two-leads", "recent", "in-between"}
    assert run_retention(SETTINGS, store, conversations, None, NOW) == RetentionResult(0, 0)


def test_calendar_down_keeps_a_lead_whose_call_is_ahead(store, tracker, conversations,
                                                       closed_port) -> None:
    ahead = booked_lead(store, "call-ahead", 400, call_in_days=2)  # moved, still upcoming
    chat(tracker, "call-ahead", 360)
    gone = callback_lead(store, "no-call", 400)
    chat(tracker, "no-call", 390)
    down = PracticeCalendar(f"http://127.0.0.1:{closed_port}/x/", timeout=2)

    result = run_retention(SETTINGS, store, conversations, down, NOW)

    assert result == RetentionResult(leads_deleted=1, conversations_deleted=1)
    assert store.get(ahead) is not None and store.get(gone) is None
    assert tracker.senders() == {"call-ahead"}  # the next run tries again, nothing half-done


def test_without_a_sql_tracker_only_leads_go(store) -> None:
    callback_lead(store, "old-lead", 400)
    callback_lead(store, "young-lead", 1)
    assert run_retention(SETTINGS, store, None, None, NOW) == RetentionResult(1, 0)


def test_cli_prints_counts_only(tmp_path) -> None:
    leads_url = f"sqlite:///{tmp_path / 'leads.db'}"
    settings_file = practice_file(tmp_path, leads__database_url=leads_url)
    raw = load_yaml(settings_file.read_text())
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f'tracker_store:\n  type: SQL\n  dialect: sqlite\n'
                         f'  db: "{tmp_path}/tracker.db"\n')
    store = LeadStore(leads_url)
    store.migrate()
    now = datetime.now(timezone.utc)
    store.create_lead(sender_id="visitor-old", kind="callback",
                      created_at=now - timedelta(days=raw["retention"]["lead_days"] + 1),
                      **PERSON)
    tracker = TrackerDB(f"sqlite:///{tmp_path / 'tracker.db'}")
    tracker.conversation("visitor-old", now - timedelta(days=400)).user("hoi", "greet")
    tracker.conversation("visitor-idle", now - timedelta(days=40)).user("hoi", "greet")
    tracker.conversation("visitor-now", now - timedelta(hours=1)).user("hoi", "greet")
    env = {**os.environ, "PRACTICE_SETTINGS": str(settings_file)}

    def run(*extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "burnout_assistant.privacy.retention",
             "--endpoints", str(endpoints), *extra],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "visitor" not in done.stdout + done.stderr and "Sanne" not in done.stdout
        return done.stdout

    assert "Zou verwijderen: 1 lead(s), 2 gesprek(ken)" in run("--dry-run")
    assert tracker.senders() == {"visitor-old", "visitor-idle", "visitor-now"}
    assert "Verwijderd: 1 lead(s), 2 gesprek(ken)" in run()
    assert tracker.senders() == {"visitor-now"}
    assert "Verwijderd: 0 lead(s), 0 gesprek(ken)" in run()
    store.dispose()
    tracker.dispose()


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """``main`` reads the settings of $PRACTICE_SETTINGS, not those of an earlier test."""
    current_settings.cache_clear()
    yield
    current_settings.cache_clear()


def test_cli_with_the_database_down_says_so_in_dutch(tmp_path, closed_port, monkeypatch,
                                                       capsys, fresh_settings) -> None:
    settings_file = practice_file(
        tmp_path, leads__database_url=f"postgresql://postgres@127.0.0.1:{closed_port}/leads")
    monkeypatch.setenv("PRACTICE_SETTINGS", str(settings_file))
    monkeypatch.delenv("LEADS_DATABASE_URL", raising=False)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n")

    assert retention.main(["--endpoints", str(endpoints)]) == 1
    out = capsys.readouterr()
    assert "De leads-database is niet bereikbaar" in out.err
    assert "Traceback" not in out.out + out.err and "Verwijderd" not in out.out
