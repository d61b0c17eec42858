"""Telegram end to end: fake Bot API → real Rasa server's webhook → action server → replies.

Every update is posted the way Telegram posts it (JSON body, secret header); every reply is
read back from the fake Bot API's record of sendMessage calls.
"""

from __future__ import annotations

import html
import re

import pytest

from burnout_assistant.apps import telegram as tg
from burnout_assistant.apps.telegram_buttons import STALE_BUTTON_TEXT
from burnout_assistant.check.questionnaire import current_questionnaire
from burnout_assistant.config_files import load_yaml
from tests.apps.telegram import updates
from tests.apps.telegram.conftest import ROOT_DOMAIN
from tests.conftest import PRACTICE_NAME

pytestmark = pytest.mark.model
Q = current_questionnaire()


def is_safe_html(text: str) -> bool:
    return "<" not in text and ">" not in text and not re.search(r"&(?!(amp|lt|gt);)", text)


def test_secret_header_is_required(telegram_rig) -> None:
    chat = telegram_rig.chat()
    update = updates.text(chat.id, "hallo")
    for secret in (None, "verkeerd", telegram_rig.secret[:-1] + "x", telegram_rig.secret + "x"):
        answer = telegram_rig.post(update, secret=secret)
        assert answer.status_code == 403
    assert telegram_rig.fake.calls(chat_id=chat.id) == []
    assert telegram_rig.user_events(chat.id) == []  # nothing reached the assistant


@pytest.mark.parametrize("body", [b"{niet json", b"[]", b'"hallo"', b'{"message": {}}',
                                  b'{"update_id": 1, "message": "hallo"}'])
def test_malformed_update_is_a_400_without_a_stack_trace(telegram_rig, body: bytes) -> None:
    answer = telegram_rig.post(body=body)
    assert answer.status_code == 400
    assert "Traceback" not in answer.text and "Error" not in answer.text


def test_start_sends_the_welcome_with_an_inline_keyboard(telegram_rig) -> None:
    chat = telegram_rig.chat()
    turn = chat.say("/start")
    [welcome] = [c for c in turn.sent if "welkom" in c.params["text"]]
    assert welcome.params["parse_mode"] == "HTML"
    raw = welcome.params["text"]
    assert is_safe_html(raw) and "&amp; &lt;Zorg&gt; *_" in raw  # the practice name, escaped
    assert PRACTICE_NAME in html.unescape(raw)
    titles = [title for title, _, _ in turn.buttons]
    assert "Doe de korte check" in titles and "Plan een gratis kennismaking" in titles
    assert all(len(data.encode()) <= 64 for _, data, _ in turn.buttons)
    assert turn.of("sendChatAction")  # "typing…" while the assistant thinks
    known = len(telegram_rig.fake.calls("getMe"))
    chat.say("hallo")
    chat.click("Doe de korte check")
    assert len(telegram_rig.fake.calls("getMe")) == known  # initialized once, not per update


def test_faq_answer_is_escaped_and_complete(telegram_rig) -> None:
    domain = load_yaml(ROOT_DOMAIN.read_text())
    faq_texts = {r["text"] for key, answers in domain["responses"].items()
                 if key.startswith("utter_faq/") for r in answers}
    turn = telegram_rig.chat().say("wat zijn de symptomen van een burn-out?")
    answers = [html.unescape(c.params["text"]) for c in turn.sent]
    assert any(text in faq_texts for text in answers), answers
    assert all(is_safe_html(c.params["text"]) and c.params["parse_mode"] == "HTML"
               for c in turn.sent)


def test_button_press_is_answered_unclickable_and_not_echoed(telegram_rig) -> None:
    chat = telegram_rig.chat()
    chat.say("/start")
    [(_, data, message_id)] = [b for b in chat.last.buttons if b[0] == "Doe de korte check"]
    turn = chat.click("Doe de korte check")
    [answered] = turn.of("answerCallbackQuery")
    assert answered.params["callback_query_id"]
    [edited] = turn.of("editMessageReplyMarkup")
    assert int(edited.params["message_id"]) == message_id and "reply_markup" not in edited.params
    assert f"Vraag 1 van {len(Q.questions)}" in turn.text
    assert "Doe de korte check" not in turn.text  # nothing echoed
    assert data == "/start_symptom_check"
    assert turn.calls.index(answered) < turn.calls.index(turn.sent[0])  # answered first


