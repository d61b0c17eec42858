"""Staff in a real Chromium, on leads that came from a real conversation with the assistant.

Real Rasa + action server + Radicale (the ``servers`` and ``practice`` fixtures), the
dashboard started by its own command line under waitress, a staff account made by the
command line, and a visitor who books the intro call after typing HTML into the chat.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from burnout_assistant.apps.dashboard.__main__ import main
from burnout_assistant.apps.processes import free_port, wait_for_http
from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.records.leads import LeadStore
from tests.server.replies import texts
from tests.server.test_booking import book_first_slot

pytestmark = [pytest.mark.model, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DOCS_SCREENSHOT = ROOT / "docs" / "dashboard.png"
EMAIL = "lotte@praktijk.nl"
PASSWORD = "maandagochtend-koffie"
SCRIPT = "<script>alert(1)</script><b>x</b> ik slaap slecht"
UTC = timezone.utc
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(scope="module")
def staff_account(practice: dict) -> str:
    """Made the way a practice makes one: the command line, password on stdin."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRACTICE_SETTINGS", str(practice["settings_file"]))
        patch.delenv("LEADS_DATABASE_URL", raising=False)
        patch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        assert main(["create-user", EMAIL, "--name", "Lotte", "--password-stdin"]) == 0
    return EMAIL


@pytest.fixture(scope="module")
def dashboard(servers, practice: dict, staff_account: str, tmp_path_factory) -> Iterator[str]:
    """``python -m burnout_assistant.apps.dashboard serve`` against the servers' tracker store."""
    workdir = tmp_path_factory.mktemp("dashboard")
    port = free_port()
    env = {**os.environ, "PRACTICE_SETTINGS": str(practice["settings_file"]),
           "DASHBOARD_SECRET_KEY": secrets.token_urlsafe(40)}
    env.pop("LEADS_DATABASE_URL", None)
    log = (workdir / "dashboard.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "burnout_assistant.apps.dashboard", "serve",
         "--endpoints", str(servers.workdir / "endpoints.yml"), "--host", "127.0.0.1",
         "--port", str(port), "--secret-file", str(workdir / "secret")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/login", proc, seconds=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        assert PASSWORD not in (workdir / "dashboard.log").read_text()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="nl-NL",
                                  accept_downloads=True)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def earlier_leads(store: LeadStore) -> None:
    """Colleagues' leads from earlier in the week, so the list looks like a Monday morning."""
    now = datetime.now(UTC)
    week = datetime.combine((now + timedelta(days=10)).date(), datetime.min.time(), AMSTERDAM)
    mark = store.create_lead(
        sender_id=f"eerder-{uuid.uuid4().hex[:6]}", channel="telegram", name="Mark Jansen",
        phone="+31623456789", kind="callback", preferred_times="dinsdag na 16:00",
        created_at=now - timedelta(days=2, hours=3))
    store.set_status(mark.id, "gebeld", note="Voicemail ingesproken", actor="ilse@praktijk.nl")
    fatima = store.book_slot(
        {"sender_id": f"eerder-{uuid.uuid4().hex[:6]}", "channel": "web",
         "name": "Fatima el Amrani", "phone": "+31687654321", "consent_at": now,
         "check_band": "verhoogd", "check_answers": {"vermoeidheid": 3, "slaap": 2},
         "created_at": now - timedelta(days=3, hours=5)},
        week.replace(hour=14), week.replace(hour=14, minute=20), f"voorbeeld-{uuid.uuid4()}")
    store.set_status(fatima.id, "ingepland", actor="ilse@praktijk.nl")
    eva = store.create_lead(
        sender_id=f"eerder-{uuid.uuid4().hex[:6]}", channel="web", name="Eva de Groot",
        phone="+31201234567", kind="callback", preferred_times="maakt niet uit",
        consent_at=now, check_band="laag", check_answers={"vermoeidheid": 1},
        created_at=now - timedelta(days=4))
    store.set_status(eva.id, "afgerond", actor="ilse@praktijk.nl")


def test_nothing_opens_without_logging_in(page, dashboard) -> None:
    for path in ("/", "/leads/1", "/inzichten", "/leads.csv"):
        page.goto(dashboard + path)
        assert page.url.startswith(dashboard + "/login"), path
        assert page.get_by_role("heading", name="Inloggen").is_visible()


