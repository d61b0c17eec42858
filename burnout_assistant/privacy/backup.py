"""Backups: one archive with the leads database, the embedded calendar and the settings.

Made while the assistant runs. SQLite is copied with SQLite's online backup API (a consistent
snapshot while others write); PostgreSQL with ``pg_dump --format=custom``. Radicale's storage
folder is read under Radicale's own shared storage lock, so no event is half-written in it;
the calendar goes first, so a booking made during the backup is at worst a lead without its
event, which the jobs write again. The archive holds health data: it is written owner-only
(umask 077, file 0600, folder 0700) and, with a key in ``backups.key_env``, encrypted with
Fernet (``cryptography``, declared in pyproject.toml). docs/backup.md explains
it for a practice owner; ``restore.py`` puts an archive back.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sqlalchemy.engine import make_url

from burnout_assistant.privacy.backup_tools import (
    BackupError,
    normal_url,
    owner_only,
    pg_tool,
    sqlite_file,
)
from burnout_assistant.privacy.erasure import log_from_json, log_to_json
from burnout_assistant.records.database import SQLITE_BUSY_SECONDS, LeadsUnavailable
from burnout_assistant.records.erasure_queue import ErasedLead, ErasureQueue
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.search import LeadFilter
from burnout_assistant.settings import DEFAULT_PATH, Settings

if TYPE_CHECKING:  # imported when used: only encryption needs it (Rasa depends on it)
    from cryptography.fernet import Fernet

UTC = timezone.utc
FORMAT = 1
STAMP = "%Y%m%dT%H%M%SZ"
PLAIN, SEALED = ".tar.gz", ".tar.gz.fernet"
NAME = re.compile(r"^backup-(\d{8}T\d{6}Z)(-[a-z0-9-]+)?\.tar\.gz(\.fernet)?$")
MANIFEST, LOG, SQLITE_MEMBER, PG_MEMBER = (
    "manifest.json", "erasure-log.json", "leads.sqlite3", "leads.pgdump")
CALENDAR, SETTINGS = "calendar", "practice.yml"
RADICALE_LOCK = ".Radicale.lock"
DAY = timedelta(days=1) - timedelta(minutes=5)  # the jobs run every minute, not on the second


@dataclass(frozen=True)
class Sources:
    """What goes into an archive, and where a restore puts it back."""

    leads_url: str
    calendar_storage: Path | None  # Radicale's storage folder (its ``collections`` inside)
    settings_file: Path | None

    @classmethod
    def from_settings(cls, settings: Settings, settings_file: Path | None = None) -> Sources:
        return cls(settings.leads.url, Path(settings.backups.calendar_storage),
                   settings_file or Path(os.environ.get("PRACTICE_SETTINGS") or DEFAULT_PATH))

    @property
    def collections(self) -> Path | None:
        return self.calendar_storage / "collections" if self.calendar_storage else None


# -- writing -----------------------------------------------------------------------------------


def backup_folder(directory: Path) -> Path:
    """The backup folder, created or tightened to 0700."""
    with owner_only():
        directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    return directory


def make_backup(sources: Sources, directory: Path, key: str = "", now: datetime | None = None,
                label: str = "") -> Path:
    """Write one archive into ``directory`` and return its path (0600, never half-written)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    seal = _fernet(key) if key else None  # a bad key fails before anything is written
    with owner_only():
        folder = backup_folder(directory)
        name = f"backup-{now:{STAMP}}{'-' + label if label else ''}"
        final = _free_name(folder, name, SEALED if seal else PLAIN)
        work = folder / f".work-{secrets.token_hex(6)}"
        work.mkdir(mode=0o700)
        partial = folder / f".{final.name}.partial"
        try:
            manifest = {"format": FORMAT, "made_at": now.isoformat(), "calendar": False,
                        "settings": False}
            with tarfile.open(partial, "w:gz") as tar:
                if sources.collections is not None and sources.collections.is_dir():
                    _add_calendar(tar, sources.collections)
                    manifest["calendar"] = True
                member, log, count = _dump_leads(sources.leads_url, work)
                tar.add(work / member, arcname=member)
                if sources.settings_file is not None and sources.settings_file.is_file():
                    tar.add(sources.settings_file, arcname=SETTINGS)
                    manifest["settings"] = True
                manifest["leads"] = {"member": member, "count": count}
                manifest["erasure_log"] = len(log)
                _add_bytes(tar, LOG, log_to_json(log))
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
            if seal is not None:
                partial.write_bytes(seal.encrypt(partial.read_bytes()))
            partial.chmod(0o600)
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)
            shutil.rmtree(work, ignore_errors=True)
    return final


