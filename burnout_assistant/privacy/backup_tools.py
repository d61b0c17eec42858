"""The small parts backups and restores share: their error, owner-only writing, where the
leads database is, and PostgreSQL's own tools (``pg_dump``, ``pg_restore``).

The password of a PostgreSQL URL goes to the tools in ``PGPASSWORD``, never on their command
line (which ``ps`` shows to every user of the machine).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url

PG_SECONDS = 600


class BackupError(Exception):
    """A backup or restore that could not be done; the message is Dutch, for the owner."""


@contextmanager
def owner_only() -> Iterator[None]:
    """Everything created inside is unreadable for others from its first byte."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def normal_url(url: str) -> str:
    return "postgresql://" + url[len("postgres://"):] if url.startswith("postgres://") else url


def sqlite_file(url: str) -> Path:
    database = make_url(url).database or ""
    if database in ("", ":memory:"):
        raise BackupError("Een leads-database in het geheugen kan niet in een backup.")
    return Path(database)


def pg_tool(tool: str, url: str, *args: str) -> None:
    """Run ``pg_dump`` or ``pg_restore`` on the leads database (password via PGPASSWORD)."""
    exe = shutil.which(tool)
    if exe is None:
        raise BackupError(f"{tool} ontbreekt. Installeer de PostgreSQL-programma's "
                          "(Debian: apt install postgresql-client).")
    target, env, schema = libpq_target(url)
    command = [exe, *args, f"--dbname={target}"] + ([f"--schema={schema}"] if schema else [])
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True,
                              timeout=PG_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{tool} duurde langer dan {PG_SECONDS} seconden.") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1][:300]
        raise BackupError(f"{tool} is mislukt: {last}")


def libpq_target(url: str) -> tuple[str, dict[str, str], str | None]:
    """A libpq URI without the password, the environment that carries it, and the schema a
    ``-csearch_path=`` option selects (then only that schema is dumped and restored)."""
    parsed: URL = make_url(normal_url(url))
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    options = parsed.query.get("options", "")
    options = " ".join(options) if isinstance(options, tuple) else options
    found = re.search(r"-c\s*search_path\s*=\s*([A-Za-z0-9_]+)", options)
    target = parsed.set(drivername="postgresql", password=None)
    return target.render_as_string(hide_password=False), env, found.group(1) if found else None
