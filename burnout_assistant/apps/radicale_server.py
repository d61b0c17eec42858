"""The embedded default calendar: a Radicale CalDAV server on loopback.

A practice without its own CalDAV server still gets a real calendar, and the tests talk to the
same server the practice runs. Loopback only, so authentication is off; a practice that
exposes its calendar uses its own CalDAV server instead.

    python -m burnout_assistant.apps.radicale_server --storage run/radicale --port 5232
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from burnout_assistant.apps.processes import free_port, stop_process, wait_for_http
from burnout_assistant.booking.calendar import ensure_calendar

HOST = "127.0.0.1"


def write_config(storage_dir: Path, port: int) -> Path:
    """Radicale's own config file: filesystem storage in ``storage_dir``, no auth, loopback."""
    storage_dir.mkdir(parents=True, exist_ok=True)
    config = storage_dir / "radicale.conf"
    config.write_text(
        "[server]\n"
        f"hosts = {HOST}:{port}\n"
        "[auth]\n"
        "type = none\n"
        "[rights]\n"
        "# with auth off, 'authenticated' lets everyone read and write /<user>/<calendar>/\n"
        "type = authenticated\n"
        "[storage]\n"
        f"filesystem_folder = {(storage_dir / 'collections').resolve()}\n"
        "[web]\n"
        "type = none\n"
        "[logging]\n"
        "level = warning\n"
        "mask_passwords = True\n",
        encoding="utf-8",
    )
    return config


def start_radicale(storage_dir: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start Radicale and wait until it answers; returns the process and its base URL."""
    port = port or free_port()
    storage_dir = Path(storage_dir)
    config = write_config(storage_dir, port)
    env = {k: v for k, v in os.environ.items() if k != "RADICALE_CONFIG"}
    with (storage_dir / "radicale.log").open("ab") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=log_file, stderr=subprocess.STDOUT, env=env,
        )
    url = f"http://{HOST}:{port}"
    try:
        wait_for_http(url + "/", proc, seconds=30, poll=0.1)
    except BaseException:
        stop_radicale(proc)
        raise
    return proc, url


def stop_radicale(proc: subprocess.Popen) -> None:
    stop_process(proc)


@contextmanager
def running_radicale(storage_dir: Path, port: int | None = None) -> Iterator[str]:
    """Radicale on 127.0.0.1 (a free port when ``port`` is None); yields the base URL."""
    proc, url = start_radicale(storage_dir, port)
    try:
        yield url
    finally:
        stop_radicale(proc)


def main(argv: list[str] | None = None) -> int:
    """Run Radicale in the foreground with the practice calendar created; Ctrl-C stops it."""
    from burnout_assistant.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", type=Path, default=Path("run/radicale"))
    parser.add_argument("--port", type=int, default=None,
                        help="default: the port of calendar.url in the practice settings")
    parser.add_argument("--settings", type=Path, default=None, help="default: practice.yml")
    args = parser.parse_args(argv)

    settings = load_settings(args.settings)
    configured = urlsplit(settings.calendar.url)
    port = args.port or configured.port or 5232
    # SIGTERM (from ./scripts/run) must unwind like Ctrl-C so Radicale is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    proc, url = start_radicale(args.storage, port)
    try:
        calendar_url = url + (configured.path or "/")
        ensure_calendar(calendar_url, settings.calendar.username, settings.calendar.password)
        print(f"Radicale serves the practice calendar at {calendar_url}", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop_radicale(proc)


if __name__ == "__main__":
    sys.exit(main())
