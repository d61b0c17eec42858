"""Start the action server and the Rasa server as real processes on free loopback ports.

Used by the test session and the benchmark so both exercise the same thing a practice runs.
Subprocesses only: this package stays free of Rasa imports.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from burnout_assistant.apps.launch import ROOT, rasa_server_args
from burnout_assistant.apps.processes import free_port, wait_for_http
from burnout_assistant.apps.replicas import RASA_CLI, stop_server
from burnout_assistant.config_files import load_yaml
from devtools.terminal_chat import send


def practice_file(folder: Path, **changes: Any) -> Path:
    """``folder/practice.yml``: the repository's settings with ``changes`` applied.

    A change is named by its dotted path with ``__`` for the dot, e.g.
    ``leads__database_url="sqlite:///…"``.
    """
    import yaml

    raw = load_yaml((ROOT / "practice.yml").read_text())
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        node = raw
        for part in parents:
            node = node[part]
        node[leaf] = value
    path = folder / "practice.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return path


def settings_for_local_run(
    workdir: Path,
    calendar_base_url: str,
    messages_per_minute: int = 60,
    origins: list[str] | None = None,
    **changes: Any,
) -> Path:
    """A copy of practice.yml pointing at a local Radicale, with leads and mail in ``workdir``
    (and any further ``changes``, named as for :func:`practice_file`).

    Tests and the benchmark run against their own calendar and database, never the
    developer's run/ folder.
    """
    from burnout_assistant.booking.calendar import ensure_calendar

    calendar_url = f"{calendar_base_url}/praktijk/intake/"
    if origins is not None:
        changes["channels__web__allowed_origins"] = origins
    path = practice_file(
        workdir, calendar__url=calendar_url, notifications__outbox_dir=str(workdir / "outbox"),
        leads__database_url=f"sqlite:///{workdir}/leads.db",
        limits__messages_per_minute=messages_per_minute, **changes)
    ensure_calendar(calendar_url)
    return path


@dataclass
class RunningAssistant:
    rasa_url: str
    action_url: str
    workdir: Path
    rasa_pid: int
    action_pid: int
    auth_token: str

    @property
    def webhook_url(self) -> str:
        return f"{self.rasa_url}/webhooks/web/webhook"

    def send(self, sender: str, text: str, timeout: float = 60) -> list[dict]:
        """One message over the website's channel; returns the replies."""
        return send(self.webhook_url, sender, text, timeout=timeout)


@contextmanager
def running_assistant(
    model: Path, workdir: Path, env: dict[str, str] | None = None
) -> Iterator[RunningAssistant]:
    """Action server + Rasa server with a SQLite tracker store in ``workdir``; stopped after.

    ``env`` is added to both processes' environment (e.g. ``PRACTICE_SETTINGS``).
    """
    rasa_port, action_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f'tracker_store:\n  type: deploy.tracker_store.CachedSQLTrackerStore\n'
        f'  dialect: sqlite\n  db: "{workdir}/tracker.db"\n'
        f'lock_store:\n  type: deploy.lock_store.SQLiteLockStore\n  db: "{workdir}/locks.db"\n'
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    auth_token = secrets.token_urlsafe(24)
    settings_file = env.get("PRACTICE_SETTINGS")
    server_args = rasa_server_args(Path(settings_file) if settings_file else None, auth_token)
    logs = [(workdir / "actions.log").open("w"), (workdir / "rasa.log").open("w")]
    # SANIC_WORKERS is for the Rasa server (as scripts/run sets it); the action server keeps one.
    action_env = {k: v for k, v in env.items() if k != "SANIC_WORKERS"}
    actions = subprocess.Popen(
        [*RASA_CLI, "run", "actions", "--actions", "actions", "--port", str(action_port)],
        cwd=ROOT, stdout=logs[0], stderr=subprocess.STDOUT, env=action_env,
    )
    rasa = subprocess.Popen(
        [*RASA_CLI, "run", "--model", str(model), "--endpoints", str(endpoints),
         *server_args, "--port", str(rasa_port), "--interface", "127.0.0.1"],
        cwd=ROOT, stdout=logs[1], stderr=subprocess.STDOUT, env=env,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{action_port}/health", actions)
        wait_for_http(f"http://127.0.0.1:{rasa_port}/", rasa)
        yield RunningAssistant(
            f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", workdir,
            rasa.pid, actions.pid, auth_token,
        )
    finally:
        for proc in (rasa, actions):
            stop_server(proc)  # with its Sanic workers, should it leave any behind
        for handle in logs:
            handle.close()


PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def fresh_postgres_databases(
    prefix: str, admin_url: str = PG_ADMIN_URL
) -> Iterator[dict[str, str]]:
    """A new tracker and leads database named ``<prefix>_tracker`` and ``<prefix>_leads``,
    dropped with their connections on the way out (the scale tests and the benchmark)."""
    from sqlalchemy import create_engine, text

    names = {"tracker": f"{prefix}_tracker", "leads": f"{prefix}_leads"}
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield names
    finally:
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
