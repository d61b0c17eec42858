"""Restoring a backup archive, and the erasure rule: an erased lead never comes back.

A restore replaces live data, so it refuses while another process still has the leads
database open (SQLite: an open file; PostgreSQL: another session); ``apps/backup_cli.py`` also
refuses while the assistant's ports answer. Before anything is replaced, the current state is
saved as one more archive (``...-voor-herstel``), so a wrong restore can be undone.

The archive may hold leads that were erased after it was made. The erasure log (booking code,
lead id, time: ``records/erasure_queue.py``) is carried forward: the log of the current
database and of every other archive in the folder go into the restored database, and every
logged lead in it is erased again with its calendar event and conversation
(``erasure.erase_returned_leads``) before the assistant starts. The restored calendar is reached
through a Radicale started on it for the purpose (``calendar_for``, given by the apps room).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.privacy.backup import (
    CALENDAR,
    PG_MEMBER,
    SETTINGS,
    SQLITE_MEMBER,
    Sources,
    archived_erasure_log,
    backup_folder,
    erasure_logs_in,
    make_backup,
    open_archive,
    radicale_lock,
    read_manifest,
)
from burnout_assistant.privacy.backup_tools import (
    BackupError,
    normal_url,
    owner_only,
    pg_tool,
    sqlite_file,
)
from burnout_assistant.privacy.erasure import erase_returned_leads
from burnout_assistant.records.database import SQLITE_BUSY_SECONDS, LeadsUnavailable, engine_for
from burnout_assistant.records.erasure_queue import ErasedLead, ErasureQueue
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.search import LeadFilter
from burnout_assistant.records.tracker_events import TrackerEvents

STOP_FIRST = ("Stop eerst de assistent (Ctrl-C in het venster van ./scripts/run, of stop de "
              "diensten van de installatie) en probeer het dan opnieuw.")
# Starts a calendar server on a restored storage folder; None: the calendar was not restored.
CalendarFor = Callable[[Path | None], AbstractContextManager[PracticeCalendar | None]]


class RestoreRefused(BackupError):
    """Something still uses the data a restore would replace."""


@dataclass(frozen=True)
class Restored:
    """What a restore did, for the owner's summary (counts only)."""

    safety_backup: Path | None
    calendar: bool
    settings: bool
    leads: int
    erased_again: int
    still_to_erase: int  # logged leads not yet erased again (the calendar did not answer)
    current_log_read: bool  # False: the current database was unreadable, archives' logs used


def restore_backup(
    archive: Path, sources: Sources, backup_dir: Path, *, key: str = "",
    calendar_for: CalendarFor, tracker_url: str | None = None, safety_backup: bool = True,
    now: datetime | None = None,
) -> Restored:
    """Put ``archive`` back, then erase again every logged lead it brought back."""
    refused = leads_in_use(sources.leads_url)
    if refused:
        raise RestoreRefused(refused)
    with owner_only():
        folder = backup_folder(backup_dir)
        work = folder / f".work-{secrets.token_hex(6)}"
        work.mkdir(mode=0o700)
        try:
            with open_archive(archive, key) as tar:
                manifest = read_manifest(tar)
                carried = archived_erasure_log(tar)
                tar.extractall(work, filter="data")
            live_log, exists, readable = _current_log(sources.leads_url)
            saved = None
            if safety_backup and exists:
                try:
                    saved = make_backup(sources, folder, key, now, label="voor-herstel")
                except BackupError as exc:
                    raise BackupError(f"{exc} Er is niets hersteld: eerst moet er een "
                                      "veiligheidskopie zijn (of kies --no-safety-backup)."
                                      ) from exc
            carried += live_log + erasure_logs_in(folder, key, skip=archive)
            return _put_back(work, manifest, sources, carried, calendar_for, tracker_url,
                             saved, readable)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _put_back(work: Path, manifest: dict, sources: Sources, log: list[ErasedLead],
              calendar_for: CalendarFor, tracker_url: str | None, saved: Path | None,
              log_read: bool) -> Restored:
    previous = _swap_calendar(work / CALENDAR, sources) if manifest.get("calendar") else None
    calendar_restored = previous is not None
    try:
        _restore_leads(work, manifest, sources.leads_url)
    except BaseException:
        if previous is not None:
            _swap_back(previous, sources)
        raise
    if previous is not None and previous.exists():
        shutil.rmtree(previous, ignore_errors=True)
    settings = _restore_settings(work / SETTINGS, sources.settings_file)
    store = LeadStore(sources.leads_url)
    tracker = TrackerEvents(tracker_url) if tracker_url else None
    try:
        store.migrate()  # an older archive may predate a migration
        store.merge_erasure_log(log)
        erased_again = 0
        try:
            with calendar_for(sources.calendar_storage if calendar_restored else None) as cal:
                erased_again = erase_returned_leads(store, cal, tracker)
        except (OSError, RuntimeError, TimeoutError):
            pass  # the calendar did not start: still_to_erase says so, the jobs finish it
        still = len(store.returned_erasures())
        leads = store.count(LeadFilter())
    except LeadsUnavailable as exc:
        raise BackupError("De teruggezette leads-database kan niet gelezen worden.") from exc
    finally:
        store.dispose()
        if tracker is not None:
            tracker.dispose()
    return Restored(saved, calendar_restored, settings, leads, erased_again, still, log_read)


