"""What the start scripts need from Python, as a small command line, so no Python hides in shell.

``scripts/run`` and ``deploy/entrypoint.sh`` both ask here for the ``rasa run`` options every
deployment shares, and ``scripts/run`` for an endpoints file whose action server follows the
port it chose (read and written as YAML, not patched with sed).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

import yaml

from burnout_assistant.config_files import load_yaml

ROOT = Path(__file__).resolve().parents[2]


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
            "--auth-token", auth_token]
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
    args = parser.parse_args(argv)
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
