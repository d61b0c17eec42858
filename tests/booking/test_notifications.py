"""Mail to staff and visitors through a real SMTP server (aiosmtpd) on loopback, or the outbox."""

from __future__ import annotations

import email
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from burnout_assistant.apps.processes import free_port
from burnout_assistant.booking.notifications import (
    Mailer,
    MailUnavailable,
    mails_after_booking,
    staff_change_message,
    staff_new_lead_message,
    visitor_confirmation_message,
)
from burnout_assistant.records.schema import Lead
from burnout_assistant.settings import Notifications, Practice, load_settings

pytestmark = pytest.mark.timeout(60)

UTC = timezone.utc
TZ = ZoneInfo("Europe/Amsterdam")
SETTINGS = load_settings(Path(__file__).parents[2] / "practice.yml")
# Tuesday 1 December 2026, 09:00 UTC = 10:00 in Amsterdam (winter time, UTC+1).
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PRACTICE = Practice(
    name="Praktijk Veerkracht",
    phone="+31 20 123 4567",
    email="info@praktijkveerkracht.nl",
    website="https://www.praktijkveerkracht.nl",
)
# Health data put on the lead with markers that cannot occur in the mail by accident.
SECRET_BAND = "BAND-ZEERHOOG-X9"
SECRET_ANSWER = "ANTWOORD-UITGEPUT-X9"
SECRET_TOPIC = "TOPIC-ANTIDEPRESSIVA-X9"


def booked_lead(**extra) -> Lead:
    fields = {
        "reference": "K7M3QP",
        "sender_id": "conv-1",
        "channel": "telegram",
        "name": "Sanne de Vries",
        "phone": "+31612345678",
        "email": "sanne@example.org",
        "kind": "booking",
        "status": "nieuw",
        "slot_start": START,
        "slot_end": START + timedelta(minutes=20),
        "consent_at": START - timedelta(days=1),
        "check_answers": {"uitputting": SECRET_ANSWER, "slaap": 4},
        "check_band": SECRET_BAND,
        "topics": [SECRET_TOPIC],
    }
    fields.update(extra)
    return Lead(**fields)


class Collector:
    """aiosmtpd handler that keeps every delivered message."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content or e.content, policy=policy.default)
            for e in self.envelopes
        ]


class Logins:
    """Authenticator that accepts one user and records every attempt."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        self.attempts.append((user, password))
        # handled=False: the server then answers 535 itself instead of staying silent.
        return AuthResult(success=(user, password) == ("assistent", "geheim"), handled=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Collector, Logins, int]]:
    collector, logins, port = Collector(), Logins(), free_port()
    controller = Controller(
        collector,
        hostname="127.0.0.1",
        port=port,
        authenticator=logins,
        auth_require_tls=False,
        ready_timeout=10,
    )
    controller.start()
    yield collector, logins, port
    controller.stop()


def smtp_settings(port: int, **extra) -> Notifications:
    values = {
        "staff_emails": ["intake@praktijkveerkracht.nl", "therapeut@praktijkveerkracht.nl"],
        "sender": "assistent@praktijkveerkracht.nl",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "dashboard_url": "http://127.0.0.1:8080/",
    }
    values.update(extra)
    return Notifications(**values)


def full_text(message: EmailMessage) -> str:
    """Decoded headers and body: an encoded body must not hide anything from the asserts."""
    headers = "\n".join(f"{k}: {v}" for k, v in message.items())
    return headers + "\n" + message.get_body(("plain",)).get_content()


def test_staff_mail_arrives_with_who_to_call_and_no_health_data(smtp_server) -> None:
    collector, _, port = smtp_server
    settings = smtp_settings(port)
    lead = booked_lead()
    Mailer(settings).send(
        staff_new_lead_message(lead, "Praktijk Veerkracht", "http://dash/", tz=TZ))

    [envelope] = collector.envelopes
    assert sorted(envelope.rcpt_tos) == sorted(settings.staff_emails)
    assert envelope.mail_from == "assistent@praktijkveerkracht.nl"
    [message] = collector.messages()
    assert message["Subject"] == (
        "Nieuwe aanmelding: kennismakingsgesprek di 1 dec 10:00 (ref K7M3QP)"
    )
    text = full_text(message)
    for expected in ("Sanne de Vries", "06 12345678", "K7M3QP", "Telegram", "http://dash/"):
        assert expected in text
    assert "dinsdag 1 december, 10:00-10:20" in text
    raw = envelope.content.decode("utf-8", "replace")
    for secret in (SECRET_BAND, SECRET_ANSWER, SECRET_TOPIC, "uitputting", "slaap"):
        assert secret not in text and secret not in raw


