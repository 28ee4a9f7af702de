"""One file per button message at a time: a double tap must not render the same PDF twice.

A router-level inner middleware (so it sees only this feature's buttons); the key is the chat
and the message holding the buttons, marked before the first await, so asyncio cannot let a
second press slip in between the check and the mark.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject

from bot.context import RequestContext

__all__ = ["OnePressAtATime"]


class OnePressAtATime(BaseMiddleware):
    def __init__(self) -> None:
        self._busy: set[tuple[int, int]] = set()

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, CallbackQuery) or event.message is None:
            return await handler(event, data)
        key = (event.message.chat.id, event.message.message_id)
        if key in self._busy:
            rc: RequestContext = data["rc"]
            await event.answer(rc.t("reports.busy"))
            return None
        self._busy.add(key)
        try:
            return await handler(event, data)
        finally:
            self._busy.discard(key)
