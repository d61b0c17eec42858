"""Telegram rules without any network: escaping, splitting, keyboards, callbacks, updates."""

from __future__ import annotations

import html
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from burnout_assistant.apps import telegram as tg
from burnout_assistant.apps import telegram_buttons as buttons
from tests.apps.telegram import updates

SLOT = '/inform{"slot_choice":"2026-11-24T09:00:00+01:00"}'
LONG = '/inform{"slot_choice":"2026-11-24T09:00:00+01:00","note":"een heel lange knop"}'


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def read(update: dict, callbacks: buttons.CallbackPayloads | None = None) -> tg.Incoming:
    return tg.read_update(Update.de_json(update, None), callbacks or buttons.CallbackPayloads())


def is_safe_html(text: str) -> bool:
    """No tag and no bare ``&``: Telegram's HTML parser would read nothing as markup."""
    return "<" not in text and ">" not in text and not re.search(r"&(?!(amp|lt|gt);)", text)


# -- escaping -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["5 < 6 & 7 > 3", "<b>vet</b> *ster* _schuin_ `code` [a](b)",
                                 "&amp; is al een entiteit", "Praktijk <Veerkracht> & Co"])
def test_assistant_text_is_escaped_and_reads_back_the_same(raw: str) -> None:
    [message] = tg.render_replies([{"text": raw}], buttons.CallbackPayloads())
    assert message.parse_mode == "HTML"
    assert is_safe_html(message.text)
    assert html.unescape(message.text) == raw


# -- splitting ------------------------------------------------------------------------------


def test_long_answer_splits_at_paragraphs_with_the_keyboard_on_the_last_part() -> None:
    paragraphs = [f"Alinea {i}: " + ("rust & herstel kosten tijd. " * 40).strip()
                  for i in range(8)]
    raw = "\n\n".join(paragraphs)
    assert len(raw) > tg.MAX_TEXT
    replies = [{"text": raw, "buttons": [{"title": "Doe de korte check",
                                          "payload": "/start_symptom_check"}]}]
    messages = tg.render_replies(replies, buttons.CallbackPayloads())
    assert len(messages) >= 2
    assert all(units(m.text) <= tg.MAX_TEXT for m in messages)
    assert all(m.reply_markup is None for m in messages[:-1])
    assert isinstance(messages[-1].reply_markup, InlineKeyboardMarkup)
    for message in messages:  # every part starts a paragraph: nothing was cut mid-paragraph
        assert html.unescape(message.text).startswith("Alinea ")
    assert "\n\n".join(html.unescape(m.text) for m in messages) == raw


def test_without_paragraphs_it_splits_after_a_sentence() -> None:
    raw = " ".join(f"Zin nummer {i} gaat over slapen en piekeren." for i in range(200))
    parts = tg.split_text(raw)
    assert len(parts) >= 2
    assert all(part.endswith(".") for part in parts)


def test_escaping_counts_towards_the_limit_and_entities_stay_whole() -> None:
    raw = "&" * 3000  # 3000 characters, 15000 once escaped
    parts = tg.split_text(raw)
    assert len(parts) == 4
    escaped = [tg.escape(part) for part in parts]
    assert all(units(part) <= tg.MAX_TEXT and is_safe_html(part) for part in escaped)
    assert "".join(html.unescape(part) for part in escaped) == raw


def test_emoji_count_as_two_units_like_telegram_counts() -> None:
    parts = tg.split_text("😀" * 3000)  # 3000 characters, 6000 UTF-16 units
    assert len(parts) == 2 and all(units(p) <= tg.MAX_TEXT for p in parts)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab &<>.\n😀é", min_size=1, max_size=400),
       st.integers(min_value=12, max_value=80))
def test_split_parts_always_fit_and_lose_nothing(raw: str, limit: int) -> None:
    parts = tg.split_text(raw, limit)
    assert all(part and units(tg.escape(part)) <= limit for part in parts)
    squash = re.compile(r"\s+")
    assert squash.sub("", "".join(parts)) == squash.sub("", raw)


# -- keyboards and callback data ------------------------------------------------------------


def test_short_titles_two_to_a_row_long_titles_one() -> None:
    payloads = buttons.CallbackPayloads()
    short = buttons.inline_keyboard([{"title": t, "payload": f"/x{t}"} for t in "ABCDE"], payloads)
    assert [len(row) for row in short.inline_keyboard] == [2, 2, 1]
    long = buttons.inline_keyboard([{"title": "Plan een gratis kennismaking", "payload": "/b"},
                               {"title": "Nee", "payload": "/deny"}], payloads)
    assert [len(row) for row in long.inline_keyboard] == [1, 1]


