"""End-to-end bot harness: the production dispatcher, a real Bot, a fake Bot API over real HTTP.

The app is built with the same factory `infrazen run` uses (`bot.factory.build_bot` /
`build_dispatcher`), the Bot points at `tests.support.fake_bot_api.FakeBotApi` through
TELEGRAM_API_SERVER, and every update goes through `dp.feed_update`, so each bot call is a real
HTTP round trip that the fake records.

API (for every bot test, including the connection wizard and questions):

    async with running_bot(engine, vault, superadmin_ids=(42,), clock=FrozenClock(...)) as h:
        alice = h.client(1001, language_code="ru")          # a private chat with user 1001
        group = h.client(1001, chat_id=-100500, chat_type="supergroup", title="Ops")
        replies = await alice.send("/start")                # → list[Reply] sent to this chat
        await alice.click("🇷🇺 Русский")                    # a button by its text …
        await alice.click("lang:ru")                        # … or by its callback_data
        await alice.click_data("conn:delete:999")           # any (tampered) callback_data
        await alice.send_document("focus.csv", b"...", caption=None)   # bot can download it
        await alice.feed({"my_chat_member": {...}})          # any raw update payload
        alice.last_reply().text / .buttons / .button_texts() / .message_id / .method
        alice.replies()            # replies produced by the last action (edits included)
        alice.alerts()             # answerCallbackQuery texts of the last click
        alice.deleted()            # message ids the bot deleted in this chat
        h.fake                     # the FakeBotApi: .calls, .sent_texts(chat), .fail_next(...)
        h.fake.chat_members[(chat_id, user_id)] = "member"   # getChatMember (default admin)
        h.ctx                      # the AppContext: `async with h.ctx.session() as s: ...`

The `h` fixture in tests/bot/conftest.py gives a harness on SQLite with superadmin
`SUPERADMIN` (= 999); `bot_engine` is a fresh migrated SQLite (a copy of a session template)
for tests that call `running_bot` themselves; `tests.bot.seed.org_with(h, name, (tg_id, role))`
sets up an organisation directly. The throttle is the production one (20 updates / 10 s per
user); keep scenarios per user under that or pass `throttle=(1000, 1)`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.composition import open_app
from bot.factory import build_bot, build_dispatcher
from core.app import AppContext
from core.clock import Clock
from core.security.vault import Vault
from core.settings import load_settings
from tests.support.fake_bot_api import BOT_ID, Call, FakeBotApi
from tests.support.fake_server import run_fake

__all__ = ["SUPERADMIN", "TOKEN", "BotHarness", "ChatClient", "RecordingFakeBotApi", "Reply",
           "running_bot"]

TOKEN = "123456789:TEST-token-for-the-fake-bot-api"
SUPERADMIN = 999
EDITS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})


class RecordingFakeBotApi(FakeBotApi):
    """The shared fake plus: the message each call returned, and files the bot can download."""

    def __init__(self) -> None:
        super().__init__()
        self.results: dict[int, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.chat_members: dict[tuple[int, int], str] = {}  # (chat, user) → status
        self.app.router.add_get("/file/bot{token}/{path:.*}", self._file)

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message = super()._message(params, **extra)
        self.results[id(self.calls[-1])] = message  # no await since the call was recorded
        return message

    async def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        """As the shared fake, with the fields current aiogram requires and per-user status."""
        key = (int(params.get("chat_id", 0)), int(params.get("user_id", 0)))
        status = self.chat_members.get(key, "administrator")
        if status != "administrator":
            return {"status": status, "user": {"id": key[1], "is_bot": False,
                                               "first_name": "Member"}}
        member = await super()._m_getChatMember(params)
        member["can_send_welcome_messages"] = False
        return member

    async def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        return {"file_id": file_id, "file_unique_id": file_id,
                "file_size": len(self.files.get(file_id, b"")), "file_path": f"docs/{file_id}"}

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].removeprefix("docs/")
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])


@dataclass
class Reply:
    """One thing the bot did in a chat: a message sent or edited."""

    method: str
    text: str
    chat_id: int | None
    message_id: int | None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def button_texts(self) -> list[str]:
        return [str(b.get("text")) for b in self.buttons]


@dataclass
class BotHarness:
    ctx: AppContext
    bot: Bot
    dp: Dispatcher
    fake: RecordingFakeBotApi
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def client(self, user_id: int, *, chat_id: int | None = None, chat_type: str = "private",
               language_code: str | None = "ru", first_name: str = "Test",
               username: str | None = None, title: str = "Team chat") -> ChatClient:
        return ChatClient(self, user_id, chat_id if chat_id is not None else user_id, chat_type,
                          language_code, first_name, username or f"user{user_id}", title)

    def next_id(self) -> int:
        return next(self._ids)


class ChatClient:
    """A person typing in one chat; each action feeds one Update and returns what the bot did."""

    def __init__(self, h: BotHarness, user_id: int, chat_id: int, chat_type: str,
                 language_code: str | None, first_name: str, username: str, title: str) -> None:
        self.h, self.user_id, self.chat_id, self.chat_type = h, user_id, chat_id, chat_type
        self.language_code, self.first_name, self.username = language_code, first_name, username
        self.title = title
        self._mark = 0
        self._callback_id: str | None = None

    # -- building updates ------------------------------------------------------------------
    def _user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False,
                                "first_name": self.first_name, "username": self.username}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def _chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.chat_id, "type": self.chat_type}
        if self.chat_type == "private":
            chat["first_name"] = self.first_name
        else:
            chat["title"] = self.title
        return chat

    async def feed(self, payload: dict[str, Any]) -> list[Reply]:
        """Feed one raw update (without update_id) and return the replies in this chat."""
        self._mark = len(self.h.fake.calls)
        update = Update.model_validate({"update_id": self.h.next_id(), **payload},
                                       context={"bot": self.h.bot})
        await self.h.dp.feed_update(self.h.bot, update)
        return self.replies()

    async def send(self, text: str) -> list[Reply]:
        self._callback_id = None
        return await self.feed({"message": {
            "message_id": self.h.next_id(), "date": int(time.time()), "chat": self._chat(),
            "from": self._user(), "text": text}})

    async def send_document(self, file_name: str, content: bytes, *,
                            caption: str | None = None,
                            mime_type: str = "text/csv") -> list[Reply]:
        file_id = f"file-{self.h.next_id()}"
        self.h.fake.files[file_id] = content
        message: dict[str, Any] = {
            "message_id": self.h.next_id(), "date": int(time.time()), "chat": self._chat(),
            "from": self._user(), "document": {
                "file_id": file_id, "file_unique_id": file_id, "file_name": file_name,
                "mime_type": mime_type, "file_size": len(content)}}
        if caption:
            message["caption"] = caption
        self._callback_id = None
        return await self.feed({"message": message})

    async def click(self, target: str) -> list[Reply]:
        """Press the newest button in this chat whose text or callback_data equals `target`."""
        for reply in reversed(self.history()):
            for button in reply.buttons:
                if target in (button.get("text"), button.get("callback_data")):
                    return await self._press(str(button["callback_data"]), reply)
        seen = [t for r in self.history()[-3:] for t in r.button_texts()]
        raise AssertionError(f"no button {target!r} in chat {self.chat_id}; recent: {seen}")

    async def click_data(self, data: str) -> list[Reply]:
        """Send arbitrary callback_data (as a tampering client could) on the newest message."""
        history = self.history()
        anchor = history[-1] if history else Reply("sendMessage", "", self.chat_id, 1)
        return await self._press(data, anchor)

    async def _press(self, data: str, reply: Reply) -> list[Reply]:
        self._callback_id = f"cb-{self.h.next_id()}"
        message = {"message_id": reply.message_id or 1, "date": int(time.time()),
                   "chat": self._chat(), "text": reply.text or "-",
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "InfraZen"}}
        return await self.feed({"callback_query": {
            "id": self._callback_id, "from": self._user(), "chat_instance": "ci",
            "data": data, "message": message}})

    # -- reading what the bot did ----------------------------------------------------------
    def _reply(self, call: Call) -> Reply:
        result = self.h.fake.results.get(id(call), {})
        message_id = result.get("message_id") or call.params.get("message_id")
        return Reply(call.method, call.text, call.chat_id,
                     int(message_id) if message_id is not None else None,
                     call.buttons(), call.params)

    def _mine(self, calls: Sequence[Call]) -> list[Reply]:
        from tests.support.fake_bot_api import SENDING

        return [self._reply(c) for c in calls if c.status == 200 and c.chat_id == self.chat_id
                and (c.method in SENDING or c.method in EDITS)]

    def history(self) -> list[Reply]:
        return self._mine(self.h.fake.calls)

    def replies(self) -> list[Reply]:
        return self._mine(self.h.fake.calls[self._mark:])

    def last_reply(self) -> Reply:
        history = self.history()
        assert history, f"the bot never wrote to chat {self.chat_id}"
        return history[-1]

    def texts(self) -> list[str]:
        return [r.text for r in self.replies()]

    def alerts(self) -> list[str]:
        return [str(c.params.get("text") or "") for c in self.h.fake.calls[self._mark:]
                if c.method == "answerCallbackQuery"
                and c.params.get("callback_query_id") == self._callback_id]

    def deleted(self) -> list[int]:
        return [int(c.params["message_id"]) for c in self.h.fake.calls
                if c.method == "deleteMessage" and c.chat_id == self.chat_id]


@asynccontextmanager
async def running_bot(engine: AsyncEngine, vault: Vault, *, superadmin_ids: Sequence[int] = (),
                      clock: Clock | None = None, throttle: tuple[float, float] = (20, 10),
                      **settings: Any) -> AsyncIterator[BotHarness]:
    """The production app over `engine`, talking to a fresh fake Bot API on loopback."""
    fake = RecordingFakeBotApi()
    async with run_fake(fake.app) as base_url:
        conf = load_settings(BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=base_url,
                             SUPERADMIN_IDS=",".join(str(i) for i in superadmin_ids),
                             **settings)
        async with open_app(conf, migrate=False, engine=engine, vault=vault,
                            clock=clock) as ctx:
            bot = build_bot(conf)
            dp = build_dispatcher(ctx, throttle=throttle)
            try:
                yield BotHarness(ctx, bot, dp, fake)
            finally:
                await bot.session.close()
