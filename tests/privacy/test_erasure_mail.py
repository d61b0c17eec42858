"""Erasing a lead tells staff by booking code only, and its outbox copies go with it.

Sent mail cannot be recalled: staff get one notice per erased lead asking them to delete the
earlier mails about that booking code. Real leads database (SQLite and PostgreSQL), real
Radicale, the outbox folder of the embedded default and a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from burnout_assistant.apps.dashboard.records import erase_conversation
from burnout_assistant.apps.jobs import run_all
from burnout_assistant.booking.appointments import write_event
from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.booking.notifications import Mailer, mails_after_booking
from burnout_assistant.privacy.erasure import QUIET, finish_erasures
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.schema import Lead
from burnout_assistant.settings import Settings, load_settings
from tests.booking.test_notifications import smtp_server, smtp_settings  # noqa: F401

UTC = timezone.utc
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = load_settings(ROOT / "practice.yml")
START = datetime(2030, 12, 3, 9, 0, tzinfo=UTC)
SANNE = {"channel": "web", "name": "Sanne de Vries", "phone": "+31612345678",
         "email": "sanne@example.nl"}
JAN = {"channel": "telegram", "name": "Jan Jansen", "phone": "+31687654321"}


def outbox_settings(folder: Path) -> Settings:
    mail = SETTINGS.notifications.copy(update={"smtp_host": "", "outbox_dir": str(folder)})
    return SETTINGS.copy(update={"notifications": mail})


def outbox(folder: Path) -> list:
    return [message_from_bytes(p.read_bytes(), policy=default_policy)
            for p in sorted(folder.glob("*.eml"))]


def quiet_later() -> datetime:
    return datetime.now(UTC) + QUIET + timedelta(seconds=5)


def booked(store: LeadStore, calendar: PracticeCalendar, sender: str, hours: int,
           person: dict) -> Lead:
    start = START + timedelta(hours=hours)
    lead = store.book_slot({"sender_id": sender, **person}, start,
                           start + timedelta(minutes=20), f"{sender}@test")
    write_event(calendar, lead)
    return lead


def mail_about(lead: Lead, settings: Settings, mailer: Mailer) -> None:
    for message in mails_after_booking(lead, settings):
        mailer.send(message)


def test_chat_erasure_mails_staff_the_booking_code_only_and_deletes_the_outbox_copies(
        store, calendar, tmp_path) -> None:
    settings = outbox_settings(tmp_path / "outbox")
    mailer = Mailer(settings.notifications)
    gone = booked(store, calendar, "erase-me", 0, SANNE)
    kept = store.create_lead(sender_id="keep-me", kind="callback", **JAN)
    mail_about(gone, settings, mailer)  # staff mail and the visitor's confirmation
    mail_about(kept, settings, mailer)
    assert len(outbox(tmp_path / "outbox")) == 3

    store.request_erasure("erase-me")
    counts = run_all(settings, store, calendar, mailer, None, quiet_later(),
                     with_retention=False)
    assert counts["erased"] == 1 and counts["erasure_mails"] == 1
    assert counts["outbox_copies_deleted"] == 2

    left = outbox(tmp_path / "outbox")
    [notice] = [m for m in left if gone.reference in m["Subject"]]
    [other] = [m for m in left if m is not notice]
    assert kept.reference in other["Subject"]  # another lead's mail stays
    text = f"{notice['Subject']}\n{notice.get_content()}"
    assert gone.reference in text and "Verwijder" in text
    assert notice["To"] == ", ".join(settings.notifications.staff_emails)
    for personal in ("Sanne", "Vries", "612345678", "12 34 56 78", "sanne@example.nl",
                     "december", "09:00", "10:00"):
        assert personal not in text, personal
    assert not calendar.event_exists(gone.calendar_uid)

    again = run_all(settings, store, calendar, mailer, None, quiet_later(),
                    with_retention=False)
    assert again["erasure_mails"] == 0 and len(outbox(tmp_path / "outbox")) == 2


def test_the_log_keeps_the_booking_code_and_time_and_nothing_personal(store, calendar,
                                                                       tmp_path) -> None:
    lead = booked(store, calendar, "logged", 1, SANNE)
    erase_conversation(lead, store, calendar, None)  # staff erase it in the dashboard
    [entry] = store.erasure_log()
    assert (entry.reference, entry.lead_id, entry.announced_at) == (lead.reference, lead.id,
                                                                    None)
    assert entry.erased_at <= datetime.now(UTC)
    assert set(vars(entry)) == {"reference", "lead_id", "erased_at", "announced_at"}

    mailer = Mailer(outbox_settings(tmp_path / "outbox").notifications)
    done = finish_erasures(store, calendar, None, mailer)
    assert (done.announced, done.erased_again) == (1, 0)  # the dashboard's erasure too
    [notice] = outbox(tmp_path / "outbox")
    assert lead.reference in notice["Subject"] and "Sanne" not in notice.get_content()
    assert store.erasure_log()[0].announced_at is not None


def test_over_smtp_the_notice_reaches_staff_and_waits_while_the_server_is_down(
        sqlite_store, smtp_server, closed_port) -> None:  # noqa: F811
    collector, _, port = smtp_server
    lead = sqlite_store.create_lead(sender_id="smtp-erase", kind="callback", **JAN)
    sqlite_store.erase_conversation("smtp-erase")

    down = Mailer(smtp_settings(closed_port))
    assert finish_erasures(sqlite_store, None, None, down).announced == 0
    assert sqlite_store.unannounced_erasures()  # tried again on the next run

    up = Mailer(smtp_settings(port))
    assert finish_erasures(sqlite_store, None, None, up).announced == 1
    [message] = collector.messages()
    assert lead.reference in message["Subject"]
    assert "Jan" not in message.get_content() and "687654321" not in message.get_content()
    assert finish_erasures(sqlite_store, None, None, up).announced == 0
    assert len(collector.messages()) == 1