def test_staff_handle_a_lead_from_a_real_conversation(page, dashboard, servers, practice,
                                                      browser) -> None:
    from playwright.sync_api import expect

    store = LeadStore(practice["leads_url"])
    earlier_leads(store)
    sender = f"dash-{uuid.uuid4().hex[:8]}"
    servers.send(sender, SCRIPT)
    done, _ = book_first_slot(servers, sender, email="sanne@example.nl")
    reference = texts(done).split("boekingscode is ")[1][:6]
    lead = store.get_by_reference(reference)
    assert lead is not None and lead.sender_id == sender
    calendar = PracticeCalendar(practice["calendar_url"])
    assert calendar.event_exists(lead.calendar_uid)

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # Log in.
    page.goto(dashboard + "/")
    page.screenshot(path=SCREENSHOTS / "dashboard-login.png")
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Aanvragen")).to_be_visible()

    # The new lead is at the top of the list, counted as new.
    new_count = int(page.get_by_test_id("new-count").locator("strong").inner_text())
    assert new_count == store.count_new() >= 1
    first_row = page.locator("table.leads tbody tr").first
    expect(first_row).to_contain_text("Sanne de Vries")
    expect(first_row).to_contain_text("Nieuw")
    page.screenshot(path=SCREENSHOTS / "dashboard-list.png")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT") or not DOCS_SCREENSHOT.exists():
        page.screenshot(path=DOCS_SCREENSHOT)  # for the README; not rewritten on every run

    # On a phone the table becomes cards.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL",
                                storage_state=page.context.storage_state())
    phone_page = phone.new_page()
    phone_page.goto(dashboard + "/")
    assert phone_page.locator("table.leads thead").is_hidden()
    card = phone_page.locator("table.leads tbody tr").first.bounding_box()
    assert card and card["width"] <= 390
    phone_page.screenshot(path=SCREENSHOTS / "dashboard-phone.png", full_page=True)
    phone.close()

    # The lead in full: contact, booked slot, and the transcript with the HTML as text.
    first_row.locator(f'a[href="/leads/{lead.id}"]').click()
    expect(page.get_by_test_id("lead-name")).to_have_text("Sanne de Vries")
    expect(page.locator('a[href="tel:+31612345678"]')).to_have_text("06 12345678")
    expect(page.locator('a[href="mailto:sanne@example.nl"]')).to_be_visible()
    visitor = page.locator(".turn-bezoeker .turn-text", has_text="ik slaap slecht")
    expect(visitor).to_have_count(1)
    assert visitor.text_content() == SCRIPT
    assert page.locator(".transcript b, .transcript script").count() == 0
    expect(page.get_by_test_id("transcript")).to_contain_text("Sanne de Vries")

    # Status "gebeld", then a note: both in the history with who and when.
    page.get_by_label("Nieuwe status").select_option("gebeld")
    page.get_by_role("button", name="Status opslaan").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Gebeld")
    history = page.get_by_test_id("history")
    expect(history.locator("li").first).to_contain_text("Nieuw → Gebeld")
    expect(history.locator("li").first).to_contain_text(EMAIL)
    page.locator("#note").fill("Teruggebeld, belt maandag zelf terug.")
    page.get_by_role("button", name="Notitie toevoegen").click()
    expect(history.locator("li").first).to_contain_text("Teruggebeld, belt maandag zelf terug.")
    trail = store.events(lead.id)
    assert [(e.kind, e.actor) for e in trail] == [("status", EMAIL), ("note", EMAIL)]
    page.screenshot(path=SCREENSHOTS / "dashboard-detail.png", full_page=True)

    # Export the list.
    page.get_by_role("link", name="Alle aanvragen").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteren als CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported), delimiter=";"))
    ours = [row for row in rows if row["referentie"] == reference]
    assert ours and ours[0]["naam"] == "Sanne de Vries" and ours[0]["status"] == "Gebeld"
    assert ours[0]["telefoon"] == "06 12345678"

    # Insights, with the script message among what the assistant did not understand or said.
    page.get_by_role("link", name="Inzichten").click()
    expect(page.get_by_role("heading", name="Van gesprek tot afspraak")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "dashboard-insights.png", full_page=True)

    # Erase, behind a confirmation: lead, calendar event and conversation are gone.
    page.get_by_role("link", name="Aanvragen").click()
    page.locator(f'a[href="/leads/{lead.id}"]').click()  # other tests book as Sanne too
    page.get_by_role("link", name="Wissen…").click()
    expect(page.get_by_role("heading", name="Gegevens van Sanne de Vries wissen?")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "dashboard-erase.png")
    page.get_by_role("button", name="Ja, definitief wissen").click()
    expect(page.get_by_text("De aanvraag en het gesprek zijn gewist.")).to_be_visible()
    expect(page.locator(f'a[href="/leads/{lead.id}"]')).to_have_count(0)
    assert store.get(lead.id) is None
    assert not calendar.event_exists(lead.calendar_uid)
    with sqlite3.connect(servers.workdir / "tracker.db") as tracker:
        left = tracker.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,))
        assert left.fetchone()[0] == 0
    assert dialogs == []
    store.dispose()
