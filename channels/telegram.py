"""Telegram's webhook for Rasa, built on python-telegram-bot (``POST /webhooks/telegram/webhook``).

Why not Rasa's own telegram channel: it uses aiogram 2, calls getMe on every update and never
checks Telegram's secret-token header. This one checks the header in constant time, creates
and initializes one ``telegram.Bot`` per process (getMe once), and leaves every rule about
texts, keyboards and commands to ``burnout_assistant.apps.telegram``; how a pressed button
becomes an intent is ``burnout_assistant.apps.telegram_buttons``.

Enabled in credentials.yml without keys; the token and secret come from the environment
variables named in practice.yml (``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_SECRET_TOKEN``). Without a
token the webhook answers 503; without a secret every call is refused (403).
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from burnout_assistant.apps.limits import FAILED_TEXT
from burnout_assistant.apps.telegram import (
    SECRET_HEADER,
    Incoming,
    OpenReplyKeyboards,
    Outgoing,
    plain,
    read_update,
    render_replies,
    secret_matches,
)
from burnout_assistant.apps.telegram_buttons import STALE_BUTTON_TEXT, CallbackPayloads
from burnout_assistant.settings import current_settings
from channels.common import answered, refusal

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # updates are a few kB; anything bigger is not from Telegram
MAX_RETRY_AFTER = 5.0  # seconds we wait once when Telegram says "slow down"
RECENT_EVENTS = 60  # where a pressed button's message is looked for (a few turns back)


class TelegramInput(InputChannel):
    """Telegram updates in, the assistant's replies out through the Bot API."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        return cls()  # nothing in credentials.yml: secrets come from the environment

    def __init__(self) -> None:
        self._bot: Bot | None = None
        self._ready: asyncio.Lock | None = None
        self._callbacks = CallbackPayloads()  # button payloads <-> callback data, per process
        self._keyboards = OpenReplyKeyboards()
        self._said_off = False

    def _bot_for(self, token: str, base_url: str) -> Bot:
        if self._bot is None:
            self._bot = Bot(token, base_url=base_url)
        return self._bot

    async def _initialized(self, bot: Bot) -> None:
        """``initialize`` calls getMe: once per process, not per update."""
        if self._ready is None:
            self._ready = asyncio.Lock()
        async with self._ready:
            try:
                await bot.initialize()
            except TelegramError:
                await bot.shutdown()  # PTB marks itself initialized even when getMe failed
                raise

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        telegram = Blueprint("telegram_webhook", __name__)

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            configured = current_settings().channels.telegram.bot_token is not None
            return response.json({"status": "ok" if configured else "off"})

        @telegram.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            settings = current_settings().channels.telegram
            token = settings.bot_token
            if not token:
                if not self._said_off:
                    log.warning("Telegram is off: %s is not set", settings.bot_token_env)
                    self._said_off = True
                return response.text("Telegram staat uit.", status=503)
            if not secret_matches(request.headers.get(SECRET_HEADER), settings.secret_token):
                return response.text("Niet toegestaan.", status=403)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.text("Te groot.", status=413)
            bot = self._bot_for(token, settings.api_base_url)
            try:
                data = json.loads(request.body or b"")
                if not isinstance(data, dict):
                    raise ValueError("not an object")
                update = Update.de_json(data, bot)
                incoming = read_update(update, self._callbacks)
            except Exception as exc:  # malformed update: a short answer, no stack trace
                log.warning("telegram update rejected: %s", type(exc).__name__)
                return response.text("Ongeldige update.", status=400)
            if incoming.reply == STALE_BUTTON_TEXT and incoming.chat_id is not None:
                agent = getattr(request.app.ctx, "agent", None)
                if await self.learn_recent_buttons(agent, incoming.sender_id):
                    incoming = read_update(update, self._callbacks)
            if incoming.chat_id is None:
                return response.text("ok")
            try:
                await self._initialized(bot)
            except TelegramError as exc:  # Telegram will deliver the update again later
                log.error("telegram bot could not start: %s", type(exc).__name__)
                return response.text("Telegram is niet bereikbaar.", status=503)
            await self._handle(bot, incoming, on_new_message)
            return response.text("ok")

        return telegram

    async def learn_recent_buttons(self, agent: Any, sender_id: str) -> bool:
        """Learn the tokens of the buttons recently sent in this conversation.

        A pressed token may have been handed out by another Sanic worker or replica, or
        before a restart; the tracker store is shared by all of them, so the conversation's
        own recent bot messages say what the token stood for. False when nothing was found.
        """
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return False
        try:
            tracker = await store.retrieve(sender_id)
        except Exception as exc:  # the store is down: the stale-button reply stays
            log.warning("telegram buttons not looked up: %s", type(exc).__name__)
            return False
        if tracker is None:
            return False
        payloads = [button["payload"]
                    for event in list(tracker.events)[-RECENT_EVENTS:]
                    if isinstance(event, BotUttered)
                    for button in (event.data or {}).get("buttons") or []
                    if isinstance(button, dict) and isinstance(button.get("payload"), str)]
        self._callbacks.learn(payloads)
        return bool(payloads)

    async def _handle(
        self,
        bot: Bot,
        incoming: Incoming,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        chat_id = incoming.chat_id
        assert chat_id is not None
        if incoming.callback_query_id:
            await _quietly(bot.answer_callback_query(incoming.callback_query_id))
        if incoming.keyboard_message_id:  # a keyboard can be used once
            await _quietly(bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=incoming.keyboard_message_id, reply_markup=None))
        if incoming.reply is not None:
            refused = refusal(f"telegram:{chat_id}", "")  # our own replies count too
            await _send_all(bot, chat_id, [plain(refused or incoming.reply)])
            return
        if incoming.text is None:
            return
        refused = refusal(f"telegram:{chat_id}", incoming.text)
        if refused is not None:
            await _send_all(bot, chat_id, [plain(refused)])
            return
        collector = CollectingOutputChannel()
        message = UserMessage(
            incoming.text, collector, incoming.sender_id, input_channel=self.name()
        )
        try:
            await asyncio.gather(
                _quietly(bot.send_chat_action(chat_id, ChatAction.TYPING)),
                on_new_message(message),
            )
        except Exception as exc:  # never the text, never a stack trace to the visitor
            log.error("telegram message failed: %s", type(exc).__name__)
            await _send_all(bot, chat_id, [plain(FAILED_TEXT)])
            return
        outgoing = render_replies(
            answered(collector.messages), self._callbacks, self._keyboards.is_open(chat_id)
        )
        if await _send_all(bot, chat_id, outgoing):
            self._keyboards.update(chat_id, outgoing)


