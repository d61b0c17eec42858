"""The leads database down: staff get a Dutch page saying so, never a stack trace."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator

import pytest

from burnout_assistant.apps.dashboard import create_app
from burnout_assistant.apps.dashboard.__main__ import main
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.staff import StaffStore
from devtools.servers import practice_file
from tests.apps.dashboard.conftest import SECRET, csrf_token, login

pytestmark = pytest.mark.timeout(120)
DOWN = "De database is nu niet bereikbaar"


@pytest.fixture
def down(closed_port: int) -> Iterator[LeadStore]:
    """A leads store whose PostgreSQL server is not there."""
    store = LeadStore(f"postgresql://postgres@127.0.0.1:{closed_port}/leads")
    yield store
    store.dispose()


def assert_down_page(response, what: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, (what, response.status_code)
    assert DOWN in body and "Traceback" not in body and "OperationalError" not in body, what


def test_logging_in_with_the_database_down(settings, down) -> None:
    client = create_app(settings, down, None, SECRET).test_client()
    assert client.get("/login").status_code == 200  # the form needs no database
    assert_down_page(login(client), "login")


def test_every_page_says_when_the_database_went_down(app, logged_in, down) -> None:
    """Each route that reads the leads store shows the Dutch page; the others still work."""
    token = csrf_token(logged_in, "/")
    app.extensions["dashboard"].store = down  # the staff account was still read
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.login", "auth.logout"):
            continue
        url = rule.build({"lead_id": 1} if "lead_id" in rule.arguments else {})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token, "status": "gebeld", "note": "terugbellen"}
            response = logged_in.open(url, method=method,
                                      data=data if method == "POST" else None)
            if rule.endpoint.startswith("insights."):  # reads the tracker store only
                assert response.status_code == 200, url
                continue
            assert_down_page(response, f"{method} {url}")
            checked += 1
    assert checked >= 7

    app.extensions["dashboard"].staff = StaffStore(down)  # now the login check fails too
    assert_down_page(logged_in.get("/inzichten"), "insights with the staff table down")


def test_the_command_line_says_so_in_dutch(tmp_path, closed_port, monkeypatch, capsys) -> None:
    down = f"postgresql://postgres@127.0.0.1:{closed_port}/leads"
    monkeypatch.setenv("PRACTICE_SETTINGS", str(practice_file(tmp_path, leads__database_url=down)))
    monkeypatch.delenv("LEADS_DATABASE_URL", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("rustig-aan-2030\n"))
    assert main(["create-user", "bram@praktijk.nl", "--password-stdin"]) == 1
    err = capsys.readouterr().err
    assert "De leads-database is niet bereikbaar" in err and "Traceback" not in err
