"""Telegram for the assistant: what an update means, and how the assistant's replies look there.

Pure logic on python-telegram-bot's objects, no network and no Rasa: the Rasa channel
(``channels/telegram.py``) and the polling runner only move data, so every rule lives here
and is tested directly.

- Replies are sent with parse mode HTML and the assistant's text is escaped, so a ``<``, ``&``
  or ``*`` in an answer (or in the practice name) can never break a message.
- A reply longer than Telegram's 4096 characters is split at a paragraph, sentence or word,
  measured after escaping and in UTF-16 units as Telegram counts; its keyboard goes on the
  last part.
- Buttons become an inline keyboard, and a pressed button the intent payload it carries:
  all of that in ``telegram_buttons`` (64 bytes of callback data, tokens for longer payloads,
  what a stale button says).
- The phone question gets Telegram's share-contact keyboard; the keyboard is removed again
  with the next message the assistant sends (state per chat, in memory, bounded).
- Typed commands never reach the assistant as intent payloads: ``/start`` and ``/help`` are
  the welcome and a short help, ``/stop`` asks to erase the visitor's data, and any other
  command is read as the plain words after the slash.
"""

from __future__ import annotations

import hmac
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType, MessageLimit, ParseMode

from burnout_assistant.apps.telegram_buttons import (
    STALE_BUTTON_TEXT,
    CallbackPayloads,
    inline_keyboard,
)
from burnout_assistant.bounded import LruDict

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# Commands a visitor can type; everything else after a slash is read as words.
COMMAND_PAYLOADS = {"start": "/greet", "stop": "/delete_data"}
HELP_TEXT = (
    "Ik ben de digitale assistent van de praktijk. Typ gewoon je vraag, of kies een knop. "
    "Zo begin je opnieuw: /start. Wil je dat we je gegevens verwijderen? Typ /stop."
)
ONLY_TEXT_TEXT = (
    "Ik kan alleen tekst lezen, geen foto's, stickers of spraakberichten. Typ je vraag of "
    "antwoord gerust in een gewoon bericht."
)
OWN_NUMBER_TEXT = (
    "Deel alsjeblieft je eigen telefoonnummer met de knop, of typ het nummer waarop we je "
    "kunnen bellen."
)
PRIVATE_ONLY_TEXT = (
    "Ik werk alleen in een persoonlijk gesprek, niet in een groep. Stuur me gerust een "
    "privébericht."
)
SHARE_PHONE_TITLE = "Deel mijn telefoonnummer"
SHARE_PHONE_EXTRA_TEXT = "Je kunt ook je nummer delen met de knop hieronder."
BUTTONS_ONLY_TEXT = "Kies hieronder wat je wilt."
# Said before a reply that carries an inline keyboard, when the share-contact keyboard must go:
# one message cannot carry both kinds of keyboard.
KEYBOARD_CLOSED_TEXT = "Oké."


@dataclass(frozen=True)
class Outgoing:
    """One ``sendMessage`` call: HTML text (already escaped) and an optional keyboard."""

    text: str
    reply_markup: ReplyMarkup | None = None
    parse_mode: str = ParseMode.HTML


@dataclass(frozen=True)
class Incoming:
    """What one update asks of us.

    ``chat_id`` None: nothing at all to do. Otherwise answer the button press
    (``callback_query_id``), take the inline keyboard off the pressed message
    (``keyboard_message_id``), and then either pass ``text`` to the assistant or answer
    ``reply`` ourselves.
    """

    chat_id: int | None = None
    text: str | None = None
    reply: str | None = None
    callback_query_id: str | None = None
    keyboard_message_id: int | None = None

    @property
    def sender_id(self) -> str:
        return str(self.chat_id)


class OpenReplyKeyboards:
    """Chats that currently show the share-contact keyboard (bounded, in memory)."""

    def __init__(self, max_size: int = 20_000) -> None:
        self._open: LruDict[int, bool] = LruDict(max_size)
        self._lock = Lock()

    def is_open(self, chat_id: int) -> bool:
        with self._lock:
            return self._open.get(chat_id, False)

    def update(self, chat_id: int, messages: Sequence[Outgoing]) -> None:
        """Remember what the last reply keyboard in ``messages`` did to this chat."""
        for message in reversed(messages):
            if isinstance(message.reply_markup, ReplyKeyboardMarkup):
                with self._lock:
                    self._open[chat_id] = True
                return
            if isinstance(message.reply_markup, ReplyKeyboardRemove):
                with self._lock:
                    self._open.pop(chat_id, None)
                return


def escape(text: str) -> str:
    """Assistant text as Telegram HTML: only ``<``, ``>`` and ``&`` are special there."""
    return html.escape(text, quote=False)


def _units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), after escaping."""
    return len(escape(text).encode("utf-16-le")) // 2


_BOUNDARIES = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?…]+[)\"'”’]*\s+"),
               re.compile(r"[;:,]\s+"), re.compile(r"\s+"))


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Raw text cut into parts whose escaped form fits ``limit``.

    Cut at the last paragraph break that keeps at least half a part, else a line break, a
    sentence end, a comma, a space; only a single enormous word is cut mid-word. Escaping
    happens per part afterwards, so an entity such as ``&amp;`` is never cut in two.
    """
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if _units(rest) <= limit:
            parts.append(rest)
            break
        fit, used = 0, 0
        for char in rest:
            used += _units(char)
            if used > limit:
                break
            fit += 1
        fit = max(fit, 1)
        window = rest[:fit]
        cut = fit
        for boundary in _BOUNDARIES:
            ends = [m.end() for m in boundary.finditer(window) if m.end() >= fit // 2]
            if ends:
                cut = ends[-1]
                break
        part = rest[:cut].strip()
        if part:
            parts.append(part)
        rest = rest[cut:].strip()
    return parts


def phone_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(SHARE_PHONE_TITLE, request_contact=True)]],
        one_time_keyboard=True,
        resize_keyboard=True,
    )


