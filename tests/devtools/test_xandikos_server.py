"""The Xandikos harness: serves a calendar home on loopback, stops cleanly, fails fast."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import caldav
import pytest

from burnout_assistant.apps.processes import free_port
from devtools.xandikos_server import (
    CALENDAR_HOME,
    PRINCIPAL,
    running_xandikos,
    start_xandikos,
    xandikos_binary,
)


@pytest.fixture(autouse=True)
def _installed() -> None:
    if xandikos_binary() is None:
        from tests.conftest import missing_system_package

        missing_system_package("xandikos is not installed (./scripts/test installs it)")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_serves_the_calendar_home_on_the_given_port_and_stops_after(tmp_path: Path) -> None:
    port = free_port()
    with running_xandikos(tmp_path, port) as url:
        assert url == f"http://127.0.0.1:{port}"
        principal = caldav.DAVClient(url + PRINCIPAL).principal()
        assert str(principal.url).endswith(PRINCIPAL)
        home = principal.calendar_home_set
        assert str(home.url).endswith(CALENDAR_HOME)
        assert principal.calendars() == []  # no --defaults: no calendar until we make one
        home.make_calendar(cal_id="intake")
        assert [str(c.url) for c in principal.calendars()] == [f"{url}{CALENDAR_HOME}intake/"]
        assert (tmp_path / "data" / "user" / "calendars" / "intake").is_dir()
    assert not port_open(port)


def test_a_server_that_dies_at_start_is_reported_at_once(tmp_path: Path) -> None:
    began = time.monotonic()
    with pytest.raises(RuntimeError, match="exited with 1"):
        start_xandikos(tmp_path, binary="/bin/false")
    assert time.monotonic() - began < 5