async def _quietly(call: Awaitable[Any]) -> None:
    """Side calls (button answers, typing, keyboard removal) must never stop a reply."""
    try:
        await call
    except TelegramError as exc:
        log.info("telegram side call failed: %s", type(exc).__name__)


async def _send_all(bot: Bot, chat_id: int, messages: Sequence[Outgoing]) -> bool:
    """Send in order; True when all arrived. A blocked bot or a dead chat stops the rest."""
    for message in messages:
        try:
            await _send(bot, chat_id, message)
        except Forbidden:
            log.info("telegram chat refuses messages (bot blocked or chat gone)")
            return False
        except TelegramError as exc:
            log.error("telegram send failed: %s", type(exc).__name__)
            return False
    return True


async def _send(bot: Bot, chat_id: int, message: Outgoing) -> None:
    kwargs = {"chat_id": chat_id, "reply_markup": message.reply_markup}
    try:
        await bot.send_message(text=message.text, parse_mode=message.parse_mode, **kwargs)
    except RetryAfter as exc:
        wait = exc.retry_after
        seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
        await asyncio.sleep(min(seconds, MAX_RETRY_AFTER))
        await bot.send_message(text=message.text, parse_mode=message.parse_mode, **kwargs)
    except BadRequest as exc:
        if "parse" not in str(exc).lower():
            raise
        # Should never happen (the text is escaped), but a reply beats a formatting error.
        await bot.send_message(text=html.unescape(message.text), **kwargs)