def _free_name(folder: Path, name: str, suffix: str) -> Path:
    """A name no archive has yet (two backups in one second get ``-2``)."""
    stem, n = name, 2
    while any((folder / f"{stem}{s}").exists() for s in (PLAIN, SEALED)):
        stem, n = f"{name}-{n}", n + 1
    return folder / f"{stem}{suffix}"


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _add_calendar(tar: tarfile.TarFile, collections: Path) -> None:
    """Radicale's items under its shared lock: a writer waits until the copy is done."""
    with radicale_lock(collections, exclusive=False):
        for path in sorted(collections.rglob("*")):
            relative = path.relative_to(collections)
            if ".Radicale.cache" in relative.parts or path.name.startswith(RADICALE_LOCK):
                continue  # Radicale rebuilds its cache; the lock files are its own
            if path.is_file() or path.is_dir():
                tar.add(path, arcname=f"{CALENDAR}/{relative}", recursive=False)


@contextmanager
def radicale_lock(collections: Path, exclusive: bool, wait: bool = True) -> Iterator[None]:
    """Radicale's storage lock (``collections/.Radicale.lock``, flock): shared to read."""
    with open(collections / RADICALE_LOCK, "a") as lock:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(lock.fileno(), mode | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BackupError("De agenda (Radicale) is nog in gebruik. Stop eerst de "
                              "assistent.") from None
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _dump_leads(url: str, work: Path) -> tuple[str, list[ErasedLead], int]:
    """The leads database into ``work``; (member name, its erasure log, number of leads)."""
    parsed = make_url(normal_url(url))
    if parsed.get_backend_name() == "sqlite":
        live = sqlite_file(url)
        if not live.is_file():
            raise BackupError(f"Er is geen leads-database op {live}.")
        source = sqlite3.connect(f"{live.resolve().as_uri()}?mode=ro", uri=True,
                                 timeout=SQLITE_BUSY_SECONDS)
        copy = sqlite3.connect(work / SQLITE_MEMBER)
        try:
            source.backup(copy)  # one consistent snapshot, writers wait at most a moment
        except sqlite3.Error as exc:
            raise BackupError(f"De leads-database kon niet gelezen worden ({exc}).") from exc
        finally:
            copy.close()
            source.close()
        member = SQLITE_MEMBER
        snapshot = f"sqlite:///{work / SQLITE_MEMBER}"
    elif parsed.get_backend_name() == "postgresql":
        pg_tool("pg_dump", url, "--format=custom", f"--file={work / PG_MEMBER}")
        member, snapshot = PG_MEMBER, url
    else:
        raise BackupError(f"Een {parsed.get_backend_name()}-database kan niet in een backup.")
    store = LeadStore(snapshot)
    try:
        log = store.erasure_log()
        count = store.count(LeadFilter())
    except LeadsUnavailable as exc:
        raise BackupError("De leads-database is niet bereikbaar.") from exc
    finally:
        store.dispose()
    return member, log, count


# -- the folder: listing, keeping N --------------------------------------------------------------


def list_backups(directory: Path) -> list[Path]:
    """The archives in ``directory``, newest first (by the time in their name)."""
    if not directory.is_dir():
        return []
    found = [p for p in directory.iterdir() if p.is_file() and NAME.match(p.name)]
    return sorted(found, key=lambda p: (made_at(p), p.name), reverse=True)


def made_at(path: Path) -> datetime:
    match = NAME.match(path.name)
    if match is None:
        raise ValueError(f"not a backup archive: {path.name}")
    return datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC)


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest archives (and leftovers of a crashed run)."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    going = list_backups(directory)[keep:]
    if directory.is_dir():
        stale = datetime.now(UTC).timestamp() - 6 * 3600
        leftovers = [*directory.glob(".*.partial"), *directory.glob(".work-*")]
        going += [p for p in leftovers if p.stat().st_mtime < stale]
    for path in going:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return going


