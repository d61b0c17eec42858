"""The website widget's channel: Rasa's REST shape, with our limits, and the widget's files.

Why not Rasa's own ``rest`` channel: it trusts an ``input_channel`` sent by the client (so a
lead's channel could be spoofed), logs the message text on failures, and has no size or rate
limit. Why not socket.io: a conversation over socket.io needs sticky sessions across
replicas; plain request/response spreads over any number of them.

The widget's script and stylesheet are served from here too, so a practice embeds the
assistant with one script tag that points at the assistant's own server.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from burnout_assistant.apps.limits import FAILED_TEXT, RATE_LIMITED_TEXT
from channels.common import answered, refusal

log = logging.getLogger(__name__)

WIDGET_DIR = Path(__file__).resolve().parents[1] / "widget"
WIDGET_FILES = {
    "chat-widget.js": "application/javascript; charset=utf-8",
    "chat-widget.css": "text/css; charset=utf-8",
}
MAX_BODY_BYTES = 64 * 1024  # far above any allowed message; parsed bodies stay small
_SENDER = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
BAD_REQUEST_TEXT = "Dat bericht kwam niet goed aan. Probeer het nog eens."


def _reply(sender: str, text: str, status: int) -> HTTPResponse:
    return response.json([{"recipient_id": sender, "text": text}], status=status)


class WebInput(InputChannel):
    """``POST /webhooks/web/webhook`` with ``{"sender": ..., "message": ...}``."""

    @classmethod
    def name(cls) -> str:
        return "web"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        web = Blueprint("web_widget", __name__)

        @web.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @web.route("/<filename>", methods=["GET"])
        async def widget_file(_: Request, filename: str) -> HTTPResponse:
            if filename not in WIDGET_FILES:
                return response.text("niet gevonden", status=404)
            return await response.file(
                WIDGET_DIR / filename, mime_type=WIDGET_FILES[filename],
                headers={"Cache-Control": "public, max-age=300"},
            )

        @web.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return _reply("", BAD_REQUEST_TEXT, 413)
            try:
                body = request.json
            except Exception:  # Sanic raises its own InvalidUsage for malformed JSON
                body = None
            if not isinstance(body, dict):
                return _reply("", BAD_REQUEST_TEXT, 400)
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not _SENDER.match(sender):
                return _reply("", BAD_REQUEST_TEXT, 400)
            if not isinstance(text, str):
                return _reply(sender, BAD_REQUEST_TEXT, 400)
            refused = refusal(f"web:{sender}", text)
            if refused is not None:
                status = 429 if refused == RATE_LIMITED_TEXT else 413
                return _reply(sender, refused, status)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name())
                )
            except Exception as exc:  # never a stack trace to the visitor, never the text
                log.error("web message failed: %s", type(exc).__name__)
                return _reply(sender, FAILED_TEXT, 500)
            replies = answered(collector.messages)
            for reply in replies:
                reply.setdefault("recipient_id", sender)
            return response.json(replies)

        return web
