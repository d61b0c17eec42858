"""Command line of the staff dashboard: make staff accounts, and serve the dashboard.

    python -m burnout_assistant.apps.dashboard create-user anna@praktijk.nl --name "Anna"
    python -m burnout_assistant.apps.dashboard set-password anna@praktijk.nl
    python -m burnout_assistant.apps.dashboard serve --endpoints run/endpoints.yml --port 8080

Passwords are asked twice without echo, or read from stdin with ``--password-stdin`` (for
scripts), never taken as an argument: arguments end up in the shell history and in ``ps``.
The settings come from ``practice.yml`` (or ``$PRACTICE_SETTINGS``).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import secrets
import sys
from pathlib import Path

from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.staff import StaffExists, StaffStore, UnknownStaff, WeakPassword
from burnout_assistant.settings import Settings, load_settings

DEFAULT_SECRET_FILE = Path("run/dashboard_secret")


def secret_key(settings: Settings, path: Path = DEFAULT_SECRET_FILE) -> str:
    """The session signing key: from the environment, else made once and kept in ``path``.

    Kept in a file (mode 0600) so a restart does not log every staff member out.
    """
    from_env = os.environ.get(settings.dashboard.secret_key_env, "")
    if from_env:
        return from_env
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_urlsafe(48)
        handle.write(key + "\n")
    return key


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Wachtwoord: ")
    if getpass.getpass("Nog een keer: ") != first:
        raise WeakPassword("De twee wachtwoorden zijn niet gelijk.")
    return first


def _store(settings: Settings) -> LeadStore:
    store = LeadStore(settings.leads.url)
    store.migrate()
    return store


def create_user(settings: Settings, email: str, name: str, from_stdin: bool) -> int:
    store = _store(settings)
    try:
        StaffStore(store).create_user(email, _password(from_stdin), name=name)
    except StaffExists:
        print("Er bestaat al een account met dit e-mailadres (gebruik set-password).",
              file=sys.stderr)
        return 1
    finally:
        store.dispose()
    print("Account aangemaakt.")
    return 0


def set_password(settings: Settings, email: str, from_stdin: bool) -> int:
    store = _store(settings)
    try:
        StaffStore(store).set_password(email, _password(from_stdin))
    except UnknownStaff:
        print("Er is geen account met dit e-mailadres.", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    print("Wachtwoord gewijzigd.")
    return 0


def serve(settings: Settings, args: argparse.Namespace) -> int:
    import waitress

    from burnout_assistant.apps.dashboard.app import create_app
    from burnout_assistant.records.conversations import ConversationStore

    endpoints: Path = args.endpoints
    app = create_app(
        settings,
        _store(settings),
        ConversationStore.from_endpoints(endpoints, settings.tz) if endpoints.is_file() else None,
        secret_key(settings, args.secret_file),
        secure_cookies=args.secure_cookies,
    )
    host = args.host or settings.dashboard.host
    port = args.port or settings.dashboard.port
    print(f"Dashboard op http://{host}:{port}/", flush=True)
    # No access log: request paths carry search terms (names, phone numbers).
    proxy = {}
    if args.trusted_proxy:  # behind nginx/caddy: the client's address, not the proxy's
        proxy = {"trusted_proxy": args.trusted_proxy,
                 "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto"}
    waitress.serve(app, host=host, port=port, threads=args.threads, ident="dashboard", **proxy)
    return 0


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m burnout_assistant.apps.dashboard",
                                  description="Het dashboard voor de praktijk.")
    commands = cli.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="maak een account voor een medewerker")
    create.add_argument("email")
    create.add_argument("--name", default="")
    create.add_argument("--password-stdin", action="store_true",
                        help="lees het wachtwoord van stdin (voor scripts)")
    reset = commands.add_parser("set-password", help="geef een account een nieuw wachtwoord")
    reset.add_argument("email")
    reset.add_argument("--password-stdin", action="store_true")
    run = commands.add_parser("serve", help="start het dashboard (waitress)")
    run.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"),
                     help="Rasa's endpoints.yml: waar de gesprekken staan (tracker store)")
    run.add_argument("--host", default="")
    run.add_argument("--port", type=int, default=0)
    run.add_argument("--threads", type=int, default=4)
    run.add_argument("--secret-file", type=Path, default=DEFAULT_SECRET_FILE)
    run.add_argument("--secure-cookies", action="store_true",
                     help="alleen via https (zet dit aan achter een https-proxy)")
    run.add_argument("--trusted-proxy", default="",
                     help="adres van de reverse proxy; dan telt X-Forwarded-For als het adres "
                          "van de medewerker (voor het vertragen van inlogpogingen)")
    return cli


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step
    try:
        settings = load_settings()
        if args.command == "create-user":
            return create_user(settings, args.email, args.name, args.password_stdin)
        if args.command == "set-password":
            return set_password(settings, args.email, args.password_stdin)
        return serve(settings, args)
    except ValueError as exc:  # SettingsError, WeakPassword, an email without @: all readable
        print(exc, file=sys.stderr)
        return 2
    except LeadsUnavailable:
        print("De leads-database is niet bereikbaar.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
