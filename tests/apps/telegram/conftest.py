"""The Telegram side of the session's one server pair, against the fake Bot API.

The session ``servers`` run with ``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_SECRET_TOKEN`` and
practice settings whose ``api_base_url`` points at the fake (tests/conftest.py). The practice
name there carries ``&``, ``<`` and ``*_`` so every welcome tests the escaping.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import httpx
import pytest

from devtools.servers import RunningAssistant
from tests.apps.telegram import updates
from tests.apps.telegram.fake_bot_api import Call, FakeBotApi

ROOT_DOMAIN = Path(__file__).resolve().parents[3] / "domain.yml"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_chat_ids = count(880_000_001)


@dataclass
class Turn:
    """Everything our server asked the Bot API to do for one update."""

    calls: list[Call]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    @property
    def sent(self) -> list[Call]:
        return self.of("sendMessage")

    @property
    def text(self) -> str:
        """The visible text (unescaped), all messages joined."""
        return " ".join(html.unescape(c.params["text"]) for c in self.sent)

    @property
    def buttons(self) -> list[tuple[str, str, int]]:
        """(title, callback_data, message_id) of every inline button, in order."""
        found = []
        for call in self.sent:
            for row in call.markup.get("inline_keyboard", []):
                for key in row:
                    found.append((key["text"], key["callback_data"], call.result["message_id"]))
        return found


@dataclass
class Rig:
    fake: FakeBotApi
    assistant: RunningAssistant
    secret: str
    settings_file: Path
    env: dict[str, str]
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=180))

    @property
    def webhook_url(self) -> str:
        return f"{self.assistant.rasa_url}/webhooks/telegram/webhook"

    def post(self, update: dict | None = None, secret: str | None = "", *,
             body: bytes | None = None) -> httpx.Response:
        """POST to the webhook; ``secret=""`` means the right one, None means no header."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret or self.secret
        content = body if body is not None else httpx.Request("POST", "/", json=update).content
        return self.client.post(self.webhook_url, content=content, headers=headers)

    def chat(self) -> Chat:
        return Chat(self, next(_chat_ids))

    def user_events(self, chat_id: int) -> list[dict]:
        """The user messages Rasa's tracker holds for this chat (via the HTTP API)."""
        answer = self.client.get(
            f"{self.assistant.rasa_url}/conversations/{chat_id}/tracker",
            params={"token": self.assistant.auth_token},
        )
        answer.raise_for_status()
        return [e for e in answer.json().get("events", []) if e.get("event") == "user"]


@dataclass
class Chat:
    rig: Rig
    id: int
    last: Turn | None = None

    def send(self, update: dict) -> Turn:
        before = len(self.rig.fake.calls())
        answer = self.rig.post(update)
        assert answer.status_code == 200, answer.text
        # The webhook answers after its replies were sent: no waiting needed. Tests run one
        # at a time, so every call since ``before`` belongs to this update.
        self.last = Turn([c for c in self.rig.fake.calls()[before:] if c.method != "getUpdates"])
        return self.last

    def say(self, text: str) -> Turn:
        return self.send(updates.text(self.id, text))

    def click(self, title: str) -> Turn:
        """Press the button ``title`` of the last turn's keyboard."""
        assert self.last is not None
        match = [b for b in self.last.buttons if b[0] == title]
        assert match, f"no button {title!r} in {[b[0] for b in self.last.buttons]}"
        _, data, message_id = match[-1]
        return self.send(updates.callback(self.id, data, message_id))

    def click_data(self, data: str, message_id: int) -> Turn:
        return self.send(updates.callback(self.id, data, message_id))


@pytest.fixture(scope="package")
def telegram_rig(
    servers: RunningAssistant, practice: dict, telegram_api: FakeBotApi
) -> Iterator[Rig]:
    rig = Rig(telegram_api, servers, practice["env"]["TELEGRAM_SECRET_TOKEN"],
              Path(practice["settings_file"]), practice["env"])
    yield rig
    rig.client.close()
