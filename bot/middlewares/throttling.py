"""Per-user flood control: a leaky bucket per Telegram user (aiolimiter).

Within the bucket every update passes; past it the user gets one polite "slow down" and further
updates are dropped until the bucket drains. Runs first, before any database work, so a flood
costs almost nothing. Buckets of idle users are forgotten (bounded memory).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TgUser
from aiolimiter import AsyncLimiter

from bot.i18n import resolve_language
from core.app import AppContext
from renderers.i18n import t

__all__ = ["ThrottlingMiddleware"]

MAX_TRACKED = 50_000


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, rate: float = 20, period: float = 10) -> None:
        self.rate, self.period = rate, period
        self._buckets: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._warned: set[int] = set()

    def _bucket(self, user_id: int) -> AsyncLimiter:
        bucket = self._buckets.pop(user_id, None) or AsyncLimiter(self.rate, self.period)
        self._buckets[user_id] = bucket
        while len(self._buckets) > MAX_TRACKED:
            old, _ = self._buckets.popitem(last=False)
            self._warned.discard(old)
        return bucket

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is None:
            return await handler(event, data)
        bucket = self._bucket(tg_user.id)
        if bucket.has_capacity():
            await bucket.acquire()
            self._warned.discard(tg_user.id)
            return await handler(event, data)
        if tg_user.id not in self._warned:
            self._warned.add(tg_user.id)
            app: AppContext = data["app"]
            lang = resolve_language(None, tg_user.language_code, app.settings.default_language)
            text = t("bot.slow_down", lang)
            assert isinstance(event, Update)
            if event.callback_query is not None:
                await event.callback_query.answer(text)
            elif event.message is not None:
                await event.message.answer(text)
        return None
