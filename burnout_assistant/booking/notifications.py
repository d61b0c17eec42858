"""Mail to staff (a new lead to call, a change) and to the visitor (confirmation), and which
mails go out after a booking (:func:`mails_after_booking`); the reminder is in reminders.py.

Mail is not a safe place for health data: the staff mail says who to call and when, and links
to the dashboard for what the person asked and answered; check answers, band and topics are
never put in a message. Without an SMTP host (the embedded default) each message is written
as a ``.eml`` file to the outbox folder, so staff still see it and no mail server is needed.

Sent mail cannot be recalled: when a lead is erased, staff get a notice naming only the
booking code (:func:`staff_erasure_message`) and the outbox copies of its mails are deleted.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

from burnout_assistant.language.contact import format_phone_nl
from burnout_assistant.language.dutch_time import clock, long_date, short_when
from burnout_assistant.language.safety import crisis_message
from burnout_assistant.records.schema import Lead
from burnout_assistant.settings import Notifications, Practice, Settings

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10
# Marks the erasure notice, so deleting a lead's outbox copies leaves the notice itself.
NOTICE_HEADER = "X-Assistant-Notice"

CHANNELS = {
    "web": "chat op de website",
    "telegram": "Telegram",
}


class MailUnavailable(Exception):
    """The mail could not be sent (server down, refused, TLS or login failed, outbox unwritable)."""


# -- formatting ---------------------------------------------------------------------------------


def _minutes(lead: Lead) -> int | None:
    if lead.slot_start is None or lead.slot_end is None:
        return None
    return round((lead.slot_end - lead.slot_start).total_seconds() / 60)


def compose_mail(
    subject: str, body: str, to: Sequence[str] = (), reply_to: str = ""
) -> EmailMessage:
    """A plain-text mail marked as automatic; without ``to`` the Mailer sends it to staff."""
    message = EmailMessage()
    message["Subject"] = subject
    if to:
        message["To"] = ", ".join(to)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="burnout-assistant.local")
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to the robot
    message.set_content(body)
    return message


# -- messages -----------------------------------------------------------------------------------


def staff_new_lead_message(
    lead: Lead,
    practice_name: str,
    dashboard_url: str,
    *,
    tz: ZoneInfo,
    to: Sequence[str] = (),
) -> EmailMessage:
    """Who to call and when; never the check answers, band or topics (see the module doc).

    Without ``to`` the :class:`Mailer` addresses it to the staff addresses of the settings.
    """
    booked = lead.kind == "booking" and lead.slot_start is not None
    if booked:
        subject = f"Nieuwe aanmelding: kennismakingsgesprek {short_when(lead.slot_start, tz)}"
    else:
        subject = "Nieuwe aanmelding: terugbelverzoek"
    subject += f" (ref {lead.reference})"

    lines = [
        f"Er is een nieuwe aanmelding binnengekomen via de assistent van {practice_name}.",
        "",
        f"Naam:        {lead.name}",
        f"Telefoon:    {format_phone_nl(lead.phone)}",
    ]
    if booked:
        end = f"-{clock(lead.slot_end, tz)}" if lead.slot_end is not None else ""
        lines.append(
            f"Gesprek:     {long_date(lead.slot_start, tz)}, {clock(lead.slot_start, tz)}{end} "
            "(telefonische kennismaking: bel deze persoon dan op)"
        )
    else:
        wish = (lead.preferred_times or "").strip() or "geen voorkeur opgegeven"
        lines.append(f"Terugbellen: {wish}")
    lines += [
        f"Referentie:  {lead.reference}",
        f"Kanaal:      {CHANNELS.get(lead.channel, lead.channel)}",
        "",
        "Wat deze persoon vroeg en antwoordde staat om privacyredenen niet in deze mail,",
        "maar in het dashboard:",
        dashboard_url or "(geen dashboard-adres ingesteld)",
    ]
    return compose_mail(subject, "\n".join(lines) + "\n", to=to)


def staff_change_message(
    lead: Lead,
    change: str,
    *,
    tz: ZoneInfo,
    previous_start: datetime | None = None,
    to: Sequence[str] = (),
) -> EmailMessage:
    """A visitor cancelled (``change="geannuleerd"``) or moved (``"verzet"``) their call."""
    when = short_when(lead.slot_start, tz) if lead.slot_start is not None else "?"
    subject = f"Kennismakingsgesprek {change}: ref {lead.reference}"
    lines = [
        f"{lead.name} heeft het kennismakingsgesprek via de assistent {change}.",
        "",
        f"Telefoon:    {format_phone_nl(lead.phone)}",
        f"Referentie:  {lead.reference}",
    ]
    if change == "verzet" and previous_start is not None:
        lines.append(f"Was:         {short_when(previous_start, tz)}")
        lines.append(f"Nu:          {when}")
    else:
        lines.append(f"Gesprek:     {when} (vervalt)")
    return compose_mail(subject, "\n".join(lines) + "\n", to=to)


def visitor_confirmation_message(
    lead: Lead, practice: Practice, *, cancel_cutoff_hours: int, tz: ZoneInfo
) -> EmailMessage:
    """Confirmation to the visitor: when we call, on which number, and how to change it up to
    the cut-off (``booking.cancel_cutoff_hours`` in practice.yml)."""
    if lead.slot_start is not None:
        subject = (
            f"Je kennismakingsgesprek op {long_date(lead.slot_start, tz)} "
            f"om {clock(lead.slot_start, tz)}"
        )
        minutes = _minutes(lead)
        intro = [
            f"Je gratis telefonische kennismakingsgesprek met {practice.name} staat gepland op "
            f"{long_date(lead.slot_start, tz)} om {clock(lead.slot_start, tz)} uur.",
            f"We bellen je op {format_phone_nl(lead.phone)}. Je hoeft zelf niets te doen."
            + (f" Het gesprek duurt ongeveer {minutes} minuten." if minutes else ""),
        ]
    else:
        subject = f"We bellen je terug ({practice.name})"
        wish = (lead.preferred_times or "").strip()
        intro = [
            f"Bedankt voor je aanvraag bij {practice.name}. We bellen je op "
            f"{format_phone_nl(lead.phone)} voor een gratis telefonische kennismaking"
            + (f", zo veel mogelijk op het moment dat je aangaf: {wish}." if wish else "."),
        ]
    return compose_mail(
        subject,
        visitor_body(lead, practice, intro, cancel_cutoff_hours),
        to=visitor_address(lead),
        reply_to=practice.email,
    )


def staff_erasure_message(reference: str, to: Sequence[str] = ()) -> EmailMessage:
    """Staff are asked to delete earlier mails about an erased lead: sent mail cannot be
    recalled. Names the booking code only, so this mail holds nothing to delete itself."""
    lines = [
        f"Op verzoek zijn alle gegevens bij referentie {reference} gewist uit de assistent:",
        "de aanvraag, het gesprek en een eventuele afspraak in de agenda.",
        "",
        "Mails die al over deze referentie zijn verstuurd, kunnen wij niet terughalen.",
        "Verwijder ze daarom zelf: zoek in je mailbox op de referentie en wis de berichten",
        "(ook uit de map Verwijderde items en uit doorgestuurde mails).",
        "",
        "Dit bericht is automatisch verstuurd door de digitale assistent van de praktijk.",
    ]
    message = compose_mail(f"Gegevens gewist: ref {reference}", "\n".join(lines) + "\n", to=to)
    message[NOTICE_HEADER] = "erasure"
    return message


def mails_after_booking(lead: Lead, settings: Settings) -> list[EmailMessage]:
    """Staff hear of every new lead; the visitor gets a confirmation of a booked call when they
    left an email address (a call-back request is confirmed in the chat only)."""
    mails = [staff_new_lead_message(lead, settings.practice.name,
                                    settings.notifications.dashboard_url, tz=settings.tz)]
    if lead.email and lead.slot_start is not None:
        mails.append(visitor_confirmation_message(
            lead, settings.practice, cancel_cutoff_hours=settings.booking.cancel_cutoff_hours,
            tz=settings.tz))
    return mails


def visitor_address(lead: Lead) -> list[str]:
    """The visitor as the only recipient; ValueError when they left no address."""
    if not lead.email:
        raise ValueError("this lead left no email address")
    return [lead.email]


def visitor_body(lead: Lead, practice: Practice, intro: list[str], cancel_cutoff_hours: int) -> str:
    """A mail to the visitor: ``intro``, how to change it and until when, and the helplines."""
    where = f"de chat op {practice.website}" if practice.website else "de chat op onze website"
    if lead.slot_start is not None:
        ask, example = "Wil je de afspraak verzetten of afzeggen?", "afspraak verzetten"
    else:
        ask, example = "Wil je je aanvraag intrekken of iets aanpassen?", "aanvraag intrekken"
    change = [
        f'{ask} Zeg dat in {where} (bijvoorbeeld "{example}") en noem je referentie en '
        f"je telefoonnummer, of bel ons op {practice.phone}."
    ]
    if lead.slot_start is not None:
        change.append(f"Dat kan tot {cancel_cutoff_hours} uur voor het gesprek."
                      if cancel_cutoff_hours else "Dat kan tot het gesprek begint.")
    lines = [
        f"Hoi {lead.name},",
        "",
        *intro,
        "",
        f"Je referentie is {lead.reference}.",
        " ".join(change),
        "",
        crisis_message(),
        "",
        "Hartelijke groet,",
        practice.name,
        " · ".join(p for p in (practice.phone, practice.email, practice.website) if p),
        "",
        "Dit bericht is automatisch verstuurd door de digitale assistent van de praktijk.",
    ]
    return "\n".join(lines) + "\n"


# -- sending ------------------------------------------------------------------------------------


class Mailer:
    """Sends by SMTP, or writes ``.eml`` files to the outbox when no SMTP host is set."""

    def __init__(self, notifications: Notifications) -> None:
        self.settings = notifications

    def send(self, message: EmailMessage) -> None:
        """Deliver one message; MailUnavailable when it could not be handed over."""
        if "From" not in message:
            message["From"] = self.settings.sender
        if "To" not in message and self.settings.staff_emails:
            message["To"] = ", ".join(self.settings.staff_emails)
        if not self.settings.smtp_host:
            self._write_outbox(message)
            return
        if "To" not in message:
            raise MailUnavailable("no recipients: notifications.staff_emails is empty")
        self._send_smtp(message)

    def _send_smtp(self, message: EmailMessage) -> None:
        s = self.settings
        implicit_tls = s.smtp_port == 465  # SMTPS: TLS from the first byte
        smtp_class = smtplib.SMTP_SSL if implicit_tls else smtplib.SMTP
        try:
            with smtp_class(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
                if s.smtp_starttls and not implicit_tls:
                    # Refuses to go on in plain text when the server offers no STARTTLS.
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_username:
                    smtp.login(s.smtp_username, s.smtp_password)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("mail not sent: %s", type(exc).__name__)
            raise MailUnavailable(f"mail not sent ({type(exc).__name__})") from exc

    def delete_outbox_copies(self, reference: str) -> int:
        """Delete the outbox files of every mail about this booking code; returns how many.

        Each mail about a lead carries its booking code in the subject or the text (staff
        mails, confirmations, reminders, changes), which is how its copies are found. The
        erasure notice itself stays.
        """
        outbox = Path(self.settings.outbox_dir)
        if not outbox.is_dir():
            return 0
        pattern = re.compile(rf"(?<![0-9A-Z]){re.escape(reference)}(?![0-9A-Z])")
        deleted = 0
        for path in sorted(outbox.glob("*.eml")):
            try:
                message = message_from_bytes(path.read_bytes(), policy=default_policy)
                if message[NOTICE_HEADER] or not pattern.search(_searchable(message)):
                    continue
                path.unlink()
            except OSError as exc:
                log.warning("outbox copy not deleted: %s", type(exc).__name__)
                raise MailUnavailable("outbox not writable") from exc
            deleted += 1
        return deleted

    def _write_outbox(self, message: EmailMessage) -> Path:
        outbox = Path(self.settings.outbox_dir)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        path = outbox / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        partial = path.with_suffix(".part")  # a reader never sees half a message
        try:
            outbox.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(message.as_bytes())
            partial.replace(path)
        except OSError as exc:
            log.warning("mail not written to the outbox: %s", type(exc).__name__)
            raise MailUnavailable("outbox not writable") from exc
        return path


def _searchable(message: EmailMessage) -> str:
    """Subject and plain text of a mail, decoded (quoted-printable, base64)."""
    body = message.get_body(preferencelist=("plain",))
    try:
        text = body.get_content() if body is not None else ""
    except (LookupError, ValueError):  # an unknown charset: the raw text still shows codes
        text = str(body.get_payload())
    return f"{message.get('Subject', '')}\n{text}"
