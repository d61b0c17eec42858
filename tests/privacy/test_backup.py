"""Backups that restore, and the erasure rule: a lead erased on request never comes back.

Real leads databases (a SQLite file; a PostgreSQL database of its own, via pg_dump and
pg_restore), a real Radicale on a storage folder of the test's own (the restore must replace
that folder, which the session's shared calendar fixtures must not have done to them), real
archives on disk.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from burnout_assistant.apps.backup_cli import restore
from burnout_assistant.apps.jobs import keep_erasure_log, run_all
from burnout_assistant.apps.radicale_server import running_radicale
from burnout_assistant.booking.appointments import write_event
from burnout_assistant.booking.calendar import PracticeCalendar, ensure_calendar
from burnout_assistant.booking.notifications import Mailer, mails_after_booking
from burnout_assistant.privacy.backup import (
    BackupError,
    Sources,
    backup_if_due,
    list_backups,
    made_at,
    make_backup,
    new_key,
    open_archive,
    read_manifest,
)
from burnout_assistant.privacy.erasure import QUIET, finish_erasures
from burnout_assistant.privacy.restore import RestoreRefused, restore_backup
from burnout_assistant.records.leads import LeadStore, SlotTaken
from burnout_assistant.records.schema import Lead
from burnout_assistant.settings import load_settings
from devtools.servers import practice_file
from tests.fixtures.stores import POSTGRES_URL

UTC = timezone.utc
ROOT = Path(__file__).resolve().parents[2]
START = datetime(2030, 12, 3, 9, 0, tzinfo=UTC)
PERSON = {"channel": "web", "name": "Sanne de Vries", "phone": "+31612345678",
          "email": "sanne@example.nl"}
CALENDAR_PATH = "/praktijk/intake/"


@pytest.fixture(autouse=True)
def _own_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LEADS_DATABASE_URL", "BACKUP_KEY", "PRACTICE_SETTINGS"):
        monkeypatch.delenv(name, raising=False)


def practice(tmp_path: Path, leads_url: str, calendar_url: str = "", **changes) -> Path:
    """A settings file of this test: its leads, calendar, outbox and backup folder."""
    return practice_file(
        tmp_path, leads__database_url=leads_url,
        calendar__url=calendar_url or "http://127.0.0.1:9/praktijk/intake/",
        notifications__outbox_dir=str(tmp_path / "outbox"),
        backups__directory=str(tmp_path / "backups"),
        backups__calendar_storage=str(tmp_path / "radicale"), **changes)


def booked(store: LeadStore, calendar: PracticeCalendar, sender: str, hours: int) -> Lead:
    start = START + timedelta(hours=hours)
    lead = store.book_slot({"sender_id": sender, **PERSON}, start,
                           start + timedelta(minutes=20), f"{sender}@test")
    write_event(calendar, lead)
    return lead


@contextmanager
def no_calendar(storage: Path | None) -> Iterator[None]:
    assert storage is None  # these archives hold no calendar
    yield None


def test_restore_brings_back_every_lead_and_event_but_the_one_erased_since(
        sqlite_store: LeadStore, tmp_path: Path) -> None:
    storage = tmp_path / "radicale"
    with running_radicale(storage) as base:
        file = practice(tmp_path, sqlite_store.url, base + CALENDAR_PATH)
        settings = load_settings(file)
        ensure_calendar(settings.calendar.url)
        calendar = PracticeCalendar.from_settings(settings)
        mailer = Mailer(settings.notifications)
        leads = [booked(sqlite_store, calendar, f"visitor-{n}", n) for n in range(3)]
        leads.append(sqlite_store.create_lead(sender_id="visitor-3", kind="callback",
                                              **PERSON))
        for lead in leads:
            for message in mails_after_booking(lead, settings):
                mailer.send(message)
        archive = make_backup(Sources.from_settings(settings, file),  # Radicale still runs
                              Path(settings.backups.directory))

        erased = leads[1]
        sqlite_store.request_erasure(erased.sender_id)
        later = datetime.now(UTC) + QUIET + timedelta(seconds=5)
        counts = run_all(settings, sqlite_store, calendar, mailer, None, later,
                         with_retention=False)
        assert counts["erased"] == 1 and counts["erasure_mails"] == 1
    sqlite_store.dispose()  # the assistant is stopped for a restore

    done = restore(archive, settings, sources=Sources.from_settings(settings, file), ports={})
    assert (done.calendar, done.erased_again, done.still_to_erase) == (True, 1, 0)
    assert done.leads == 3 and done.safety_backup is not None and done.safety_backup.exists()

    store = LeadStore(sqlite_store.url)
    try:
        assert store.get(erased.id) is None and store.get_by_reference(erased.reference) is None
        kept = [lead for lead in leads if lead is not erased]
        for lead in kept:
            back = store.get(lead.id)
            assert (back.reference, back.name, back.slot_start, back.calendar_uid) == (
                lead.reference, lead.name, lead.slot_start, lead.calendar_uid)
        with pytest.raises(SlotTaken):  # the slot claims came back with the leads
            store.book_slot({"sender_id": "someone", **PERSON}, leads[0].slot_start,
                            leads[0].slot_end, "another@test")
        with running_radicale(storage) as base:
            calendar = PracticeCalendar(base + CALENDAR_PATH)
            assert calendar.event_exists(leads[0].calendar_uid)
            assert calendar.event_exists(leads[2].calendar_uid)
            assert not calendar.event_exists(erased.calendar_uid)
            # Staff were told once, before the restore; they are not told again.
            assert finish_erasures(store, calendar, None, mailer).announced == 0
        assert [e.reference for e in store.erasure_log()] == [erased.reference]
    finally:
        store.dispose()
    subjects = [message_from_bytes(p.read_bytes())["Subject"]
                for p in (tmp_path / "outbox").glob("*.eml")]
    assert [s for s in subjects if erased.reference in s] == [
        f"Gegevens gewist: ref {erased.reference}"]


@pytest.mark.parametrize("known_by", ["the log beside the archives", "a newer archive"])
def test_with_the_database_lost_the_backup_folder_still_knows_the_erasure(
        sqlite_store: LeadStore, tmp_path: Path, known_by: str) -> None:
    settings = load_settings(practice(tmp_path, sqlite_store.url))
    sources, folder = Sources(sqlite_store.url, None, None), Path(settings.backups.directory)
    kept = sqlite_store.create_lead(sender_id="kept", kind="callback", **PERSON)
    erased = sqlite_store.create_lead(sender_id="erased", kind="callback", **PERSON)
    older = make_backup(sources, folder, now=datetime(2030, 1, 1, tzinfo=UTC))
    sqlite_store.erase_conversation("erased")
    if known_by == "a newer archive":
        make_backup(sources, folder, now=datetime(2030, 1, 2, tzinfo=UTC))
    else:
        assert keep_erasure_log(settings, lambda: sqlite_store)  # the jobs do this
        assert stat.S_IMODE((folder / "erasure-log.json").stat().st_mode) == 0o600
    sqlite_store.dispose()
    Path(make_url(sqlite_store.url).database).unlink()  # the disk with the database is gone

    done = restore_backup(older, sources, folder, calendar_for=no_calendar)
    assert (done.safety_backup, done.erased_again, done.leads) == (None, 1, 1)
    store = LeadStore(sqlite_store.url)
    assert store.get(erased.id) is None and store.get(kept.id) is not None
    store.dispose()


def test_restore_refuses_while_the_calendar_or_the_database_is_in_use(
        sqlite_store: LeadStore, tmp_path: Path) -> None:
    settings = load_settings(practice(tmp_path, sqlite_store.url))
    sources = Sources(sqlite_store.url, None, None)
    archive = make_backup(sources, Path(settings.backups.directory))
    newer = sqlite_store.create_lead(sender_id="after", kind="callback", **PERSON)
    sqlite_store.dispose()

    with running_radicale(tmp_path / "running") as base:
        port = urlsplit(base).port
        with pytest.raises(RestoreRefused, match=f"De agenda \\(Radicale\\) draait nog "
                                                 f"\\(poort {port}\\)"):
            restore(archive, settings, sources=sources, ports={port: "de agenda (Radicale)"})

    database = make_url(sqlite_store.url).database
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('select 1'); print('open', flush=True); time.sleep(60)", database],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(RestoreRefused, match=f"proces {holder.pid}"):
            restore_backup(archive, sources, Path(settings.backups.directory),
                           calendar_for=no_calendar)
    finally:
        holder.kill()
        holder.wait(timeout=10)
    store = LeadStore(sqlite_store.url)
    assert store.get(newer.id) is not None  # nothing was replaced
    store.dispose()


def test_archive_and_folder_are_owner_only_whatever_the_umask(sqlite_store, tmp_path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    sqlite_store.create_lead(sender_id="one", kind="callback", **PERSON)
    loose = os.umask(0o022)
    try:
        path = make_backup(Sources(sqlite_store.url, None, None), folder)
        assert os.umask(0o022) == 0o022  # the process's umask is given back
    finally:
        os.umask(loose)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == [path.name]  # no work files left
    with open_archive(path) as tar:
        assert read_manifest(tar)["leads"] == {"member": "leads.sqlite3", "count": 1}
        assert {"leads.sqlite3", "erasure-log.json"} <= set(tar.getnames())


def test_the_daily_backup_keeps_the_newest_n(sqlite_store, tmp_path) -> None:
    settings = load_settings(practice(tmp_path, sqlite_store.url, backups__keep=2))
    sources = Sources(sqlite_store.url, None, None)
    folder = Path(settings.backups.directory)
    first = datetime(2030, 1, 1, 3, 0, tzinfo=UTC)
    assert backup_if_due(settings, first, sources) is not None
    assert backup_if_due(settings, first + timedelta(hours=3), sources) is None  # not a day
    (folder / "notities.txt").write_text("niet van de backup")
    for days in (1, 2, 3):
        assert backup_if_due(settings, first + timedelta(days=days), sources) is not None
    assert [made_at(p) for p in list_backups(folder)] == [first + timedelta(days=3),
                                                           first + timedelta(days=2)]
    assert (folder / "notities.txt").exists()
    off = settings.copy(update={"backups": settings.backups.copy(update={"daily": False})})
    assert backup_if_due(off, first + timedelta(days=9), sources) is None


def test_with_a_key_the_archive_is_encrypted_and_opens_with_that_key_only(
        sqlite_store, tmp_path) -> None:
    sqlite_store.create_lead(sender_id="secret", kind="callback", **PERSON)
    key = new_key()
    path = make_backup(Sources(sqlite_store.url, None, None), tmp_path / "backups", key)
    raw = path.read_bytes()
    assert path.name.endswith(".tar.gz.fernet") and not raw.startswith(b"\x1f\x8b")
    with pytest.raises(BackupError, match="versleuteld"), open_archive(path):
        pass
    with pytest.raises(BackupError, match="past niet"), open_archive(path, new_key()):
        pass
    with open_archive(path, key) as tar:
        assert read_manifest(tar)["leads"]["count"] == 1
    with pytest.raises(BackupError, match="geen geldige sleutel"):
        make_backup(Sources(sqlite_store.url, None, None), tmp_path / "backups", "kort")


def test_the_commands_back_up_list_and_restore(sqlite_store, tmp_path, closed_port) -> None:
    file = practice(tmp_path, sqlite_store.url, f"http://127.0.0.1:{closed_port}/p/i/",
                    dashboard__port=closed_port, channels__web__demo_site_port=closed_port)
    kept = sqlite_store.create_lead(sender_id="kept", kind="callback", **PERSON)
    env = {**os.environ, "RASA_PORT": str(closed_port), "ACTION_PORT": str(closed_port)}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "burnout_assistant.apps.backup_cli", "--settings", str(file),
             *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
            stdin=subprocess.DEVNULL)

    made = cli("backup")
    assert made.returncode == 0 and "Backup gemaakt" in made.stdout, made.stderr
    [archive] = list_backups(tmp_path / "backups")
    assert archive.name in cli("backup", "--list").stdout
    later = sqlite_store.create_lead(sender_id="later", kind="callback", **PERSON)
    sqlite_store.dispose()

    unconfirmed = cli("restore", archive.name)
    assert unconfirmed.returncode == 1 and "--yes" in unconfirmed.stderr
    done = cli("restore", archive.name, "--yes", "--endpoints", str(tmp_path / "none.yml"))
    assert done.returncode == 0 and "Hersteld uit" in done.stdout, done.stderr
    store = LeadStore(sqlite_store.url)
    assert store.get(kept.id) is not None and store.get(later.id) is None
    store.dispose()
    assert any("voor-herstel" in p.name for p in list_backups(tmp_path / "backups"))


# -- PostgreSQL ----------------------------------------------------------------------------------


@pytest.fixture
def postgres_leads_url(postgres_database: str) -> Iterator[str]:
    """A whole database of this test (pg_restore replaces what it holds)."""
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed (Debian: postgresql-client)")
    admin = create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    name = f"backup_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgresql_restore_keeps_the_erasure_rule(postgres_leads_url, tmp_path) -> None:
    store = LeadStore(postgres_leads_url)
    store.migrate()
    callback = store.create_lead(sender_id="pg-a", kind="callback", **PERSON)
    erased = store.book_slot({"sender_id": "pg-b", **PERSON}, START,
                             START + timedelta(minutes=20), "pg-b@test")
    kept = store.book_slot({"sender_id": "pg-c", **PERSON}, START + timedelta(hours=1),
                           START + timedelta(hours=1, minutes=20), "pg-c@test")
    sources, folder = Sources(postgres_leads_url, None, None), tmp_path / "backups"
    archive = make_backup(sources, folder)
    assert archive.name.endswith(".tar.gz")
    store.erase_conversation("pg-b")  # staff erase it

    with pytest.raises(RestoreRefused, match="verbinding"):  # the store is still connected
        restore_backup(archive, sources, folder, calendar_for=no_calendar)
    store.dispose()
    done = restore_backup(archive, sources, folder, calendar_for=no_calendar)
    assert (done.leads, done.erased_again, done.calendar) == (2, 1, False)

    store = LeadStore(postgres_leads_url)
    try:
        assert store.get(erased.id) is None and store.get(callback.id) is not None
        assert store.get(kept.id).slot_start == kept.slot_start
        with pytest.raises(SlotTaken):
            store.book_slot({"sender_id": "x", **PERSON}, kept.slot_start, kept.slot_end, "x")
        # The erased lead's claim went with it: its slot can be booked again.
        store.book_slot({"sender_id": "y", **PERSON}, START, START + timedelta(minutes=20), "y")
        assert [e.lead_id for e in store.erasure_log()] == [erased.id]
    finally:
        store.dispose()