def backup_if_due(settings: Settings, now: datetime, sources: Sources | None = None) -> Path | None:
    """The jobs' daily backup: one when the newest archive is a day old, then keep N."""
    if not settings.backups.daily:
        return None
    directory = Path(settings.backups.directory)
    newest = list_backups(directory)
    if newest and now - made_at(newest[0]) < DAY:
        return None
    path = make_backup(sources or Sources.from_settings(settings), directory,
                       settings.backups.key, now)
    prune_backups(directory, settings.backups.keep)
    return path


# -- reading -----------------------------------------------------------------------------------


def new_key() -> str:
    """A fresh Fernet key for ``backups.key_env``."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _fernet(key: str) -> Fernet:
    from cryptography.fernet import Fernet

    try:
        return Fernet(key.strip().encode())
    except ValueError as exc:
        raise BackupError("De backup-sleutel is geen geldige sleutel; maak er een met "
                          "./scripts/backup --new-key.") from exc


@contextmanager
def open_archive(path: Path, key: str = "") -> Iterator[tarfile.TarFile]:
    """The archive as a tar file, decrypted first when it is encrypted."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BackupError(f"Het archief {path} kan niet gelezen worden.") from exc
    if not raw.startswith(b"\x1f\x8b"):  # not gzip: a Fernet token
        if not key:
            raise BackupError("Dit archief is versleuteld: zet de backup-sleutel in de "
                              "omgevingsvariabele (zie practice.yml, backups.key_env).")
        from cryptography.fernet import InvalidToken

        try:
            raw = _fernet(key).decrypt(raw)
        except InvalidToken as exc:
            raise BackupError("Deze sleutel past niet bij dit archief (of het archief is "
                              "beschadigd).") from exc
    source: IO[bytes] = io.BytesIO(raw)
    try:
        with tarfile.open(fileobj=source, mode="r:gz") as tar:
            yield tar
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"Het archief {path.name} is beschadigd.") from exc


def read_manifest(tar: tarfile.TarFile) -> dict:
    member = tar.extractfile(MANIFEST) if MANIFEST in tar.getnames() else None
    if member is None:
        raise BackupError("Dit is geen backup van de assistent (manifest.json ontbreekt).")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Onbekend backup-formaat {manifest.get('format')!r}.")
    return manifest


def archived_erasure_log(tar: tarfile.TarFile) -> list[ErasedLead]:
    member = tar.extractfile(LOG) if LOG in tar.getnames() else None
    return log_from_json(member.read()) if member is not None else []


def export_erasure_log(store: ErasureQueue, directory: Path) -> Path:
    """The erasure log as a file beside the archives (the jobs refresh it after erasures):
    should the leads database be lost, a restore still knows the erasures since the last
    backup."""
    with owner_only():
        folder = backup_folder(directory)
        path, partial = folder / LOG, folder / f".{LOG}.partial"
        partial.write_bytes(log_to_json(store.erasure_log()))
        partial.chmod(0o600)
        partial.replace(path)
    return path


def erasure_logs_in(directory: Path, key: str, skip: Path | None = None) -> list[ErasedLead]:
    """The erasure logs in the backup folder: its exported log and every readable archive."""
    exported = directory / LOG
    try:
        entries = log_from_json(exported.read_bytes()) if exported.is_file() else []
    except (OSError, ValueError, KeyError):
        entries = []
    for path in list_backups(directory):
        if skip is not None and path.resolve() == skip.resolve():
            continue
        try:
            with open_archive(path, key) as tar:
                entries += archived_erasure_log(tar)
        except (BackupError, ValueError, KeyError):
            continue  # another key, or damaged: the live log and the others still count
    return entries
