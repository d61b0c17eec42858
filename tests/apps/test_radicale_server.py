"""The embedded Radicale: starts on loopback, keeps its data, stops with its parent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from burnout_assistant.apps.processes import free_port
from burnout_assistant.apps.radicale_server import running_radicale
from burnout_assistant.booking.calendar import (
    CalendarUnavailable,
    PracticeCalendar,
    ensure_calendar,
)
from burnout_assistant.config_files import load_yaml

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Europe/Amsterdam"))


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_serves_on_the_given_port_and_stops_after(tmp_path: Path) -> None:
    port = free_port()
    with running_radicale(tmp_path, port) as url:
        assert url == f"http://127.0.0.1:{port}"
        assert port_open(port)
        config = (tmp_path / "radicale.conf").read_text()
        assert f"hosts = 127.0.0.1:{port}" in config
    assert not port_open(port)


def test_events_survive_a_restart(tmp_path: Path) -> None:
    with running_radicale(tmp_path) as url:
        ensure_calendar(url + "/praktijk/intake/")
        PracticeCalendar(url + "/praktijk/intake/").create_event(
            "keep-1", START, START + timedelta(minutes=20), "Kennismaking")
    with running_radicale(tmp_path) as url:
        assert PracticeCalendar(url + "/praktijk/intake/").event_exists("keep-1")


@pytest.mark.timeout(90)
def test_cli_creates_the_practice_calendar_and_stops_radicale_on_sigterm(
    tmp_path: Path,
) -> None:
    settings = load_yaml((ROOT / "practice.yml").read_text())
    settings["calendar"]["url"] = "http://127.0.0.1:5232/praktijk/intake/"
    (tmp_path / "practice.yml").write_text(yaml.safe_dump(settings))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PRACTICE_SETTINGS"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "burnout_assistant.apps.radicale_server",
         "--storage", str(tmp_path / "radicale"), "--port", str(port),
         "--settings", str(tmp_path / "practice.yml")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        calendar = PracticeCalendar(f"http://127.0.0.1:{port}/praktijk/intake/", timeout=2)
        deadline = time.monotonic() + 30
        while True:  # the calendar exists as soon as the CLI says it serves it
            try:
                assert calendar.busy_periods(START, START + timedelta(days=1)) == []
                break
            except CalendarUnavailable:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "calendar never appeared"
                time.sleep(0.2)
        calendar.create_event("cli-1", START, START + timedelta(minutes=20), "Kennismaking")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert not port_open(port)  # Radicale went down with the CLI, no orphan left
        assert (tmp_path / "radicale" / "collections").is_dir()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