# -- who is still using it ---------------------------------------------------------------------


def leads_in_use(url: str) -> str | None:
    """A Dutch reason when another process uses the leads database, else None."""
    if url.startswith("sqlite"):
        path = sqlite_file(url).resolve()
        holders = sorted(set(_open_by(path)))
        if holders:
            return (f"De leads-database ({path.name}) is nog open in proces "
                    f"{', '.join(map(str, holders))}. {STOP_FIRST}")
        return None
    engine = engine_for(normal_url(url))
    try:
        with engine.connect() as connection:
            others = connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    except SQLAlchemyError:
        return None  # unreachable: pg_restore says so in its own words
    finally:
        engine.dispose()
    if others:
        return f"Er zijn nog {others} verbinding(en) met de leads-database. {STOP_FIRST}"
    return None


def _open_by(path: Path) -> list[int]:
    """Processes (other than this one) that have the SQLite file or its journal open."""
    names = {str(path), f"{path}-journal", f"{path}-wal"}
    found = []
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in names for fd in (entry / "fd").iterdir()):
                found.append(int(entry.name))
        except OSError:
            continue  # gone, or another user's process
    return found


# -- the parts ---------------------------------------------------------------------------------


def _current_log(url: str) -> tuple[list[ErasedLead], bool, bool]:
    """(the current erasure log, does a database exist, could it be read)."""
    if url.startswith("sqlite") and not sqlite_file(url).is_file():
        return [], False, True
    store = ErasureQueue(url)
    try:
        return store.erasure_log(), True, True
    except LeadsUnavailable:
        return [], url.startswith("sqlite"), False
    finally:
        store.dispose()


def _swap_calendar(restored: Path, sources: Sources) -> Path | None:
    """The archived calendar in place of the current one; returns where the old one went."""
    current = sources.collections
    if current is None:
        return None
    current.parent.mkdir(parents=True, exist_ok=True)
    previous = current.parent / f"collections.voor-herstel-{secrets.token_hex(4)}"
    if current.exists():
        with radicale_lock(current, exclusive=True, wait=False):
            current.rename(previous)
    else:
        previous.mkdir()
    if restored.is_dir():
        shutil.move(str(restored), str(current))
    else:
        current.mkdir()  # the archived calendar held no events yet
    return previous


def _swap_back(previous: Path, sources: Sources) -> None:
    current = sources.collections
    if current is not None:
        shutil.rmtree(current, ignore_errors=True)
        previous.rename(current)


def _restore_leads(work: Path, manifest: dict, url: str) -> None:
    member = (manifest.get("leads") or {}).get("member")
    if member == SQLITE_MEMBER and url.startswith("sqlite"):
        live = sqlite_file(url)
        live.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(work / SQLITE_MEMBER)
        target = sqlite3.connect(live, timeout=SQLITE_BUSY_SECONDS)
        try:
            source.backup(target)  # page by page into the live file, in one transaction
        except sqlite3.Error as exc:
            raise BackupError(f"De leads-database kon niet worden teruggezet ({exc}).") from exc
        finally:
            target.close()
            source.close()
    elif member == PG_MEMBER and not url.startswith("sqlite"):
        pg_tool("pg_restore", url, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                "--single-transaction", "--exit-on-error", str(work / PG_MEMBER))
    else:
        kind = "SQLite" if member == SQLITE_MEMBER else "PostgreSQL"
        raise BackupError(f"Dit archief bevat een {kind}-database; de ingestelde "
                          "leads-database is van een andere soort.")


def _restore_settings(archived: Path, target: Path | None) -> bool:
    """practice.yml back as it was; False when not in the archive, unchanged or read-only."""
    if target is None or not archived.is_file():
        return False
    content = archived.read_bytes()
    if target.is_file() and target.read_bytes() == content:
        return False
    partial = target.with_name(f".{target.name}.herstel")
    try:
        partial.write_bytes(content)
        partial.replace(target)
    except OSError:
        partial.unlink(missing_ok=True)
        return False
    return True
