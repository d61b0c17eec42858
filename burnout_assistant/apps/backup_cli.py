"""Command line of ``./scripts/backup`` and ``./scripts/restore`` (docs/backup.md).

    python -m burnout_assistant.apps.backup_cli backup             # one archive, now
    python -m burnout_assistant.apps.backup_cli backup --list      # the archives there are
    python -m burnout_assistant.apps.backup_cli backup --new-key   # a key for BACKUP_KEY
    python -m burnout_assistant.apps.backup_cli restore ARCHIVE [--yes] [--no-safety-backup]

The logic is in ``privacy/backup.py`` and ``privacy/restore.py``; this adds what only a
running installation knows: which ports the assistant answers on (a restore refuses while
any does) and how to start Radicale on a restored calendar to erase events again.
Everything printed is Dutch and names no person.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from burnout_assistant.apps.radicale_server import running_radicale
from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.language.dutch_time import local
from burnout_assistant.privacy.backup import (
    SEALED,
    BackupError,
    Sources,
    list_backups,
    made_at,
    make_backup,
    new_key,
)
from burnout_assistant.privacy.restore import (
    STOP_FIRST,
    CalendarFor,
    Restored,
    RestoreRefused,
    restore_backup,
)
from burnout_assistant.records.tracker_events import tracker_store_url
from burnout_assistant.settings import Settings, SettingsError, load_settings

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def assistant_ports(settings: Settings) -> dict[int, str]:
    """The loopback ports ``./scripts/run`` serves on, with what answers there."""
    ports = {
        int(os.environ.get("RASA_PORT", "5005")): "de Rasa-server",
        int(os.environ.get("ACTION_PORT", "5055")): "de action server",
        settings.dashboard.port: "het dashboard",
        settings.channels.web.demo_site_port: "de demowebsite",
    }
    calendar = urlsplit(settings.calendar.url)
    if calendar.hostname in LOOPBACK:
        ports[calendar.port or 80] = "de agenda (Radicale)"
    return ports


def assistant_running(ports: dict[int, str]) -> str | None:
    """A Dutch reason when one of the ports answers, else None."""
    for port, what in sorted(ports.items()):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return f"{what[0].upper()}{what[1:]} draait nog (poort {port}). {STOP_FIRST}"
        except OSError:
            continue
    return None


def embedded_calendar(settings: Settings) -> CalendarFor:
    """Radicale on a free loopback port, on the restored storage, for the erasures."""
    path = urlsplit(settings.calendar.url).path or "/"

    @contextmanager
    def calendar_for(storage: Path | None) -> Iterator[PracticeCalendar | None]:
        if storage is None:
            yield None
            return
        with running_radicale(storage) as url:
            yield PracticeCalendar(url + path, tz=settings.tz)

    return calendar_for


def restore(archive: Path, settings: Settings, *, sources: Sources | None = None,
            ports: dict[int, str] | None = None, tracker_url: str | None = None,
            safety_backup: bool = True) -> Restored:
    """The restore ``./scripts/restore`` does: refused while the assistant answers."""
    busy = assistant_running(assistant_ports(settings) if ports is None else ports)
    if busy:
        raise RestoreRefused(busy)
    return restore_backup(
        archive, sources or Sources.from_settings(settings), Path(settings.backups.directory),
        key=settings.backups.key, calendar_for=embedded_calendar(settings),
        tracker_url=tracker_url, safety_backup=safety_backup)


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    directory = Path(settings.backups.directory)
    if args.new_key:
        print(new_key())
        print(f"Bewaar deze sleutel veilig (niet alleen op deze computer) en zet hem in "
              f"{settings.backups.key_env}: zonder sleutel is een versleutelde backup "
              "niet meer te lezen.", file=sys.stderr)
        return 0
    if args.list:
        found = list_backups(directory)
        if not found:
            print(f"Nog geen backups in {directory}.")
        for path in found:
            kind = "versleuteld" if path.name.endswith(SEALED) else "niet versleuteld"
            print(f"{local(made_at(path), settings.tz):%d-%m-%Y %H:%M}  "
                  f"{_size(path.stat().st_size):>9}  {kind:16}  {path}")
        return 0
    path = make_backup(Sources.from_settings(settings, args.settings), directory,
                       settings.backups.key)
    print(f"Backup gemaakt: {path}")
    if not settings.backups.key:
        print(f"Niet versleuteld: zet een sleutel in {settings.backups.key_env} "
              "(./scripts/backup --new-key) om backups te versleutelen.")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    archive = args.archive
    if not archive.is_file() and (Path(settings.backups.directory) / archive).is_file():
        archive = Path(settings.backups.directory) / archive
    if not archive.is_file():
        print(f"Het archief {args.archive} bestaat niet. ./scripts/backup --list toont ze.",
              file=sys.stderr)
        return 2
    if not args.yes and not _confirmed(archive, settings):
        print("Er is niets hersteld.")
        return 1
    tracker_url = tracker_store_url(args.endpoints) if args.endpoints.is_file() else None
    done = restore(archive, settings, tracker_url=tracker_url,
                   sources=Sources.from_settings(settings, args.settings),
                   safety_backup=not args.no_safety_backup)
    print(f"Hersteld uit {archive.name}: {_leads(done.leads)}"
          + (", de agenda" if done.calendar else "")
          + (" en de instellingen (practice.yml)" if done.settings else "") + ".")
    if done.safety_backup is not None:
        print(f"De stand van vóór het herstel staat in {done.safety_backup}.")
    if done.erased_again:
        print(f"Opnieuw gewist: {_leads(done.erased_again)} die na deze backup op verzoek "
              "zijn gewist.")
    if done.still_to_erase:
        print(f"Let op: nog niet opnieuw gewist: {_leads(done.still_to_erase)} (de agenda "
              "antwoordde niet). Start de assistent: de jobs wissen ze binnen een minuut.")
    if not done.current_log_read:
        print("Let op: de huidige leads-database was niet leesbaar; alleen de wislijsten in "
              "de backups zijn gebruikt.")
    print("Start de assistent weer met ./scripts/run.")
    return 0


def _leads(count: int) -> str:
    return f"{count} aanvraag" if count == 1 else f"{count} aanvragen"


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size / 1000:.0f} kB"


def _confirmed(archive: Path, settings: Settings) -> bool:
    if not sys.stdin.isatty():
        print("Bevestig met --yes (er is geen terminal om het te vragen).", file=sys.stderr)
        return False
    when = f"{local(made_at(archive), settings.tz):%d-%m-%Y %H:%M}" if archive.name.startswith(
        "backup-") else archive.name
    answer = input(f"Dit zet de aanvragen, de agenda en de instellingen terug naar de stand "
                   f"van {when}. Wat daarna is veranderd, gaat verloren (eerst wordt de "
                   "huidige stand nog bewaard). Doorgaan? [j/N] ")
    return answer.strip().lower() in {"j", "ja", "y", "yes"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", type=Path, default=None,
                        help="praktijkinstellingen (standaard practice.yml of $PRACTICE_SETTINGS)")
    commands = parser.add_subparsers(dest="command", required=True)
    backup = commands.add_parser("backup", help="maak nu een backup")
    backup.add_argument("--list", action="store_true", help="toon de backups die er zijn")
    backup.add_argument("--new-key", action="store_true", help="maak een sleutel voor "
                        "versleutelde backups")
    again = commands.add_parser("restore", help="zet een backup terug")
    again.add_argument("archive", type=Path)
    again.add_argument("--yes", action="store_true", help="niet om bevestiging vragen")
    again.add_argument("--no-safety-backup", action="store_true",
                       help="geen backup van de huidige stand vooraf")
    default_endpoints = Path("run/endpoints.yml")
    again.add_argument("--endpoints", type=Path, default=default_endpoints if
                       default_endpoints.is_file() else Path("endpoints.yml"),
                       help="Rasa's endpoints.yml, voor de gesprekken (tracker store)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.settings)
        return (_backup if args.command == "backup" else _restore)(args, settings)
    except (BackupError, SettingsError) as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