def plain(text: str) -> Outgoing:
    """A reply of our own (no keyboard), escaped like everything else."""
    return Outgoing(escape(text))


def render_replies(
    replies: Sequence[dict],
    callbacks: CallbackPayloads,
    reply_keyboard_open: bool = False,
) -> list[Outgoing]:
    """The assistant's replies for one message, as ``sendMessage`` calls in order.

    ``{"custom": {"input": "phone"}}`` puts the share-contact keyboard on the text before it.
    With ``reply_keyboard_open`` (the previous turn showed it) and no new phone question, the
    first message without an inline keyboard removes it; if every message has one, a short
    "Oké." goes first to carry the removal.
    """
    out: list[Outgoing] = []
    for reply in replies:
        text = str(reply.get("text") or "")
        buttons = reply.get("buttons") or []
        if text or buttons:
            parts = split_text(text) or [BUTTONS_ONLY_TEXT]
            markup = inline_keyboard(buttons, callbacks) if buttons else None
            out.extend(Outgoing(escape(part)) for part in parts[:-1])
            out.append(Outgoing(escape(parts[-1]), markup))
        custom = reply.get("custom")
        if isinstance(custom, dict) and custom.get("input") == "phone":
            if out and out[-1].reply_markup is None:
                out[-1] = Outgoing(out[-1].text, phone_keyboard())
            else:
                out.append(Outgoing(escape(SHARE_PHONE_EXTRA_TEXT), phone_keyboard()))
    asks_phone = any(isinstance(m.reply_markup, ReplyKeyboardMarkup) for m in out)
    if reply_keyboard_open and out and not asks_phone:
        free = next((i for i, m in enumerate(out) if m.reply_markup is None), None)
        if free is None:
            out.insert(0, Outgoing(escape(KEYBOARD_CLOSED_TEXT), ReplyKeyboardRemove()))
        else:
            out[free] = Outgoing(out[free].text, ReplyKeyboardRemove())
    return out


def _command(text: str) -> tuple[str, str] | None:
    """``("start", "rest")`` for ``/start@praktijk_bot rest``; None when not a command."""
    match = re.match(r"^/([A-Za-z0-9_]{1,64})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", text, re.S)
    if not match:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()


_LEADING_SLASHES = re.compile(r"^[\s/]+")


def text_for_assistant(text: str) -> tuple[str | None, str | None]:
    """(text for the assistant, or a reply of our own) for a typed private message.

    Rasa reads any text that starts with "/" as an intent payload; typed text must never do
    that (only our buttons may), so the slash of anything but our commands is dropped.
    """
    typed = text.strip()
    if not typed.startswith("/"):
        return text, None
    command = _command(typed)
    if command is None:
        words = _LEADING_SLASHES.sub("", typed)  # "/ /x" must not become "/x"
    else:
        name, rest = command
        if name in COMMAND_PAYLOADS:
            return COMMAND_PAYLOADS[name], None
        words = " ".join(part for part in (name.replace("_", " ").strip(), rest) if part)
        words = _LEADING_SLASHES.sub("", words)
    if not words or (command is not None and command[0] == "help"):
        return None, HELP_TEXT
    return words, None


def read_update(update: Update, callbacks: CallbackPayloads) -> Incoming:
    """What to do with one update from Telegram (webhook or polling alike)."""
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is None:
            return Incoming(chat_id=None)  # nowhere to answer; Telegram stops the spinner itself
        if chat.type != ChatType.PRIVATE:
            return Incoming(chat_id=chat.id, callback_query_id=query.id)
        payload = callbacks.payload_for(query.data)  # the intent payload of the button
        return Incoming(
            chat_id=chat.id,
            text=payload,
            reply=None if payload else STALE_BUTTON_TEXT,
            callback_query_id=query.id,
            keyboard_message_id=query.message.message_id if payload else None,
        )

    message = update.message  # edited messages, channel posts and the rest are left alone
    if message is None or message.chat is None:
        return Incoming()
    sender = message.from_user
    if sender is not None and sender.is_bot:
        return Incoming()
    if message.chat.type != ChatType.PRIVATE:
        if message.text and message.text.startswith("/"):
            return Incoming(chat_id=message.chat.id, reply=PRIVATE_ONLY_TEXT)
        return Incoming()
    if message.text:
        text, reply = text_for_assistant(message.text)
        return Incoming(chat_id=message.chat.id, text=text, reply=reply)
    if message.contact is not None:
        own = sender is not None and message.contact.user_id == sender.id
        if own and message.contact.phone_number:
            return Incoming(chat_id=message.chat.id, text=message.contact.phone_number)
        return Incoming(chat_id=message.chat.id, reply=OWN_NUMBER_TEXT)
    if _is_service_message(message):
        return Incoming()
    return Incoming(chat_id=message.chat.id, reply=ONLY_TEXT_TEXT)


def _is_service_message(message: Any) -> bool:
    """Joins, pins and the like: nothing a person said, so nothing to answer."""
    return any(
        getattr(message, field, None)
        for field in ("new_chat_members", "left_chat_member", "pinned_message",
                      "group_chat_created", "new_chat_title", "new_chat_photo",
                      "delete_chat_photo", "migrate_from_chat_id", "migrate_to_chat_id")
    )


def secret_matches(received: str | None, configured: str | None) -> bool:
    """Telegram's secret-token header, compared in constant time; no secret set: nothing passes."""
    if not configured or received is None:
        return False
    return hmac.compare_digest(received.encode(), configured.encode())
