"""Who waits for SQLite's write lock (core.db.writers): what lets a file import step aside at
once for the bot's write, and not pause at all when nobody in the process waits.

Real SQLite files, two real connections: one holds the write lock in an open transaction, the
other's INSERT waits for it in SQLite's busy handler.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import writers
from core.tasks import spawn

NOTE = "INSERT INTO notes (action) VALUES (:action)"


async def _notes(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, action TEXT)"))


async def _until_waiting(engine: AsyncEngine) -> None:
    """Until the other writer's INSERT is in SQLite's busy handler (2 s at most)."""
    for _ in range(200):
        if writers.waiting(engine):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the waiting write was not seen")


async def _count(engine: AsyncEngine, action: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(
            "SELECT count(*) FROM notes WHERE action = :a"), {"a": action})).scalar_one())


async def test_a_write_waiting_for_the_lock_is_seen_until_it_has_run(
        sqlite_engine: AsyncEngine) -> None:
    engine = sqlite_engine
    await _notes(engine)
    assert not writers.waiting(engine)
    holder = await engine.connect()
    await holder.execute(text(NOTE), {"action": "held"})  # takes the write lock, keeps it
    assert not writers.waiting(engine)  # its statement has ended: nobody waits

    async def other_writer() -> None:
        async with engine.begin() as conn:
            await conn.execute(text(NOTE), {"action": "waited"})

    waiter = spawn(other_writer(), name="other-writer")
    await _until_waiting(engine)
    assert await _count(engine, "waited") == 0  # a read does not count, nor wait

    await holder.commit()  # the lock is free: the waiter takes it
    await writers.quiet(engine, within=5.0)
    assert not writers.waiting(engine)
    await asyncio.wait_for(waiter, 5.0)
    assert await _count(engine, "waited") == 1
    await holder.close()


async def test_quiet_gives_up_after_its_time_while_the_writer_still_waits(
        sqlite_engine: AsyncEngine) -> None:
    engine = sqlite_engine
    await _notes(engine)
    holder = await engine.connect()
    await holder.execute(text(NOTE), {"action": "held"})

    async def other_writer() -> None:
        async with engine.begin() as conn:
            await conn.execute(text(NOTE), {"action": "waited"})

    waiter = spawn(other_writer(), name="other-writer")
    await _until_waiting(engine)
    started = time.monotonic()
    await writers.quiet(engine, within=0.2)
    assert time.monotonic() - started >= 0.19
    assert writers.waiting(engine)  # still waiting: the lock was never let go
    await holder.commit()
    await asyncio.wait_for(waiter, 5.0)
    assert not writers.waiting(engine)
    await holder.close()


async def test_a_failed_write_leaves_no_one_counted(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as conn:
        await conn.execute(text("CREATE TABLE one_row (id INTEGER PRIMARY KEY)"))
        await conn.execute(text("INSERT INTO one_row (id) VALUES (1)"))
        with pytest.raises(IntegrityError):
            await conn.execute(text("INSERT INTO one_row (id) VALUES (1)"))
        assert not writers.waiting(sqlite_engine)
        await conn.rollback()
    assert not writers.waiting(sqlite_engine)
