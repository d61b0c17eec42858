"""The leads list, one lead in full, status and notes with their audit trail, export, erase."""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime, timedelta, timezone

import pytest

from burnout_assistant.records.search import LeadFilter
from tests.apps.dashboard.conftest import EMAIL, csrf_token
from tests.apps.dashboard.leads import XSS, booking, callback
from tests.apps.dashboard.tracker import now

pytestmark = pytest.mark.timeout(120)
UTC = timezone.utc


def rows(body: str) -> int:
    return body.count('data-lead="')


def test_list_shows_newest_first_with_the_new_count(logged_in, store) -> None:
    old = callback(store, 1, created_at=now() - timedelta(days=3))
    called = callback(store, 2, created_at=now() - timedelta(days=2))
    store.set_status(called.id, "gebeld", actor=EMAIL)
    booked = booking(store, 3)
    body = logged_in.get("/").get_data(as_text=True)
    assert body.index(f'data-lead="{booked.id}"') < body.index(f'data-lead="{called.id}"') \
        < body.index(f'data-lead="{old.id}"')
    new_count = body.split('data-testid="new-count"')[1].split("</a>")[0]
    assert "<strong>2</strong>" in new_count
    assert "di 3 dec 2030 10:00" in body  # the booked slot, in Amsterdam time
    assert "liefst &#39;s ochtends" in body  # the callback's wished times


def test_filters_and_search(logged_in, store, settings) -> None:
    first = callback(store, 1, created_at=datetime(2030, 1, 10, 22, 30, tzinfo=UTC))
    second = booking(store, 2, check_band="hoog", check_answers={"vermoeidheid": 3},
                     consent_at=now(), created_at=datetime(2030, 1, 12, 9, 0, tzinfo=UTC))
    third = callback(store, 3, name="Sanne de Vries", email="sanne@example.nl")
    store.set_status(third.id, "afgerond", actor=EMAIL)

    def shown(query: str) -> set[int]:
        body = logged_in.get("/?" + query).get_data(as_text=True)
        return {lead.id for lead in (first, second, third) if f'data-lead="{lead.id}"' in body}

    assert shown("") == {first.id, second.id, third.id}
    assert shown("status=afgerond") == {third.id}
    assert shown("uitkomst=hoog") == {second.id}
    assert shown("uitkomst=geen") == {first.id, third.id}
    assert shown("kanaal=telegram") == {second.id}
    # 22:30 UTC on 10 Jan is 23:30 on 10 Jan in Amsterdam; 11 Jan onwards excludes it.
    assert shown("van=2030-01-11&tot=2030-01-12") == {second.id}
    assert shown("van=2030-01-10&tot=2030-01-10") == {first.id}
    assert shown("q=sanne") == {third.id}
    assert shown("q=SANNE%40example") == {third.id}
    assert shown("q=06+1234+0002") == {second.id}  # typed nationally, stored as E.164
    assert shown(f"q={second.reference.lower()}") == {second.id}
    bad = logged_in.get("/?van=gisteren").get_data(as_text=True)
    assert "geen geldige datum" in bad and rows(bad) == 3
    assert store.count(LeadFilter(status="nieuw")) == 2


def test_list_pages_through_many_leads(logged_in, store) -> None:
    for n in range(55):
        callback(store, n + 1)
    first = logged_in.get("/").get_data(as_text=True)
    second = logged_in.get("/?pagina=2").get_data(as_text=True)
    assert rows(first) == 50 and rows(second) == 5
    assert "Pagina 1 van 2" in first and "55 aanvragen" in first


