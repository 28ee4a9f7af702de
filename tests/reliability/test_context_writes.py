"""What the context middleware writes (a changed name, a first contact) is committed before the
handler runs, so the update does not hold SQLite's one write lock while its answer is computed.

Held until the commit before the reply, every other writer queued behind it: 20 users' first
questions at once waited up to 2 s for their own name updates (bench_bot, issue 16).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

import pytest
from aiogram import Dispatcher, Router
from aiogram.types import Message, Update
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.middlewares import ContextMiddleware, DbSessionMiddleware
from core.db.models import User
from core.security.vault import Vault
from core.services.orgs import ensure_user
from core.tasks import spawn
from tests.bot.harness import BotHarness, running_bot

TG_ID = 4545


def _message(bot: Any, text: str) -> Update:
    return Update.model_validate({"update_id": 1, "message": {
        "message_id": 1, "date": int(time.time()), "text": text,
        "chat": {"id": TG_ID, "type": "private", "first_name": "New"},
        "from": {"id": TG_ID, "is_bot": False, "first_name": "New", "last_name": "Name",
                 "language_code": "ru"}}}, context={"bot": bot})


def _dispatcher(h: BotHarness, router: Router) -> Dispatcher:
    """The two middlewares at stake, in production order, before a test handler."""
    dp = Dispatcher(app=h.ctx)
    dp.update.outer_middleware(DbSessionMiddleware(h.ctx.sessions))
    dp.update.outer_middleware(ContextMiddleware())
    dp.include_router(router)
    return dp


async def _known_as(h: BotHarness, name: str) -> None:
    async with h.ctx.session() as session:
        await ensure_user(session, TG_ID, full_name=name)
        await session.commit()


async def _stored_name(engine: AsyncEngine) -> str:
    async with AsyncSession(engine) as session:
        return (await session.execute(select(User.full_name).where(
            User.telegram_id == TG_ID))).scalar_one()


async def test_another_writer_is_not_locked_out_while_a_renamed_users_answer_is_computed(
        sqlite_engine: AsyncEngine, vault: Vault) -> None:
    answering, done = asyncio.Event(), asyncio.Event()

    async def slow_answer(message: Message, session: AsyncSession) -> None:
        await session.execute(select(User.id))  # the answer reads in the update's session
        answering.set()
        await done.wait()
        await message.answer("готово")

    router = Router()
    router.message.register(slow_answer)
    async with running_bot(sqlite_engine, vault) as h:
        await _known_as(h, "Old Name")  # Telegram now says "New Name": the update writes it
        dp = _dispatcher(h, router)
        update = spawn(dp.feed_update(h.bot, _message(h.bot, "сколько?")), name="renamed")
        try:
            await asyncio.wait_for(answering.wait(), 10)
            database = sqlite_engine.url.database
            assert database is not None
            other = sqlite3.connect(database, timeout=0, isolation_level=None)
            try:  # another writer (an import, another user's update) does not wait at all
                other.execute("BEGIN IMMEDIATE")
                other.execute("COMMIT")
            finally:
                other.close()
        finally:
            done.set()
            await update
        assert h.fake.sent_texts(TG_ID) == ["готово"]
    assert await _stored_name(sqlite_engine) == "New Name"


async def test_the_name_telegram_gave_is_kept_when_the_answer_fails(
        engine: AsyncEngine, vault: Vault) -> None:
    async def failing(message: Message) -> None:
        raise RuntimeError("the answer broke")

    router = Router()
    router.message.register(failing)
    async with running_bot(engine, vault) as h:
        await _known_as(h, "Old Name")
        with pytest.raises(RuntimeError, match="the answer broke"):
            await _dispatcher(h, router).feed_update(h.bot, _message(h.bot, "сколько?"))
    assert await _stored_name(engine) == "New Name"
