"""A handler that meets SQLite's "database is locked" is run again — unless it already spoke.

Another process holds SQLite's write lock (a raw `BEGIN IMMEDIATE`, as a long writer would)
past the bot's busy timeout, shortened here to 0.2 s so the test does not wait 30.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiogram import Dispatcher, Router
from aiogram.types import Message, Update
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.middlewares.db import DbSessionMiddleware
from core.clock import FrozenClock
from core.db.engine import create_engine
from core.db.migrate import upgrade
from core.db.models import User
from core.security.vault import Vault
from core.services.orgs import ensure_user
from tests.bot.harness import running_bot

RETRY_LOG = "database locked while handling an update"


@pytest.fixture
async def impatient(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, Path]]:
    """A migrated SQLite file whose engine gives up on the write lock after 0.2 s."""
    path = tmp_path / "bot.db"
    setup = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(setup)
    await setup.dispose()
    engine = create_engine(f"sqlite+aiosqlite:///{path}", connect_args={"timeout": 0.2})
    try:
        yield engine, path
    finally:
        await engine.dispose()


@contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Hold the database's write lock from another connection until released (or the end)."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("COMMIT")
        holder.close()


class RetrySeen(logging.Handler):
    """Releases the lock once the middleware has logged that it will retry."""

    def __init__(self, holder: sqlite3.Connection) -> None:
        super().__init__(logging.WARNING)
        self.holder = holder
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        if RETRY_LOG in record.getMessage():
            self.retries += 1
            if self.holder.in_transaction:
                self.holder.execute("COMMIT")


def _message(bot: Any, user_id: int, text: str) -> Update:
    return Update.model_validate({"update_id": user_id, "message": {
        "message_id": 1, "date": int(time.time()), "text": text,
        "chat": {"id": user_id, "type": "private", "first_name": "Guest"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Guest",
                 "language_code": "ru"}}}, context={"bot": bot})


async def _user_exists(engine: AsyncEngine, telegram_id: int) -> bool:
    async with AsyncSession(engine) as session:
        return (await session.execute(select(User.id).where(
            User.telegram_id == telegram_id))).scalar_one_or_none() is not None


async def test_start_from_a_new_user_is_answered_once_after_the_lock_goes(
        impatient: tuple[AsyncEngine, Path], vault: Vault) -> None:
    engine, path = impatient
    log = logging.getLogger("bot.middlewares.db")
    async with running_bot(engine, vault) as h:
        guest = h.client(4242)
        with write_lock(path) as holder:
            seen = RetrySeen(holder)
            log.addHandler(seen)
            try:
                replies = await guest.send("/start")  # its user row cannot be written yet
            finally:
                log.removeHandler(seen)
    assert seen.retries == 1
    assert len([r for r in replies if r.method == "sendMessage"]) == 1  # answered, once
    assert await _user_exists(engine, 4242)


async def test_a_handler_that_already_replied_is_not_run_again(
        impatient: tuple[AsyncEngine, Path], vault: Vault) -> None:
    engine, path = impatient
    calls = 0

    async def reply_then_save(message: Message, session: AsyncSession) -> None:
        nonlocal calls
        calls += 1
        await message.answer("Сохраняю…")
        await ensure_user(session, 4343, full_name="Guest")
        await session.flush()

    router = Router()
    router.message.register(reply_then_save)
    async with running_bot(engine, vault) as h:
        dp = Dispatcher()
        dp.update.outer_middleware(DbSessionMiddleware(h.ctx.sessions, backoff=0.01))
        dp.include_router(router)
        with write_lock(path), pytest.raises(OperationalError, match="database is locked"):
            await dp.feed_update(h.bot, _message(h.bot, 4343, "сохрани"))
        await asyncio.sleep(0)
        sent = [c.text for c in h.fake.calls if c.method == "sendMessage"]
    assert calls == 1  # a retry would have said "Сохраняю…" a second time
    assert sent == ["Сохраняю…"]
    assert not await _user_exists(engine, 4343)


async def test_a_job_that_meets_the_lock_logs_one_line_and_runs_next_tick(
        impatient: tuple[AsyncEngine, Path], vault: Vault,
        caplog: pytest.LogCaptureFixture) -> None:
    from core.db.engine import session_factory
    from core.scheduler import run_job, start_scheduler
    from tests.scheduler.conftest import START, Deps
    from tests.support.jobs import RENDERING

    engine, path = impatient
    async with httpx.AsyncClient() as http:
        handle = start_scheduler(Deps(session_factory(engine), vault, http, FrozenClock(START)),
                                 render=RENDERING, owner="w-locked", jobs=())
        try:
            with write_lock(path), caplog.at_level(logging.WARNING, logger="core.scheduler"):
                # its job lease is a write on every run (a claim with nothing due is not)
                await run_job("core.jobs.resource_months:catch_up", "w-locked")
            busy = [r for r in caplog.records if r.name == "core.scheduler"]
            assert [r.getMessage() for r in busy] == [
                "job core.jobs.resource_months:catch_up failed (database busy; the next run "
                "tries again)"]
            assert busy[0].exc_info is None  # no traceback for a busy database
            caplog.clear()
            with caplog.at_level(logging.DEBUG, logger="core.scheduler"):
                await run_job("core.jobs.resource_months:catch_up", "w-locked")  # next tick
            assert [r.getMessage() for r in caplog.records if r.name == "core.scheduler"] == [
                "job core.jobs.resource_months:catch_up done"]
        finally:
            handle.shutdown()
