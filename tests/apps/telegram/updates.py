"""Telegram-shaped update dicts, as the Bot API sends them (webhook body or getUpdates item)."""

from __future__ import annotations

import itertools
import time
from typing import Any

_ids = itertools.count(50_000)


def _user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "nl"}


def _chat(chat_id: int, kind: str = "private") -> dict:
    if kind == "private":
        return {"id": chat_id, "type": "private", "first_name": "Test"}
    return {"id": chat_id, "type": kind, "title": "Een groep"}


def message(chat_id: int, kind: str = "private", user_id: int | None = None,
            **content: Any) -> dict:
    """A ``message`` update; ``content`` is e.g. ``text="hoi"`` or ``sticker={...}``."""
    return {
        "update_id": next(_ids),
        "message": {"message_id": next(_ids), "date": int(time.time()),
                    "chat": _chat(chat_id, kind), "from": _user(user_id or abs(chat_id)),
                    **content},
    }


def text(chat_id: int, words: str, kind: str = "private") -> dict:
    update = message(chat_id, kind, text=words)
    if words.startswith("/"):
        length = len(words.split()[0])
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return update


def contact(chat_id: int, phone: str, owner_id: int | None = None) -> dict:
    """A shared contact; by default the person's own (``user_id`` equals the sender's id)."""
    card = {"phone_number": phone, "first_name": "Test", "user_id": owner_id or chat_id}
    return message(chat_id, contact=card)


def sticker(chat_id: int) -> dict:
    return message(chat_id, sticker={
        "file_id": "CAACAgIAAxkBAAEB", "file_unique_id": "AgADAQAD", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False})


def photo(chat_id: int) -> dict:
    return message(chat_id, photo=[{"file_id": "AgACAgQAAxkBAAEC", "file_unique_id": "AQADAgAD",
                                    "width": 90, "height": 90}])


def voice(chat_id: int) -> dict:
    return message(chat_id, voice={"file_id": "AwACAgQAAxkBAAED", "file_unique_id": "AgADAwAD",
                                   "duration": 3})


def edited(chat_id: int, words: str) -> dict:
    update = message(chat_id, text=words)
    update["edited_message"] = {**update.pop("message"), "edit_date": int(time.time())}
    return update


def callback(chat_id: int, data: str, message_id: int, kind: str = "private") -> dict:
    """A press on an inline button of our message ``message_id``."""
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)), "from": _user(abs(chat_id)), "chat_instance": "-1234",
            "data": data,
            "message": {"message_id": message_id, "date": int(time.time()),
                        "chat": _chat(chat_id, kind), "text": "…",
                        "from": {"id": 7000001, "is_bot": True, "first_name": "Bot"}},
        },
    }