def test_every_callback_data_fits_and_maps_back() -> None:
    payloads = buttons.CallbackPayloads()
    for payload in [SLOT, LONG, "Wat is burn-out?", "p:lijkt op een token", "x" * 200]:
        data = payloads.data_for(payload)
        assert len(data.encode()) <= buttons.MAX_CALLBACK_BYTES
        assert payloads.payload_for(data) == payload
    assert payloads.data_for(SLOT) == SLOT  # fits: survives a restart as it is
    assert payloads.data_for(LONG).startswith("p:") and payloads.data_for(LONG) != LONG


def test_token_of_another_process_is_unknown() -> None:
    token = buttons.CallbackPayloads().data_for(LONG)
    assert buttons.CallbackPayloads().payload_for(token) is None
    incoming = read(updates.callback(42, token, message_id=7))
    assert incoming.text is None and incoming.reply == buttons.STALE_BUTTON_TEXT
    assert incoming.callback_query_id  # the button press is still answered


def test_callback_map_is_bounded_and_keeps_the_recently_used() -> None:
    payloads = buttons.CallbackPayloads(max_size=2)
    first, second = payloads.data_for(LONG + "1"), payloads.data_for(LONG + "2")
    assert payloads.payload_for(first) == LONG + "1"  # used: now the most recent
    payloads.data_for(LONG + "3")
    assert len(payloads) == 2
    assert payloads.payload_for(second) is None and payloads.payload_for(first) == LONG + "1"


def test_phone_question_gets_the_share_contact_keyboard() -> None:
    replies = [{"text": "Op welk telefoonnummer kunnen we je bellen?"},
               {"custom": {"input": "phone"}}]
    [message] = tg.render_replies(replies, buttons.CallbackPayloads())
    markup = message.reply_markup
    assert isinstance(markup, ReplyKeyboardMarkup)
    [[button]] = markup.keyboard
    assert button.text == tg.SHARE_PHONE_TITLE and button.request_contact
    assert markup.one_time_keyboard and markup.resize_keyboard


def test_phone_hint_after_a_keyboard_message_gets_its_own_message() -> None:
    replies = [{"text": "Vraag", "buttons": [{"title": "Ja", "payload": "/affirm"}]},
               {"custom": {"input": "phone"}}]
    first, second = tg.render_replies(replies, buttons.CallbackPayloads())
    assert isinstance(first.reply_markup, InlineKeyboardMarkup)
    assert isinstance(second.reply_markup, ReplyKeyboardMarkup)


def test_share_contact_keyboard_is_removed_with_the_next_message() -> None:
    payloads, keyboards = buttons.CallbackPayloads(), tg.OpenReplyKeyboards()
    asked = tg.render_replies([{"text": "Telefoon?"}, {"custom": {"input": "phone"}}], payloads)
    keyboards.update(5, asked)
    assert keyboards.is_open(5) and not keyboards.is_open(6)

    email = [{"text": "Wil je een bevestiging per e-mail?",
              "buttons": [{"title": "Geen e-mail", "payload": "/inform"}]}]
    closing, question = tg.render_replies(email, payloads, keyboards.is_open(5))
    assert isinstance(closing.reply_markup, ReplyKeyboardRemove)
    assert isinstance(question.reply_markup, InlineKeyboardMarkup)
    keyboards.update(5, [closing, question])
    assert not keyboards.is_open(5)

    plain_reply = tg.render_replies([{"text": "Dank je."}, *email], payloads, True)
    assert isinstance(plain_reply[0].reply_markup, ReplyKeyboardRemove)
    assert len(plain_reply) == 2  # no extra message needed

    again = tg.render_replies([{"text": "Dat nummer herken ik niet."}, {"text": "Telefoon?"},
                               {"custom": {"input": "phone"}}], payloads, True)
    assert not any(isinstance(m.reply_markup, ReplyKeyboardRemove) for m in again)
    assert isinstance(again[-1].reply_markup, ReplyKeyboardMarkup)


@pytest.mark.parametrize("payload", [SLOT, LONG, "/affirm", "Wat is burn-out?", "p:x"])
def test_a_pressed_button_becomes_the_payload_the_action_sent(payload: str) -> None:
    """The whole way: Rasa button, keyboard as the Bot API sends it, press, text for Rasa."""
    callbacks = buttons.CallbackPayloads()
    replies = [{"text": "Kies", "buttons": [{"title": "Deze", "payload": payload}]}]
    [message] = tg.render_replies(replies, callbacks)
    [[key]] = json.loads(json.dumps(message.reply_markup.to_dict()))["inline_keyboard"]
    incoming = read(updates.callback(42, key["callback_data"], message_id=8), callbacks)
    assert (incoming.text, incoming.reply) == (payload, None)