def test_detail_shows_contact_check_answers_topics_and_transcript(logged_in, store,
                                                                  tracker) -> None:
    lead = booking(store, 4, email="noor@example.nl", consent_at=now(), check_band="hoog",
                   check_answers={"vermoeidheid": 3, "duur": 2}, topics=["magnesium"])
    tracker.user(lead.sender_id, "ik rust wel maar knap niet op", now(), intent="faq",
                 faq="herstel")
    tracker.bot(lead.sender_id, "Dat horen we vaak.", now(),
                buttons=[{"title": "Plan een gesprek", "payload": "/book_intro_call"}])
    body = logged_in.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert 'href="tel:+31612340004"' in body and "06 12340004" in body
    assert 'href="mailto:noor@example.nl"' in body
    assert "dinsdag 3 december om 10:00" in body
    assert "Hoe vaak ben je moe?" in body
    assert "Vaak" in body and "3 tot 6 maanden" in body and "Hoog" in body
    assert "magnesium" in body
    assert "ik rust wel maar knap niet op" in body and "Plan een gesprek" in body
    assert "turn-bezoeker" in body and "turn-assistent" in body


def test_detail_says_when_the_conversation_reached_the_crisis_answer(logged_in, store,
                                                                   tracker) -> None:
    calm, asked = callback(store, 5), callback(store, 6)
    tracker.user(asked.sender_id, "het mag van mij ophouden", now(), intent="crisis")
    tracker.action(asked.sender_id, "utter_crisis_check", now())
    tracker.user(asked.sender_id, "ja", now(), intent="affirm")
    tracker.action(asked.sender_id, "utter_crisis", now())
    body = logged_in.get(f"/leads/{asked.id}").get_data(as_text=True)
    assert 'data-testid="safety"' in body
    assert "crisisantwoord met de hulplijnen (1&times;)" in body and "directe vraag" in body
    assert 'data-testid="safety"' not in logged_in.get(f"/leads/{calm.id}").get_data(as_text=True)
    insights = logged_in.get("/inzichten").get_data(as_text=True)
    assert 'data-testid="safety-weeks"' in insights and "Directe vraag" in insights


def test_status_change_records_who_and_when(logged_in, store, clock) -> None:
    lead = callback(store)
    token = csrf_token(logged_in, f"/leads/{lead.id}")
    before = datetime.now(UTC)
    response = logged_in.post(f"/leads/{lead.id}/status",
                              data={"status": "gebeld", "note": "voicemail", "csrf_token": token})
    assert response.status_code == 302
    assert store.get(lead.id).status == "gebeld"
    [event] = store.events(lead.id)
    assert (event.kind, event.actor, event.old_status, event.new_status, event.note) == (
        "status", EMAIL, "nieuw", "gebeld", "voicemail")
    assert before - timedelta(seconds=1) <= event.at <= datetime.now(UTC)
    assert event.at.tzinfo is not None and event.at.utcoffset() == timedelta(0)
    body = logged_in.get(f"/leads/{lead.id}").get_data(as_text=True)
    history = body.split('data-testid="history"')[1]
    assert EMAIL in history and "Gebeld" in history and "voicemail" in history
    local = event.at.astimezone(store_tz()).strftime("%H:%M")
    assert local in history
    refused = logged_in.post(f"/leads/{lead.id}/status",
                             data={"status": "verzonnen", "csrf_token": token})
    assert refused.status_code == 400 and len(store.events(lead.id)) == 1


def store_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Amsterdam")


def test_note_is_added_to_the_audit_trail_escaped(logged_in, store) -> None:
    lead = callback(store)
    token = csrf_token(logged_in, f"/leads/{lead.id}")
    logged_in.post(f"/leads/{lead.id}/notitie", data={"note": f"belt terug {XSS}",
                                                     "csrf_token": token})
    [event] = store.events(lead.id)
    assert (event.kind, event.actor, event.note) == ("note", EMAIL, f"belt terug {XSS}")
    assert store.get(lead.id).status == "nieuw"
    body = logged_in.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert html.escape(XSS) in body and XSS not in body
    logged_in.post(f"/leads/{lead.id}/notitie", data={"note": "   ", "csrf_token": token})
    assert len(store.events(lead.id)) == 1


