"""One chat's updates in order, the state a reply announces already committed (issue 10 §5).

Driven through real long polling against the fake Bot API: the updates arrive in one
getUpdates batch, so aiogram starts a task for each at once, as it does in production.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.composition import open_app
from bot.runner import run_bot
from core.db.engine import session_factory
from core.db.models import Organization, User
from core.security.vault import Vault
from core.settings import load_settings
from core.tasks import spawn
from tests.bot.harness import TOKEN, BotHarness, RecordingFakeBotApi
from tests.support.fake_server import run_fake

QUESTION = "сколько потратили за прошлый месяц?"


def _message(chat: int, text: str, message_id: int) -> dict[str, Any]:
    return {"message": {"message_id": message_id, "date": 1_700_000_000, "text": text,
                        "chat": {"id": chat, "type": "private", "first_name": "Ann"},
                        "from": {"id": chat, "is_bot": False, "first_name": "Ann",
                                 "language_code": "ru"}}}


async def _until(condition: Any, limit: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the bot did not answer in time")
        await asyncio.sleep(0.02)


class CheckingFakeBotApi(RecordingFakeBotApi):
    """Records, when "demo opened" reaches the user, what another reader of the DB sees."""

    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        super().__init__()
        self.sessions = sessions
        self.seen_at_reply: list[int | None] = []

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if "Открыта демо-организация" in str(params.get("text", "")):
            async with self.sessions() as s:
                active = (await s.execute(select(User.active_org_id).where(
                    User.telegram_id == int(params["chat_id"])))).scalar_one_or_none()
            self.seen_at_reply.append(active)
        return await super()._m_sendMessage(params)


async def test_demo_then_question_in_one_batch_are_handled_in_order(
        bot_engine: AsyncEngine, vault: Vault) -> None:
    fake = CheckingFakeBotApi(session_factory(bot_engine))
    async with run_fake(fake.app) as url:
        settings = load_settings(BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=url)
        async with open_app(settings, migrate=False, engine=bot_engine, vault=vault) as ctx:
            stop = asyncio.Event()
            task = spawn(run_bot(ctx, stop=stop, scheduler=False))
            # three chats, each: /demo then a question right behind it, in one batch
            chats = (7101, 7102, 7103)
            for n, chat in enumerate(chats):
                fake.queue_update(_message(chat, "/demo", 10 * n + 1))
                fake.queue_update(_message(chat, QUESTION, 10 * n + 2))
            await _until(lambda: all(len(fake.sent_texts(c)) >= 3 for c in chats))
            stop.set()
            await task
        async with session_factory(bot_engine)() as s:
            demo_id = (await s.execute(select(Organization.id).where(
                Organization.slug == "demo"))).scalar_one()
    for chat in chats:
        texts = fake.sent_texts(chat)
        opened = next(i for i, t in enumerate(texts) if "Открыта демо-организация" in t)
        answer = texts[-1]
        assert opened < len(texts) - 1
        # the question was read with the demo organisation active: a spend answer in rubles,
        # not "create an organisation first" nor "not understood"
        assert "₽" in answer, answer
        assert "Я не понял" not in answer
        assert "/start" not in answer
    # whoever read the database when "demo opened" arrived already saw the demo as active
    assert fake.seen_at_reply == [demo_id] * len(chats)


async def test_a_question_without_an_organisation_says_how_to_start(h: BotHarness) -> None:
    me = h.client(7201)
    replies = await me.send(QUESTION)
    assert "нужна ваша организация" in replies[-1].text
    assert "/start" in replies[-1].text
    assert "/demo" in replies[-1].text
    assert replies[-1].button_texts()[:2] == ["🏢 Создать организацию", "🧪 Открыть демо"]
    english = h.client(7202, language_code="en")
    replies = await english.send("how much did we spend last month?")
    assert "I need your organisation" in replies[-1].text
    assert "/start" in replies[-1].text
