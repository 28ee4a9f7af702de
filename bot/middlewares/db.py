"""One AsyncSession per update: committed when the handler succeeds, rolled back on error.

The session is also published as the update's scope (`bot.update_scope`), so the request-side
`CommitBeforeSendMiddleware` commits it before the first reply leaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.update_scope import update_scope

__all__ = ["DbSessionMiddleware"]


class DbSessionMiddleware(BaseMiddleware):
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessions() as session:
            with update_scope(session):
                data["session"] = session
                try:
                    result = await handler(event, data)
                except BaseException:
                    await session.rollback()
                    raise
                await session.commit()
                return result
