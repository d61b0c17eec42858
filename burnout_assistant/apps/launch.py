"""What the start scripts need from Python, as a small command line, so no Python hides in shell.

``scripts/run`` and ``deploy/entrypoint.sh`` both ask here for the ``rasa run`` options every
deployment shares, and ``scripts/run`` for an endpoints file whose action server follows the
port it chose (read and written as YAML, not patched with sed), and for the calendar to start
on (the practice's own one only after it passed the calendar check).
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from burnout_assistant.config_files import load_yaml

ROOT = Path(__file__).resolve().parents[2]
# scripts/run starts the embedded Radicale for a calendar.url on this machine.
EMBEDDED_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
EMBEDDED_URL = "http://127.0.0.1:5232/praktijk/intake/"


def rasa_server_args(
    settings_file: Path | None, auth_token: str, extra_origins: list[str] | None = None
) -> list[str]:
    """``rasa run`` options every deployment shares: channels, CORS origins, API behind a token.

    Only the origins in the practice settings (plus ``extra_origins``, e.g. the demo site on
    the port the run command chose) get CORS headers; the HTTP API (trackers, model) answers
    only with the token, while the channels' webhooks stay public.
    """
    from burnout_assistant.settings import load_settings

    origins = load_settings(settings_file).channels.web.allowed_origins
    origins = list(dict.fromkeys([*origins, *(extra_origins or [])]))
    args = ["--credentials", str(ROOT / "credentials.yml"), "--enable-api",
            f"--auth-token={auth_token}"]  # "=": a token may begin with "-"
    return args + (["--cors", *origins] if origins else [])


def endpoints_with_action_port(source: Path, port: int) -> dict:
    """The endpoints of ``source`` with the action server on 127.0.0.1:``port``."""
    endpoints = load_yaml(source.read_text()) or {}
    endpoints.setdefault("action_endpoint", {})["url"] = f"http://127.0.0.1:{port}/webhook"
    return endpoints


def installation_secret(path: Path) -> str:
    """The secret stored at ``path``, made (owner-only) the first time it is asked for."""
    if not path.is_file() or not path.read_text().strip():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def is_embedded(url: str) -> bool:
    """A calendar.url on this machine is the embedded Radicale that scripts/run starts."""
    return urlsplit(url).hostname in EMBEDDED_HOSTS


def deployment_settings(
    source: Path, target: Path, calendar_url: str | None, outbox_dir: str | None = None,
    header: str = "",
) -> Path:
    """Copy the practice settings with what differs where they are used.

    The practice's own file stays the single source; only what differs (inside the compose
    network the bundled Radicale's host name and a writable mail outbox, or the embedded
    calendar when the practice's own failed its start check) is replaced. ``header`` is a
    comment put on top.
    """
    raw = load_yaml(source.read_text(encoding="utf-8"))
    if calendar_url:
        raw["calendar"]["url"] = calendar_url
    if outbox_dir:
        raw["notifications"]["outbox_dir"] = outbox_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(header + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return target


def calendar_for_start(
    path: Path, embedded_settings: Path, *, out: Callable[[str], None] = print
) -> tuple[str, Path] | None:
    """The calendar to start on: ("embedded" | "own" | "fallback", settings file), or None
    when the assistant must not start (the Dutch reasons went to ``out``).

    A failing calendar of the practice's own would leave visitors without times to book, so
    the assistant does not start on it; ``calendar.fallback_to_embedded`` starts it on the
    embedded calendar instead, from a copy of the settings with only calendar.url changed.
    """
    from burnout_assistant.apps.calendar_check import run_checks
    from burnout_assistant.settings import SettingsError, load_settings

    try:
        settings = load_settings(path)
    except SettingsError as exc:
        out(str(exc))
        return None
    if is_embedded(settings.calendar.url):
        return "embedded", path
    out("De eigen agenda van de praktijk wordt gecontroleerd:")
    if all(step.ok for step in run_checks(path, on_step=lambda step: out(step.render()))):
        return "own", path
    if not settings.calendar.fallback_to_embedded:
        out("De assistent start niet, want de agenda werkt nog niet. Los het bovenstaande op "
            "(./scripts/calendar-check controleert het opnieuw). Wil je intussen toch starten "
            "met de ingebouwde agenda, zet dan in practice.yml onder calendar: "
            "fallback_to_embedded: true")
        return None
    deployment_settings(
        path, embedded_settings, EMBEDDED_URL,
        header=f"# Written by scripts/run: {path} on the embedded calendar, because the "
        "practice's own\n# calendar failed the start check. Edit practice.yml, not this file.\n")
    load_settings(embedded_settings)
    out("Let op: de assistent start met de ingebouwde agenda in plaats van je eigen agenda "
        "(calendar.fallback_to_embedded). Nieuwe afspraken komen dan in de agenda op deze "
        "computer (run/radicale), niet in je eigen agenda. Los het bovenstaande op en start "
        "opnieuw.")
    return "fallback", embedded_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    args_cmd = commands.add_parser("rasa-args", help="print the shared `rasa run` options")
    args_cmd.add_argument("--site-port", type=int, help="also allow the demo site on this port")
    args_cmd.add_argument("--separator", default="\n", help="between options (default newline)")
    ends = commands.add_parser("endpoints", help="write endpoints.yml for another action port")
    ends.add_argument("--action-port", type=int, required=True)
    ends.add_argument("--source", type=Path, default=ROOT / "endpoints.yml")
    ends.add_argument("--out", type=Path, required=True)
    secret = commands.add_parser("secret", help="print the secret in FILE, made if missing")
    secret.add_argument("file", type=Path)
    calendar = commands.add_parser(
        "calendar", help="check the practice's own calendar; write the calendar kind and the "
        "settings file to start with to --choice-file (exit 1: do not start)")
    calendar.add_argument("--settings", type=Path, default=None,
                          help="default: $PRACTICE_SETTINGS or practice.yml")
    calendar.add_argument("--embedded-settings", type=Path,
                          default=Path("run/practice.embedded.yml"))
    calendar.add_argument("--choice-file", type=Path, default=Path("run/calendar.choice"))
    args = parser.parse_args(argv)
    if args.command == "calendar":
        # booking.calendar logs each failure in English; the check says it in Dutch.
        logging.basicConfig(level=logging.ERROR)
        path = Path(args.settings or os.environ.get("PRACTICE_SETTINGS") or "practice.yml")
        choice = calendar_for_start(path, args.embedded_settings,
                                    out=lambda text: print(text, flush=True))
        if choice is None:
            return 1
        args.choice_file.parent.mkdir(parents=True, exist_ok=True)
        args.choice_file.write_text(f"{choice[0]}\n{choice[1].resolve()}\n", encoding="utf-8")
        return 0
    if args.command == "secret":
        print(installation_secret(args.file))
        return 0
    if args.command == "rasa-args":
        token = os.environ.get("RASA_AUTH_TOKEN")
        if not token:
            print("RASA_AUTH_TOKEN is not set", file=sys.stderr)
            return 2
        site = ([f"http://{host}:{args.site_port}" for host in ("127.0.0.1", "localhost")]
                if args.site_port else [])
        print(args.separator.join(rasa_server_args(None, token, site)))
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(yaml.safe_dump(endpoints_with_action_port(args.source,
                                                                  args.action_port)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