def test_staff_mail_for_a_callback_gives_the_preferred_times(smtp_server) -> None:
    collector, _, port = smtp_server
    lead = booked_lead(kind="callback", slot_start=None, slot_end=None, preferred_times="na 16 uur")
    Mailer(smtp_settings(port)).send(
        staff_new_lead_message(lead, "Praktijk Veerkracht", "x", tz=TZ))
    [message] = collector.messages()
    assert message["Subject"] == "Nieuwe aanmelding: terugbelverzoek (ref K7M3QP)"
    assert "Terugbellen: na 16 uur" in full_text(message)
    assert SECRET_BAND not in full_text(message)


def test_summer_time_is_shown_in_amsterdam_time() -> None:
    summer = datetime(2026, 7, 7, 8, 30, tzinfo=UTC)  # 10:30 CEST
    message = staff_new_lead_message(
        booked_lead(slot_start=summer, slot_end=summer + timedelta(minutes=20)), "P", "x", tz=TZ
    )
    assert "di 7 jul 10:30" in message["Subject"]


def test_visitor_confirmation_is_sent_to_the_visitor(smtp_server) -> None:
    collector, _, port = smtp_server
    lead = booked_lead()
    Mailer(smtp_settings(port)).send(
        visitor_confirmation_message(lead, PRACTICE, cancel_cutoff_hours=12, tz=TZ)
    )
    [envelope] = collector.envelopes
    assert envelope.rcpt_tos == ["sanne@example.org"]
    [message] = collector.messages()
    assert message["Reply-To"] == "info@praktijkveerkracht.nl"
    text = full_text(message)
    assert "dinsdag 1 december om 10:00" in text
    assert "We bellen je op 06 12345678" in text
    assert "K7M3QP" in text and "verzetten of afzeggen" in text
    assert "+31 20 123 4567" in text and "12 uur" in text
    assert "113" in text
    assert SECRET_BAND not in text and SECRET_TOPIC not in text


def test_callback_confirmation_speaks_of_a_request_not_an_appointment() -> None:
    lead = booked_lead(kind="callback", slot_start=None, slot_end=None, preferred_times="na 4")
    text = full_text(visitor_confirmation_message(lead, PRACTICE, cancel_cutoff_hours=12, tz=TZ))
    assert "We bellen je op 06 12345678" in text and "na 4" in text
    assert "afspraak" not in text and "12 uur" not in text
    assert "aanvraag intrekken" in text and "K7M3QP" in text


def test_visitor_mail_needs_an_address() -> None:
    with pytest.raises(ValueError):
        visitor_confirmation_message(booked_lead(email=None), PRACTICE, cancel_cutoff_hours=12,
                                     tz=TZ)


def test_login_when_a_username_is_set(smtp_server, monkeypatch: pytest.MonkeyPatch) -> None:
    collector, logins, port = smtp_server
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "geheim")
    settings = smtp_settings(
        port, smtp_username="assistent", smtp_password_env="TEST_SMTP_PASSWORD"
    )
    Mailer(settings).send(staff_new_lead_message(booked_lead(), "P", "x", tz=TZ))
    assert logins.attempts == [("assistent", "geheim")]
    assert len(collector.envelopes) == 1

    monkeypatch.setenv("TEST_SMTP_PASSWORD", "fout")
    with pytest.raises(MailUnavailable):
        Mailer(settings).send(staff_new_lead_message(booked_lead(), "P", "x", tz=TZ))
    assert len(collector.envelopes) == 1


def test_starttls_required_but_not_offered_sends_nothing(smtp_server) -> None:
    collector, _, port = smtp_server
    with pytest.raises(MailUnavailable):
        Mailer(smtp_settings(port, smtp_starttls=True)).send(
            staff_new_lead_message(booked_lead(), "P", "x", tz=TZ)
        )
    assert collector.envelopes == []