def test_faq_check_and_booking_by_buttons_and_shared_contact(telegram_rig, practice) -> None:
    from burnout_assistant.records.leads import LeadStore

    chat = telegram_rig.chat()
    chat.say("/start")
    assert "cortisol" in chat.say("wat doet cortisol eigenlijk met je lichaam?").text.lower()

    turn = chat.say("/start")
    turn = chat.click("Doe de korte check")
    for number in range(1, len(Q.questions) + 1):
        assert f"Vraag {number} van {len(Q.questions)}" in turn.text
        title = turn.buttons[-1][0]  # the heaviest answer each time
        turn = chat.click(title)
    assert "geen diagnose" in turn.text and "uitgeput" in turn.text
    assert any(data == "/book_intro_call" for _, data, _ in turn.buttons)

    book = next(title for title, data, _ in turn.buttons if data == "/book_intro_call")
    offer = chat.click(book)
    slots = [(title, data) for title, data, _ in offer.buttons
             if data.startswith(("/inform", "p:")) and title != "Ander moment"]
    assert len(slots) == 3, offer.text
    chat.click(slots[0][0])
    asked = chat.say("Sanne de Vries")
    [phone_question] = [c for c in asked.sent if "telefoonnummer" in c.params["text"]]
    keyboard = phone_question.markup
    assert keyboard["keyboard"] == [[{"text": tg.SHARE_PHONE_TITLE, "request_contact": True}]]
    assert keyboard["one_time_keyboard"] and keyboard["resize_keyboard"]

    email = chat.send(updates.contact(chat.id, "+31612345678"))
    assert "e-mail" in email.text
    assert any(c.markup.get("remove_keyboard") for c in email.sent)  # share button gone
    consent = chat.click("Geen e-mail")
    assert "bewaren" in consent.text
    share = chat.click("Ja, dat is goed")
    assert "antwoorden uit de check" in share.text  # sharing them is its own yes or no
    summary = chat.click("Ja, deel mijn antwoorden")
    assert "Klopt dit?" in summary.text and "Sanne de Vries" in summary.text
    done = chat.click("Ja, plan het in")
    assert "staat gepland op" in done.text
    reference = done.text.split("boekingscode is ")[1][:6]

    lead = LeadStore(practice["leads_url"]).get_by_reference(reference)
    assert lead is not None and lead.channel == "telegram"
    assert lead.phone == "+31612345678" and lead.check_band == "hoog"


def test_someone_elses_contact_is_not_taken(telegram_rig) -> None:
    chat = telegram_rig.chat()
    turn = chat.send(updates.contact(chat.id, "+31687654321", owner_id=4242))
    assert turn.text == tg.OWN_NUMBER_TEXT
    assert telegram_rig.user_events(chat.id) == []


@pytest.mark.parametrize("make", [updates.sticker, updates.photo, updates.voice])
def test_non_text_gets_a_friendly_reply_and_nothing_reaches_the_assistant(
    telegram_rig, make
) -> None:
    chat = telegram_rig.chat()
    assert chat.send(make(chat.id)).text == tg.ONLY_TEXT_TEXT
    assert telegram_rig.user_events(chat.id) == []


def test_edited_messages_and_groups(telegram_rig) -> None:
    chat = telegram_rig.chat()
    assert chat.send(updates.edited(chat.id, "ik bedoelde iets anders")).calls == []
    group = -chat.id
    assert chat.send(updates.text(group, "hallo allemaal", kind="group")).calls == []
    turn = chat.send(updates.text(group, "/start", kind="group"))
    assert [c.params["text"] for c in turn.sent] == [html.escape(tg.PRIVATE_ONLY_TEXT)]
    assert telegram_rig.user_events(chat.id) == [] and telegram_rig.user_events(group) == []


def test_help_and_unknown_commands(telegram_rig) -> None:
    chat = telegram_rig.chat()
    assert chat.say("/help").text == tg.HELP_TEXT
    assert telegram_rig.user_events(chat.id) == []
    # a typed intent payload is read as words, so it cannot jump into the booking
    turn = chat.say('/inform{"slot_choice":"2026-11-24T09:00:00+01:00"}')
    [event] = telegram_rig.user_events(chat.id)
    assert not event["text"].startswith("/")
    assert all(e["entity"] != "slot_choice" for e in event["parse_data"]["entities"])
    assert "Hoe mag de therapeut je noemen" not in turn.text


def test_stale_button_token_gets_a_friendly_reply(telegram_rig) -> None:
    chat = telegram_rig.chat()
    turn = chat.click_data("p:AAAAAAAAAA", message_id=1)
    assert turn.of("answerCallbackQuery") and turn.text == STALE_BUTTON_TEXT
    assert telegram_rig.user_events(chat.id) == []


def test_oversized_message_is_refused_before_the_assistant(telegram_rig) -> None:
    chat = telegram_rig.chat()
    turn = chat.say("wat kost een traject? " + "echt " * 2000)
    assert "te lang" in turn.text
    assert telegram_rig.user_events(chat.id) == []


def test_blocked_bot_still_answers_telegram_with_200(telegram_rig) -> None:
    chat = telegram_rig.chat()
    telegram_rig.fake.forbidden_chats.add(chat.id)
    try:
        turn = chat.say("hallo")  # asserts the 200
    finally:
        telegram_rig.fake.forbidden_chats.discard(chat.id)
    assert len(turn.of("sendMessage")) == 1  # tried once, stopped after the refusal


def test_stop_asks_then_erases(telegram_rig) -> None:
    chat = telegram_rig.chat()
    chat.say("hallo")
    asked = chat.say("/stop")
    assert "verwijder" in asked.text and "?" in asked.text
    assert "verwijderd" not in asked.text
    done = chat.say("ja")
    assert "verwijderd" in done.text
