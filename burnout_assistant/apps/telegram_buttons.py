"""How a Telegram button becomes an intent: the whole way lives in this module.

1. An action sends Rasa buttons, ``{"title": "Ja", "payload": "/affirm"}``. The payload is
   what Rasa will read as the visitor's message: ``/affirm`` or
   ``/inform{"slot_choice":"2026-11-24T09:00:00+01:00"}`` is that intent with those entities
   (Rasa's RegexMessageHandler, no NLU involved).
2. :func:`inline_keyboard` turns the buttons into Telegram's inline keyboard. A button carries
   at most 64 bytes of ``callback_data``: a payload that fits travels as it is, so it keeps
   working after a restart; a longer one (or one that looks like a token) travels as a token,
   ``p:`` + 10 characters of its SHA-256, kept in a bounded in-memory map
   (:class:`CallbackPayloads`).
3. A press arrives as a ``callback_query``; :meth:`CallbackPayloads.payload_for` maps its data
   back to the payload, and the channel hands that payload to Rasa as the message text. A
   token this process does not know (sent by another Sanic worker or replica, or before a
   restart) is looked for among the conversation's recent buttons in the shared tracker store
   (:meth:`CallbackPayloads.learn`, called by the channel); only when it is not there either
   does the visitor get :data:`STALE_BUTTON_TEXT`, never a guess.

Typed text never takes this way: ``telegram.text_for_assistant`` drops the leading slash, so
only a button (or the ``/start`` and ``/stop`` commands) reaches Rasa as an intent.
Pure logic on python-telegram-bot's objects: no network and no Rasa.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from threading import Lock

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from burnout_assistant.bounded import LruDict

MAX_CALLBACK_BYTES = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # 64
TOKEN_PREFIX = "p:"
SHORT_TITLE = 18  # titles up to this length sit two to a row
STALE_BUTTON_TEXT = "Deze knop werkt niet meer; typ je antwoord of kies opnieuw."


class CallbackPayloads:
    """Button payload <-> callback data (at most 64 bytes).

    The same payload always gets the same token, and the map keeps the ``max_size`` most
    recently used ones.
    """

    def __init__(self, max_size: int = 20_000) -> None:
        self._tokens: LruDict[str, str] = LruDict(max_size)
        self._lock = Lock()

    def data_for(self, payload: str) -> str:
        """The callback data that carries ``payload``."""
        if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(TOKEN_PREFIX):
            return payload
        digest = hashlib.sha256(payload.encode()).digest()
        token = TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode()[:10]
        with self._lock:
            self._tokens[token] = payload
        return token

    def learn(self, payloads: Iterable[str]) -> None:
        """Know these payloads' tokens too (buttons another process sent)."""
        for payload in payloads:
            self.data_for(payload)

    def payload_for(self, data: str | None) -> str | None:
        """The payload behind pressed callback data; None for no data or an unknown token."""
        if not data:
            return None
        if data.startswith(TOKEN_PREFIX):
            with self._lock:
                return self._tokens.get(data)
        return data

    def __len__(self) -> int:
        return len(self._tokens)


def inline_keyboard(buttons: Iterable[dict], callbacks: CallbackPayloads) -> InlineKeyboardMarkup:
    """Rasa buttons as an inline keyboard: two to a row when all titles are short.

    A button without a payload sends its title; a ``url`` button opens the link instead.
    """
    keys = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "").strip() or "…"
        if button.get("url"):
            keys.append(InlineKeyboardButton(title, url=str(button["url"])))
        else:
            payload = str(button.get("payload") or title)
            keys.append(InlineKeyboardButton(title, callback_data=callbacks.data_for(payload)))
    per_row = 2 if all(len(key.text) <= SHORT_TITLE for key in keys) else 1
    return InlineKeyboardMarkup([keys[i:i + per_row] for i in range(0, len(keys), per_row)])
