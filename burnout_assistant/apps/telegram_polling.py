"""Telegram without a public URL: fetch updates by long polling, hand them to the local webhook.

A practice without a public HTTPS address runs::

    python -m burnout_assistant.apps.telegram_polling --rasa-url http://127.0.0.1:5005

It deletes any webhook first (Telegram serves updates one way at a time), asks Telegram for
updates, and posts each one to ``{rasa_url}/webhooks/telegram/webhook`` with the secret
header, so webhook and polling share one code path: the Rasa channel. The Rasa server must
have the same ``TELEGRAM_SECRET_TOKEN`` (``./scripts/run`` sets one per run).

Updates are forwarded one at a time, in order, and confirmed to Telegram (the next offset)
only after the webhook took them, so nothing is lost when the Rasa server is briefly down; it
is retried with backoff. SIGINT or SIGTERM stops it cleanly and confirms what was handed on.
No message text is logged.

With a public address, register the webhook once instead::

    python -m burnout_assistant.apps.telegram_polling --set-webhook https://example.nl/webhooks/telegram/webhook
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from burnout_assistant.apps.telegram import SECRET_HEADER
from burnout_assistant.settings import current_settings

log = logging.getLogger("burnout_assistant.apps.telegram_polling")

ALLOWED_UPDATES = ["message", "callback_query"]
WEBHOOK_PATH = "/webhooks/telegram/webhook"
MAX_BACKOFF = 30.0
T = TypeVar("T")


class SecretRejected(RuntimeError):
    """The Rasa server refused our secret: the two processes were started with different ones."""


@dataclass(frozen=True)
class PollingConfig:
    token: str
    secret: str
    api_base_url: str
    rasa_url: str
    poll_seconds: int = 30
    forward_timeout: float = 120.0  # one message through Rasa, the actions and the replies

    @property
    def webhook_url(self) -> str:
        return self.rasa_url.rstrip("/") + WEBHOOK_PATH


async def _until_stopped(call: Awaitable[T], stop: asyncio.Event) -> tuple[bool, T | None]:
    """Run ``call`` unless ``stop`` is set first; (finished, result)."""
    task = asyncio.ensure_future(call)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return True, task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return False, None


async def _pause(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def forward(
    client: httpx.AsyncClient, config: PollingConfig, update: Update, stop: asyncio.Event
) -> bool:
    """Hand one update to the webhook; True once it is taken (or refused as malformed).

    Retries while the Rasa server is down or answers 5xx; False if stopped meanwhile.
    """
    body = update.to_dict()
    backoff = 1.0
    while True:
        try:
            answer = await client.post(
                config.webhook_url, json=body, headers={SECRET_HEADER: config.secret}
            )
        except httpx.HTTPError as exc:
            log.warning("webhook not reachable (%s); retrying", type(exc).__name__)
        else:
            if answer.status_code == 403:
                raise SecretRejected("the Rasa server rejected TELEGRAM_SECRET_TOKEN")
            if answer.status_code < 500:
                if answer.status_code >= 400:
                    log.warning("webhook refused update %s: HTTP %s",
                                update.update_id, answer.status_code)
                return True
            log.warning("webhook answered HTTP %s; retrying", answer.status_code)
        if stop.is_set():
            return False
        await _pause(backoff, stop)
        backoff = min(backoff * 2, MAX_BACKOFF)


async def run_polling(config: PollingConfig, stop: asyncio.Event) -> None:
    """Poll until ``stop`` is set; confirm forwarded updates before returning."""
    bot = Bot(config.token, base_url=config.api_base_url)
    async with bot, httpx.AsyncClient(timeout=config.forward_timeout) as client:
        await bot.delete_webhook()
        log.info("polling Telegram; forwarding updates to %s", config.webhook_url)
        offset: int | None = None
        backoff = 1.0
        while not stop.is_set():
            try:
                finished, updates = await _until_stopped(
                    bot.get_updates(offset=offset, timeout=config.poll_seconds,
                                    allowed_updates=ALLOWED_UPDATES),
                    stop,
                )
            except NetworkError as exc:  # includes timeouts: Telegram or the network hiccups
                log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
                await _pause(backoff, stop)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            if not finished:
                break
            backoff = 1.0
            for update in updates or ():
                if not await forward(client, config, update, stop):
                    break
                offset = update.update_id + 1
            if updates:
                log.debug("forwarded up to update %s", offset)
        if offset is not None:  # tell Telegram what we handed on, so it is not sent again
            with contextlib.suppress(TelegramError):
                await bot.get_updates(offset=offset, timeout=0, allowed_updates=ALLOWED_UPDATES)
    log.info("polling stopped")


async def set_webhook(token: str, secret: str, api_base_url: str, url: str) -> bool:
    async with Bot(token, base_url=api_base_url) as bot:
        return await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)


async def _main_polling(config: PollingConfig) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await run_polling(config, stop)
    except SecretRejected as exc:
        log.error("%s: start both with the same secret", exc)
        return 3
    except InvalidToken:
        log.error("Telegram rejected the bot token (TELEGRAM_BOT_TOKEN)")
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--rasa-url", help="poll Telegram and forward to this Rasa server")
    mode.add_argument("--set-webhook", metavar="URL", help="register this public webhook URL")
    parser.add_argument("--poll-seconds", type=int, default=30, help="long-poll timeout")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry the bot token

    settings = current_settings().channels.telegram
    token, secret = settings.bot_token, settings.secret_token
    if not token:
        log.error("%s is not set: no Telegram", settings.bot_token_env)
        return 2
    if not secret:
        log.error("%s is not set: the webhook accepts nothing without it",
                  settings.secret_token_env)
        return 2
    if args.set_webhook:
        done = asyncio.run(set_webhook(token, secret, settings.api_base_url, args.set_webhook))
        log.info("webhook %s", "registered" if done else "NOT registered")
        return 0 if done else 1
    config = PollingConfig(token, secret, settings.api_base_url, args.rasa_url,
                           poll_seconds=args.poll_seconds)
    return asyncio.run(_main_polling(config))


if __name__ == "__main__":
    sys.exit(main())
