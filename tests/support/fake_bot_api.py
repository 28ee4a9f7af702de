"""A local fake of the Telegram Bot API, spoken over real HTTP by aiogram and by our sender.

It plays the role aiogram's own `MockedSession` plays in its tests, moved onto the wire: the
bot reaches it through `TELEGRAM_API_SERVER` (aiogram's `TelegramAPIServer.from_base`), every
call is recorded, and it can enforce Telegram's limits (about 30 messages/s overall, 1/s per
chat, 20/min per group → 429 with `parameters.retry_after`), answer 403 for chats that blocked
the bot, fail with 5xx on demand, and queue updates for `getUpdates` long polling.

Usage:
    fake = FakeBotApi()                       # or FakeBotApi(limits=TelegramLimits())
    async with run_fake(fake.app) as base_url:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
        ...
        fake.sent_texts(chat_id)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["BOT_ID", "BOT_USERNAME", "Call", "FakeBotApi", "TelegramLimits"]

BOT_ID = 7_000_000_001
BOT_USERNAME = "infrazen_test_bot"
SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup",
                     "copyMessage", "forwardMessage"})


@dataclass
class TelegramLimits:
    """Telegram's published broadcast limits; the windows are sliding."""

    global_per_second: int = 30
    chat_per_second: int = 1
    group_per_minute: int = 20


@dataclass
class Call:
    """One request the bot made: method, decoded parameters, attached files, when."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = 0.0
    status: int = 200

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        markup = self.params.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, flattened in reading order."""
        markup = self.reply_markup or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeBotApi:
    """The fake server's state and its aiohttp application."""

    def __init__(self, token: str | None = None, *, limits: TelegramLimits | None = None,
                 clock: Any = time.monotonic) -> None:
        self.token = token
        self.limits = limits
        self.clock = clock
        self.calls: list[Call] = []
        self.blocked_chats: set[int] = set()
        self.throttled: int = 0
        self._failures: dict[str, deque[int]] = defaultdict(deque)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._new_updates = asyncio.Event()
        self._message_ids = itertools.count(1000)
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = defaultdict(deque)
        self.app = web.Application(client_max_size=50 * 1024 * 1024)
        self.app.router.add_post("/bot{token}/{method}", self._handle)
        self.app.router.add_get("/bot{token}/{method}", self._handle)

    # -- scenario controls -------------------------------------------------------------
    def fail_next(self, method: str, status: int = 500, times: int = 1) -> None:
        """Make the next `times` calls of `method` answer `status` (5xx, 429, 400 …)."""
        self._failures[method].extend([status] * times)

    def queue_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._new_updates.set()
        return int(update["update_id"])

    # -- inspection ------------------------------------------------------------------------
    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Messages that were accepted (status 200), optionally to one chat."""
        return [c for c in self.calls if c.method in SENDING and c.status == 200
                and (chat_id is None or c.chat_id == chat_id)]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [c.text for c in self.sent(chat_id)]

    # -- protocol --------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, bytes] = {}
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                else:
                    params[key] = value
        decoded = {k: _decode(v) for k, v in params.items()}
        for key, value in list(decoded.items()):  # aiogram sends files as "attach://<field>"
            if isinstance(value, str) and value.startswith("attach://"):
                files[key] = files.pop(value.removeprefix("attach://"), b"")
        return decoded, files

    def _error(self, status: int, description: str,
               parameters: dict[str, Any] | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    def _limit(self, chat_id: int) -> float | None:
        """Seconds to wait when sending to `chat_id` now would break a limit, else None."""
        assert self.limits is not None
        now = self.clock()
        waits: list[float] = []
        for window, cap, queue in (
                (1.0, self.limits.global_per_second, self._global),
                (60.0 if chat_id < 0 else 1.0,
                 self.limits.group_per_minute if chat_id < 0 else self.limits.chat_per_second,
                 self._per_chat[chat_id])):
            while queue and now - queue[0] >= window:
                queue.popleft()
            if len(queue) >= cap:
                waits.append(window - (now - queue[0]))
        if waits:
            return max(waits)
        self._global.append(now)
        self._per_chat[chat_id].append(now)
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self.token is not None and request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        params, files = await self._params(request)
        call = Call(method, params, files, self.clock())
        self.calls.append(call)
        if self._failures[method]:
            call.status = self._failures[method].popleft()
            if call.status == 429:
                return self._error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            return self._error(call.status, "Internal Server Error"
                               if call.status >= 500 else "Bad Request: injected")
        if method in SENDING:
            chat_id = int(params.get("chat_id", 0))
            if chat_id in self.blocked_chats:
                call.status = 403
                return self._error(403, "Forbidden: bot was blocked by the user")
            if self.limits is not None:
                wait = self._limit(chat_id)
                if wait is not None:
                    call.status = 429
                    self.throttled += 1
                    retry = max(1, math.ceil(wait))
                    return self._error(429, f"Too Many Requests: retry after {retry}",
                                       {"retry_after": retry})
        handler = getattr(self, f"_m_{method}", None)
        result = await handler(params) if handler else True
        return web.json_response({"ok": True, "result": result})

    # -- methods ---------------------------------------------------------------------------
    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "InfraZen",
                "username": BOT_USERNAME, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_updates.clear()
            timeout = min(float(params.get("timeout") or 0), 1.0)
            if timeout:
                try:
                    await asyncio.wait_for(self._new_updates.wait(), timeout)
                except TimeoutError:
                    return []
        return list(self._updates)

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "InfraZen"}}
        if params.get("reply_markup") is not None:
            message["reply_markup"] = params["reply_markup"]
        message.update(extra)
        return message

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, text=str(params.get("text", "")))

    async def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, caption=params.get("caption"), photo=[
            {"file_id": "photo-1", "file_unique_id": "p1", "width": 1200, "height": 800}])

    async def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, caption=params.get("caption"), document={
            "file_id": "doc-1", "file_unique_id": "d1", "file_name": "file"})

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            return True
        return self._message(params, text=str(params.get("text", "")),
                             message_id=int(params.get("message_id", 0)),
                             edit_date=int(time.time()))

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, message_id=int(params.get("message_id", 0)))

    async def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        return {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}

    async def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"status": "administrator", "user": {"id": int(params.get("user_id", 0)),
                                                     "is_bot": False, "first_name": "Admin"},
                "can_be_edited": False, "can_manage_chat": True, "can_change_info": True,
                "can_delete_messages": True, "can_invite_users": True,
                "can_restrict_members": True, "can_pin_messages": True,
                "can_promote_members": False, "can_manage_video_chats": True,
                "is_anonymous": False, "can_post_stories": False, "can_edit_stories": False,
                "can_delete_stories": False}
