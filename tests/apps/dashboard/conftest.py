"""Fixtures for the dashboard: a migrated SQLite leads database, a tracker store with Rasa's
``events`` table, a staff account, and the Flask app with its test client.

``closed_port`` and the SQLite store come from ``tests/fixtures/stores.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from burnout_assistant.apps.dashboard import create_app
from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.records.conversations import ConversationStore
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.staff import StaffStore
from burnout_assistant.settings import Settings, load_settings
from tests.apps.dashboard.tracker import Tracker

ROOT = Path(__file__).resolve().parents[3]
UTC = timezone.utc
EMAIL = "anna@praktijk.nl"
PASSWORD = "rustig-aan-2030"
SECRET = "s" * 48
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """The app's notion of now, moved by tests (login delays) without sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def settings() -> Settings:
    return load_settings(ROOT / "practice.yml")


@pytest.fixture
def store(sqlite_store: LeadStore) -> LeadStore:
    """The pages are tested on SQLite; the store itself on SQLite and PostgreSQL."""
    return sqlite_store


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[Tracker]:
    events = Tracker(f"sqlite:///{tmp_path / 'tracker.db'}")
    yield events
    events.dispose()


@pytest.fixture(scope="session")
def anna_hash() -> str:
    """Anna's argon2id hash, made once: hashing costs ~0.2 s, and most tests need the account,
    not the hashing (tests/apps/dashboard/test_auth.py tests that)."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(PASSWORD)


@pytest.fixture
def staff(store: LeadStore, anna_hash: str) -> StaffStore:
    from burnout_assistant.records.schema import StaffUser

    with store.transaction() as session:
        session.add(StaffUser(email=EMAIL, name="Anna de Wit", password_hash=anna_hash,
                              failed_logins=0))
    return StaffStore(store)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings, store, tracker, staff, clock, closed_port):
    conversations = ConversationStore(tracker.url, settings.tz)
    app = create_app(
        settings, store, conversations, SECRET, now=clock,
        # Nothing listens here: a booked lead cannot be erased (the calendar is "down").
        calendar=PracticeCalendar(f"http://127.0.0.1:{closed_port}/praktijk/intake/", timeout=2),
    )
    yield app
    conversations.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str = EMAIL, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client)})


@pytest.fixture
def logged_in(client):
    response = login(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
