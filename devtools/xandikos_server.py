"""Xandikos on loopback: a second, independent CalDAV server for the calendar tests.

The product embeds Radicale; a practice may point the assistant at any CalDAV server, so the
calendar suite also runs against Xandikos (Debian's ``xandikos`` package, which
``./scripts/test`` installs) to keep ``burnout_assistant.booking.calendar`` honest about
what is Radicale behaviour and what is CalDAV.

URL layout: ``--autocreate`` makes the principal ``/user/`` with its calendar home
``/user/calendars/`` (and an empty ``/user/contacts/``); calendars are created in that home
with MKCALENDAR. ``--defaults`` would also create ``/user/calendars/calendar/``, an address
book and a scheduling inbox, which the tests do not need, so it is not passed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from burnout_assistant.apps.processes import free_port, stop_process, wait_for_http

HOST = "127.0.0.1"
PRINCIPAL = "/user/"
CALENDAR_HOME = "/user/calendars/"


def xandikos_binary() -> str | None:
    """``$XANDIKOS``, else ``xandikos`` on the PATH, else Debian's path; None when absent."""
    found = os.environ.get("XANDIKOS") or shutil.which("xandikos") or "/usr/bin/xandikos"
    return found if Path(found).is_file() else None


def start_xandikos(
    directory: Path, port: int | None = None, binary: str | None = None
) -> tuple[subprocess.Popen, str]:
    """Start Xandikos and wait until it answers; returns the process and its base URL.

    Data go to ``directory/data`` (a git repository per collection) and its output, which
    names request paths but no event text, to ``directory/xandikos.log``.
    """
    binary = binary or xandikos_binary()
    if binary is None:
        raise FileNotFoundError("xandikos is not installed (./scripts/test installs it)")
    port = port or free_port()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # Debian's xandikos runs on the system Python: keep this venv's paths out of it.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    with (directory / "xandikos.log").open("ab") as log_file:
        proc = subprocess.Popen(
            [binary, "--directory", str((directory / "data").resolve()), "--autocreate",
             "--current-user-principal", PRINCIPAL, "--listen-address", HOST,
             "--port", str(port)],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )
    url = f"http://{HOST}:{port}"
    try:
        # /health answers once aiohttp listens, which is after the principal was created.
        wait_for_http(url + "/health", proc, seconds=30, poll=0.1)
    except BaseException:
        stop_xandikos(proc)
        raise
    return proc, url


def stop_xandikos(proc: subprocess.Popen) -> None:
    stop_process(proc)


@contextmanager
def running_xandikos(directory: Path, port: int | None = None) -> Iterator[str]:
    """Xandikos on 127.0.0.1 (a free port when ``port`` is None); yields the base URL.

    Calendars belong under ``url + CALENDAR_HOME``.
    """
    proc, url = start_xandikos(directory, port)
    try:
        yield url
    finally:
        stop_xandikos(proc)
