"""Booking the intro call end to end: REST → Rasa → action server → Radicale + leads database."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from email import message_from_bytes

import pytest

from tests.server.replies import buttons, texts

pytestmark = pytest.mark.model


def slot_buttons(replies: list[dict]) -> list[tuple[str, str]]:
    """(title, ISO start) for every offered slot button."""
    found = []
    for button in buttons(replies):
        if button["payload"].startswith("/inform{"):
            choice = json.loads(button["payload"][len("/inform"):]).get("slot_choice")
            if choice and choice != "ander":
                found.append((button["title"], choice))
    return found


def _body(mail) -> bytes:
    part = mail.get_payload(0) if mail.is_multipart() else mail
    return part.get_payload(decode=True) or b""


def new_sender() -> str:
    return f"book-{uuid.uuid4().hex[:8]}"


def book_first_slot(servers, sender: str, email: str = "geen",
                    share: str = "/affirm") -> tuple[list[dict], str]:
    offer = servers.send(sender, "/book_intro_call")
    offered = slot_buttons(offer)
    assert len(offered) == 3, texts(offer)
    assert any(b["title"] == "Ander moment" for b in buttons(offer))
    servers.send(sender, next(b["payload"] for b in buttons(offer) if b["title"] == offered[0][0]))
    servers.send(sender, "Sanne de Vries")
    servers.send(sender, "06 12345678")
    consent = servers.send(sender, email)
    assert "bewaren" in texts(consent)
    summary = servers.send(sender, "/affirm")
    if "antwoorden uit de check" in texts(summary):  # only asked of someone who did the check
        summary = servers.send(sender, share)
    assert "Sanne de Vries" in texts(summary) and "Klopt dit?" in texts(summary)
    return servers.send(sender, "/affirm"), offered[0][1]


def test_booking_by_button_lands_in_calendar_database_and_mail(servers, practice) -> None:
    from burnout_assistant.booking.calendar import PracticeCalendar
    from burnout_assistant.records.leads import LeadStore

    done, start_iso = book_first_slot(servers, new_sender(), email="sanne@example.nl")
    text = texts(done)
    assert "staat gepland op" in text and "We bellen je op 06 12345678" in text
    reference = text.split("boekingscode is ")[1][:6]

    lead = LeadStore(practice["leads_url"]).get_by_reference(reference)
    assert lead is not None and lead.consent_at is not None and lead.status == "nieuw"
    start = datetime.fromisoformat(start_iso)
    assert lead.slot_start == start and lead.phone == "+31612345678"

    busy = PracticeCalendar(practice["calendar_url"]).busy_periods(start - timedelta(hours=1),
                                                                   start + timedelta(hours=1))
    assert any(b_start <= start < b_end for b_start, b_end in busy)

    mails = [message_from_bytes(p.read_bytes()) for p in practice["outbox"].glob("*.eml")]
    staff = [m for m in mails if reference in (m["Subject"] or "")
             and "sanne@example.nl" not in (m["To"] or "")]
    assert staff, [m["Subject"] for m in mails]
    # Other tests book as Sanne too: this booking's confirmation is the one with its reference.
    to_visitor = [m for m in mails if m["To"] == "sanne@example.nl"
                  and reference.encode() in _body(m)]
    assert len(to_visitor) == 1  # the confirmation, because an email address was given


def test_a_booked_slot_is_not_offered_again(servers) -> None:
    _, start_iso = book_first_slot(servers, new_sender())
    offered = [iso for _, iso in slot_buttons(servers.send(new_sender(), "/book_intro_call"))]
    assert start_iso not in offered


def test_typed_time_wish_offers_nearby_slots(servers) -> None:
    sender = new_sender()
    servers.send(sender, "/book_intro_call")
    ask = servers.send(sender, '/inform{"slot_choice":"ander"}')
    assert "Wanneer komt het je uit" in texts(ask)
    offer = servers.send(sender, "donderdagmiddag")
    starts = [datetime.fromisoformat(iso) for _, iso in slot_buttons(offer)]
    assert starts, texts(offer)
    assert all(s.weekday() == 3 and s.hour >= 12 for s in starts)


def test_invalid_phone_is_asked_again_and_earlier_answers_kept(servers) -> None:
    sender = new_sender()
    offer = servers.send(sender, "/book_intro_call")
    servers.send(sender, buttons(offer)[0]["payload"])
    servers.send(sender, "Anouk")
    wrong = servers.send(sender, "12345")
    assert "herken ik niet" in texts(wrong)
    servers.send(sender, "+32 470 12 34 56")
    servers.send(sender, "geen")
    summary = texts(servers.send(sender, "/affirm"))
    assert "Anouk" in summary and "+32 470" in summary


def test_without_consent_nothing_is_stored(servers, practice) -> None:
    from burnout_assistant.records.leads import LeadStore

    sender = new_sender()
    offer = servers.send(sender, "/book_intro_call")
    servers.send(sender, buttons(offer)[0]["payload"])
    servers.send(sender, "Anouk")
    servers.send(sender, "0612345678")
    servers.send(sender, "geen")
    refused = texts(servers.send(sender, "/deny"))
    assert "niets naar de praktijk" in refused and "+31 20 123 4567" in refused
    assert "30 dagen vanzelf gewist" in refused  # true: the conversation itself is kept
    store = LeadStore(practice["leads_url"])
    assert store.erase_conversation(sender) == 0  # there was nothing of this visitor to erase


def test_check_answers_go_with_the_booking_only_with_consent(servers, practice) -> None:
    from burnout_assistant.records.leads import LeadStore

    sender = new_sender()
    replies = servers.send(sender, "/start_symptom_check")
    for _ in range(13):  # 11 questions; bounded so a broken check fails instead of hanging
        if any(b["payload"] == "/book_intro_call" for b in buttons(replies)):
            break
        replies = servers.send(sender, buttons(replies)[3]["payload"])  # "Vaak" or its peer
    assert any(b["payload"] == "/book_intro_call" for b in buttons(replies)), texts(replies)
    done, _ = book_first_slot(servers, sender)
    reference = texts(done).split("boekingscode is ")[1][:6]
    lead = LeadStore(practice["leads_url"]).get_by_reference(reference)
    assert lead.check_band == "verhoogd" and lead.check_answers["vermoeidheid"] == 3
    # "nee" to sharing: the call is booked all the same, without the check answers
    done, _ = book_first_slot(servers, sender, share="/deny")
    kept = LeadStore(practice["leads_url"]).get_by_reference(
        texts(done).split("boekingscode is ")[1][:6])
    assert kept is not None and kept.check_answers is None and kept.check_band is None