def test_csv_export_follows_the_filter_and_defuses_formulas(logged_in, store) -> None:
    evil = callback(store, 1, name='=HYPERLINK("http://x.example","klik")',
                    preferred_times="@SUM(A1)")
    booking(store, 2, name="Piet", check_band="laag", check_answers={"vermoeidheid": 0},
            consent_at=now(), topics=["magnesium", "slaap"])
    done = callback(store, 3, name="-Klaar")
    store.set_status(done.id, "afgerond", actor=EMAIL)

    response = logged_in.get("/leads.csv?status=nieuw")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert {row["naam"] for row in table} == {"'" + evil.name, "Piet"}
    by_name = {row["naam"]: row for row in table}
    assert by_name["'" + evil.name]["voorkeurstijden"] == "'@SUM(A1)"
    assert by_name["Piet"]["telefoon"] == "06 12340002"
    assert by_name["Piet"]["uitkomst check"] == "Laag"
    assert by_name["Piet"]["onderwerpen"] == "magnesium, slaap"
    assert by_name["Piet"]["gepland gesprek"] == "2030-12-03 10:00"
    for row in table:
        assert not row["naam"].startswith(("=", "+", "-", "@"))

    everyone = logged_in.get("/leads.csv").get_data(as_text=True)
    assert "'-Klaar" in everyone
    exports = [e for e in store.events(evil.id) if e.kind == "export"]
    assert len(exports) == 2 and exports[0].actor == EMAIL
    assert len([e for e in store.events(done.id) if e.kind == "export"]) == 1


def test_list_links_to_an_export_with_the_same_filter(logged_in, store) -> None:
    callback(store)
    body = logged_in.get("/?status=nieuw&q=bezoeker").get_data(as_text=True)
    assert 'href="/leads.csv?status=nieuw&amp;q=bezoeker"' in body


def test_erase_removes_the_lead_and_its_conversation(logged_in, store, tracker) -> None:
    lead = callback(store, 1)
    other = callback(store, 2)
    for sender in (lead.sender_id, other.sender_id):
        tracker.user(sender, "hallo", now())
        tracker.bot(sender, "Hoi!", now())
    others_events = tracker.count(other.sender_id)
    assert others_events > 0
    confirm = logged_in.get(f"/leads/{lead.id}/wissen")
    assert "definitief" in confirm.get_data(as_text=True)
    assert store.get(lead.id) is not None  # asking is not erasing

    token = csrf_token(logged_in, f"/leads/{lead.id}/wissen")
    done = logged_in.post(f"/leads/{lead.id}/wissen", data={"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert "zijn gewist" in logged_in.get("/").get_data(as_text=True)
    assert store.get(lead.id) is None and store.events(lead.id) == []
    assert tracker.count(lead.sender_id) == 0
    assert logged_in.get(f"/leads/{lead.id}").status_code == 404
    assert store.get(other.id) is not None and tracker.count(other.sender_id) == others_events


def test_erase_with_the_calendar_down_erases_nothing(logged_in, store, tracker) -> None:
    lead = booking(store, 5)
    tracker.user(lead.sender_id, "hallo", now())
    events = tracker.count(lead.sender_id)
    token = csrf_token(logged_in, f"/leads/{lead.id}/wissen")
    response = logged_in.post(f"/leads/{lead.id}/wissen", data={"csrf_token": token},
                              follow_redirects=True)
    assert "De agenda is nu niet bereikbaar" in response.get_data(as_text=True)
    assert store.get(lead.id) is not None and tracker.count(lead.sender_id) == events > 0


def test_html_from_visitors_is_shown_as_text(logged_in, store, tracker) -> None:
    lead = callback(store, 7, name=XSS, preferred_times=XSS)
    tracker.user(lead.sender_id, XSS, now(), intent="nlu_fallback", confidence=0.2)
    escaped = html.escape(XSS)
    for path in ("/", f"/leads/{lead.id}", "/inzichten", f"/leads/{lead.id}/wissen"):
        body = logged_in.get(path).get_data(as_text=True)
        assert escaped in body, path
        assert "<script>alert(1)" not in body and "<b>x</b>" not in body, path
