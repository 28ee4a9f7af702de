"""One AsyncSession per update: committed when the handler succeeds, rolled back on error.

The session is also published as the update's scope (`bot.update_scope`), so the request-side
`CommitBeforeSendMiddleware` commits it before the first reply leaves.

A handler that fails with SQLite's transient "database is locked" (another writer held the
database past the busy timeout) is rolled back and run again from the start in a fresh session,
a few times with a growing pause — but only while it has not said anything to the user
(`scope.sent`), so a retry never repeats a reply. The webhook has already answered Telegram,
so without the retry that update would be lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.update_scope import update_scope
from core.db.errors import is_locked

__all__ = ["DbSessionMiddleware"]

log = logging.getLogger(__name__)


class DbSessionMiddleware(BaseMiddleware):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, retries: int = 3,
                 backoff: float = 0.5) -> None:
        self.sessions = sessions
        self.retries = retries
        self.backoff = backoff  # seconds before the first retry, doubled for each next one

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        attempt = 0
        while True:
            async with self.sessions() as session:
                with update_scope(session) as scope:
                    data["session"] = session
                    try:
                        result = await handler(event, data)
                        await session.commit()
                        return result
                    except BaseException as exc:
                        await session.rollback()
                        if scope.sent or attempt >= self.retries or not is_locked(exc):
                            raise
            attempt += 1
            log.warning("database locked while handling an update; retry %s of %s",
                        attempt, self.retries)
            await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