def test_closed_smtp_port_is_mail_unavailable_in_bounded_time() -> None:
    began = time.monotonic()
    with pytest.raises(MailUnavailable):
        Mailer(smtp_settings(free_port())).send(
            staff_new_lead_message(booked_lead(), "P", "x", tz=TZ))
    assert time.monotonic() - began < 12


def test_outbox_mode_writes_eml_files(tmp_path) -> None:
    outbox = tmp_path / "run" / "outbox"
    settings = Notifications(
        staff_emails=["intake@praktijkveerkracht.nl"], smtp_host="", outbox_dir=str(outbox)
    )
    mailer = Mailer(settings)
    mailer.send(staff_new_lead_message(booked_lead(), "Praktijk Veerkracht", "x", tz=TZ))
    mailer.send(
        visitor_confirmation_message(booked_lead(), PRACTICE, cancel_cutoff_hours=12, tz=TZ))

    files = sorted(outbox.iterdir())
    assert len(files) == 2 and all(f.suffix == ".eml" for f in files)
    messages = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    by_to = {m["To"]: m for m in messages}
    staff = by_to["intake@praktijkveerkracht.nl"]
    assert staff["From"] == settings.sender
    assert "(ref K7M3QP)" in staff["Subject"]
    assert "Sanne de Vries" in full_text(staff) and SECRET_BAND not in full_text(staff)
    assert "sanne@example.org" in by_to


def test_unwritable_outbox_is_mail_unavailable(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    mailer = Mailer(Notifications(smtp_host="", outbox_dir=str(blocker / "outbox")))
    with pytest.raises(MailUnavailable):
        mailer.send(staff_new_lead_message(booked_lead(), "P", "x", tz=TZ))


def test_staff_change_mail_says_what_changed_and_nothing_about_health(smtp_server) -> None:
    collector, _, port = smtp_server
    lead = booked_lead()
    previous = lead.slot_start - timedelta(days=1)
    Mailer(smtp_settings(port)).send(staff_change_message(lead, "verzet", tz=TZ,
                                                      previous_start=previous))
    [message] = collector.messages()
    assert message["Subject"] == "Kennismakingsgesprek verzet: ref K7M3QP"
    text = full_text(message)
    assert "Was:         ma 30 nov 10:00" in text and "Nu:          di 1 dec 10:00" in text
    for secret in (SECRET_BAND, SECRET_ANSWER, SECRET_TOPIC):
        assert secret not in text


def test_the_confirmation_states_the_cut_off_of_the_settings() -> None:
    text = full_text(visitor_confirmation_message(booked_lead(), PRACTICE, cancel_cutoff_hours=24,
                                                  tz=TZ))
    assert "Dat kan tot 24 uur voor het gesprek." in text
    no_cut_off = full_text(visitor_confirmation_message(booked_lead(), PRACTICE,
                                                        cancel_cutoff_hours=0, tz=TZ))
    assert "Dat kan tot het gesprek begint." in no_cut_off


def test_visitor_mails_carry_the_helplines_of_the_chat() -> None:
    text = " ".join(full_text(visitor_confirmation_message(
        booked_lead(), PRACTICE, cancel_cutoff_hours=12, tz=TZ)).split())
    for helpline in ("113", "0800-0113", "113.nl", "112", "huisarts", "huisartsenpost", "1813"):
        assert helpline in text, helpline


def test_after_a_booking_staff_and_a_visitor_with_an_address_are_mailed() -> None:
    staff, visitor = mails_after_booking(booked_lead(), SETTINGS)
    assert staff["To"] is None  # the Mailer sends it to the staff addresses
    assert "di 1 dec 10:00" in staff["Subject"]  # in the practice's time zone
    assert visitor["To"] == "sanne@example.org"
    cut_off = f"Dat kan tot {SETTINGS.booking.cancel_cutoff_hours} uur voor het gesprek."
    assert cut_off in full_text(visitor)


def test_without_an_address_or_for_a_call_back_only_staff_are_mailed() -> None:
    assert [m["Subject"] for m in mails_after_booking(booked_lead(email=None), SETTINGS)] == [
        "Nieuwe aanmelding: kennismakingsgesprek di 1 dec 10:00 (ref K7M3QP)"]
    callback = booked_lead(kind="callback", slot_start=None, slot_end=None)
    [staff] = mails_after_booking(callback, SETTINGS)
    assert "terugbelverzoek" in staff["Subject"]