def test_a_button_without_payload_sends_its_title_and_a_link_button_sends_nothing() -> None:
    keyboard = buttons.inline_keyboard(
        [{"title": "Wat kost het?"}, {"title": "Website", "url": "https://example.nl"}],
        buttons.CallbackPayloads())
    [[titled, link]] = keyboard.inline_keyboard
    assert titled.callback_data == "Wat kost het?"
    assert link.callback_data is None and link.url == "https://example.nl"


def test_a_press_without_data_is_a_stale_button() -> None:
    assert buttons.CallbackPayloads().payload_for(None) is None
    incoming = read(updates.callback(42, "", message_id=8))
    assert incoming.text is None and incoming.reply == buttons.STALE_BUTTON_TEXT
    assert incoming.keyboard_message_id is None  # nothing was chosen: the keyboard stays


def test_markup_serialises_as_the_bot_api_expects() -> None:
    replies = [{"text": "Kies", "buttons": [{"title": "Eerste", "payload": LONG}]}]
    [message] = tg.render_replies(replies, buttons.CallbackPayloads())
    data = json.loads(json.dumps(message.reply_markup.to_dict()))
    [[button]] = data["inline_keyboard"]
    assert button["text"] == "Eerste" and len(button["callback_data"]) <= 64


# -- reading updates ------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "text", "reply"), [
    ("wat is burn-out?", "wat is burn-out?", None),
    ("/start", "/greet", None),
    ("/start bron_website", "/greet", None),
    ("/start@praktijk_veerkracht_bot", "/greet", None),
    ("/stop", "/delete_data", None),
    ("/help", None, tg.HELP_TEXT),
    ("/wat_is_burnout", "wat is burnout", None),  # never an intent payload
    ('/inform{"slot_choice":"x"}', 'inform{"slot_choice":"x"}', None),
    ("/", None, tg.HELP_TEXT),
])
def test_typed_text_and_commands(typed: str, text: str | None, reply: str | None) -> None:
    incoming = read(updates.text(1234, typed))
    assert (incoming.chat_id, incoming.sender_id) == (1234, "1234")
    assert (incoming.text, incoming.reply) == (text, reply)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='/ab_{}":@ \n', min_size=1, max_size=30))
def test_typed_text_never_reaches_the_assistant_as_an_intent_payload(typed: str) -> None:
    # Rasa reads "/intent{...}" as an intent with entities: only our buttons may send that.
    incoming = read(updates.text(1234, typed))
    if incoming.text is not None:
        assert not incoming.text.lstrip().startswith("/") or incoming.text in (
            "/greet", "/delete_data")


@pytest.mark.parametrize("update", [updates.sticker(9), updates.photo(9), updates.voice(9)])
def test_non_text_gets_a_dutch_reply_and_nothing_for_the_assistant(update: dict) -> None:
    incoming = read(update)
    assert incoming.text is None and incoming.reply == tg.ONLY_TEXT_TEXT


def test_own_contact_becomes_the_phone_number_someone_elses_does_not() -> None:
    assert read(updates.contact(77, "+31612345678")).text == "+31612345678"
    other = read(updates.contact(77, "+31687654321", owner_id=12345))
    assert other.text is None and other.reply == tg.OWN_NUMBER_TEXT


def test_edited_messages_and_groups_are_left_alone() -> None:
    assert read(updates.edited(5, "ik bedoelde iets anders")).chat_id is None
    assert read(updates.text(-100123, "hallo allemaal", kind="group")).chat_id is None
    command = read(updates.text(-100123, "/start", kind="supergroup"))
    assert command.text is None and command.reply == tg.PRIVATE_ONLY_TEXT


def test_button_press_becomes_the_payload_and_takes_the_keyboard_away() -> None:
    payloads = buttons.CallbackPayloads()
    incoming = read(updates.callback(42, payloads.data_for(LONG), message_id=314), payloads)
    assert incoming.text == LONG and incoming.reply is None
    assert incoming.keyboard_message_id == 314 and incoming.callback_query_id
    group = read(updates.callback(-42, "/affirm", message_id=3, kind="group"), payloads)
    assert group.callback_query_id and group.text is None and group.reply is None


def test_secret_header_comparison() -> None:
    assert tg.secret_matches("s3cr3t-Token_x", "s3cr3t-Token_x")
    assert not tg.secret_matches("s3cr3t-Token_y", "s3cr3t-Token_x")
    assert not tg.secret_matches(None, "s3cr3t-Token_x")
    assert not tg.secret_matches("", None) and not tg.secret_matches("", "")
    assert not tg.secret_matches("gehéim", "geheim")  # non-ASCII header: refused, no error
