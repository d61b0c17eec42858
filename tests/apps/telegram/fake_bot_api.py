"""A stand-in for Telegram's Bot API on 127.0.0.1 (the real one cannot be reached from tests).

Serves ``/bot<token>/<method>`` for the methods the assistant uses, answers in Telegram's shape
(``{"ok": true, "result": ...}``) and records every call with its parameters. Runs aiohttp in a
background thread with its own event loop; use it as a context manager.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 7000001, "is_bot": True, "first_name": "Praktijk Veerkracht",
            "username": "praktijk_veerkracht_bot", "can_join_groups": False,
            "can_read_all_group_messages": False, "supports_inline_queries": False}
_JSON_PARAMS = {"reply_markup", "allowed_updates", "entities", "link_preview_options"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    result: Any = None  # what the fake answered (e.g. the sent Message)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value not in (None, "") else None

    @property
    def markup(self) -> dict:
        return self.params.get("reply_markup") or {}


class FakeBotApi:
    def __init__(self, token: str, long_poll_cap: float = 1.0) -> None:
        self.token = token
        self.long_poll_cap = long_poll_cap
        self.forbidden_chats: set[int] = set()  # sendMessage answers 403 "bot was blocked"
        self._calls: list[Call] = []
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- test side ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        """What ``telegram.Bot(base_url=...)`` expects: the token is appended to it."""
        return f"{self.url}/bot"

    def calls(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        with self._changed:
            found = list(self._calls)
        return [c for c in found if (method is None or c.method == method)
                and (chat_id is None or c.chat_id == chat_id)]

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def queue_update(self, update: dict) -> int:
        """Serve ``update`` from getUpdates, under a new update_id as Telegram would."""
        update = {**update, "update_id": self.next_update_id()}
        with self._changed:
            self._updates.append(update)
        assert self._loop is not None and self._new_update is not None
        self._loop.call_soon_threadsafe(self._new_update.set)
        return update["update_id"]

    def pending_updates(self) -> list[dict]:
        """Queued updates not yet confirmed by a getUpdates with a higher offset."""
        with self._changed:
            return list(self._updates)

    def clear_updates(self) -> None:
        with self._changed:
            self._updates.clear()

    def wait_for(self, condition: Callable[[], Any], timeout: float = 60) -> Any:
        """Block until ``condition()`` is truthy (re-checked after every API call)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = condition()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the fake Bot API never saw the expected calls")
                self._changed.wait(min(left, 0.5))

    # -- server side -------------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _message(self, chat_id: int, text: str = "", markup: dict | None = None) -> dict:
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER, "text": text}
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update({k: v for k, v in (await request.post()).items()
                           if isinstance(v, str)})
        for key in _JSON_PARAMS & params.keys():
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        if method == "getUpdates":
            self._record(Call(method, params))
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        handler = getattr(self, f"_m_{method}", None)
        status, result = (404, "Not Found") if handler is None else handler(params)
        self._record(Call(method, params, result=result))
        if status != 200:
            return web.json_response(
                {"ok": False, "error_code": status, "description": result}, status=status)
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict]:
        assert self._new_update is not None
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), self.long_poll_cap)
        deadline = time.monotonic() + wait
        while True:
            with self._changed:
                if offset:  # confirmed: Telegram forgets them
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
            left = deadline - time.monotonic()
            if ready or left <= 0:
                return ready
            self._new_update.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout=left)

    def _m_getMe(self, _: dict) -> tuple[int, Any]:
        return 200, BOT_USER

    def _m_sendMessage(self, params: dict) -> tuple[int, Any]:
        chat_id = int(params["chat_id"])
        if chat_id in self.forbidden_chats:
            return 403, "Forbidden: bot was blocked by the user"
        if not params.get("text"):
            return 400, "Bad Request: message text is empty"
        if len(params["text"]) > 4096:
            return 400, "Bad Request: message is too long"
        return 200, self._message(chat_id, params["text"], params.get("reply_markup"))

    def _m_answerCallbackQuery(self, _: dict) -> tuple[int, Any]:
        return 200, True

    def _m_editMessageReplyMarkup(self, params: dict) -> tuple[int, Any]:
        message = self._message(int(params["chat_id"]), "")
        message["message_id"] = int(params["message_id"])
        return 200, message

    def _m_sendChatAction(self, _: dict) -> tuple[int, Any]:
        return 200, True

    def _m_deleteWebhook(self, _: dict) -> tuple[int, Any]:
        return 200, True

    def _m_setWebhook(self, _: dict) -> tuple[int, Any]:
        return 200, True

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> FakeBotApi:
        started = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start())
            except BaseException as exc:
                failure.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not started.wait(30) or failure:
            raise RuntimeError(f"fake Bot API did not start: {failure}")
        return self

    async def _start(self) -> None:
        self._new_update = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    def __exit__(self, *_: object) -> None:
        assert self._loop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
