"""Per-user flood control, shared by every bot replica when Redis is configured.

Within the limit every update passes; past it the user gets one polite "slow down" and further
updates are dropped until the window ends. Runs before any database work, so a flood costs
almost nothing.

With REDIS_URL the count lives in Redis (a fixed window per bot and user: one atomic INCR +
PEXPIRE script), so N replicas behind a webhook proxy allow the configured rate in total, not N
times it. Without Redis — or while Redis does not answer — each process keeps its own leaky
bucket (aiolimiter). An outage is logged once and Redis is retried every `retry_after` seconds,
so a dead Redis neither drops every update nor slows each one down.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TgUser
from aiolimiter import AsyncLimiter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.fsm_storage import ResilientRedisStorage
from bot.i18n import resolve_language
from core.app import AppContext
from renderers.i18n import t

__all__ = ["LocalLimiter", "RedisLimiter", "ThrottlingMiddleware", "Verdict", "build_throttling"]

log = logging.getLogger(__name__)

MAX_TRACKED = 50_000
KEY_PREFIX = "throttle"

# The first hit of a window starts its expiry; the count is atomic across replicas.
_WINDOW_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class Verdict(enum.Enum):
    PASS = "pass"  # handle the update
    WARN = "warn"  # first update past the limit: say "slow down" once
    DROP = "drop"  # silence until the window ends


class LocalLimiter:
    """One process's view: a leaky bucket per user, idle users forgotten (bounded memory)."""

    def __init__(self, rate: float, period: float) -> None:
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

    async def check(self, user_id: int) -> Verdict:
        bucket = self._bucket(user_id)
        if bucket.has_capacity():
            await bucket.acquire()
            self._warned.discard(user_id)
            return Verdict.PASS
        if user_id in self._warned:
            return Verdict.DROP
        self._warned.add(user_id)
        return Verdict.WARN


class RedisLimiter:
    """The replicas' shared view: a fixed window of `period` seconds per bot and user."""

    def __init__(self, redis: Redis, rate: float, period: float, *,
                 prefix: str = KEY_PREFIX) -> None:
        self.limit = max(1, int(rate))
        self.window_ms = max(1, int(period * 1000))
        self.prefix = prefix
        self._script = redis.register_script(_WINDOW_SCRIPT)

    async def check(self, bot_id: int, user_id: int) -> Verdict:
        """Count this update; raises RedisError / OSError when Redis does not answer."""
        key = f"{self.prefix}:{bot_id}:{user_id}"
        count = int(await self._script(keys=[key], args=[self.window_ms]))
        if count <= self.limit:
            return Verdict.PASS
        return Verdict.WARN if count == self.limit + 1 else Verdict.DROP


class ThrottlingMiddleware(BaseMiddleware):
    """`(rate, period)` per user; `redis` makes the limit shared by every replica."""

    def __init__(self, rate: float = 20, period: float = 10, *, redis: Redis | None = None,
                 owns_redis: bool = False, timeout: float = 1.0,
                 retry_after: float = 15.0) -> None:
        self.rate, self.period = rate, period
        self.local = LocalLimiter(rate, period)
        self.shared = RedisLimiter(redis, rate, period) if redis is not None else None
        self._redis, self._owns_redis = redis, owns_redis
        self.timeout, self.retry_after = timeout, retry_after
        self._retry_at = 0.0  # monotonic time before which Redis is not asked again
        self._outage = False  # an outage was logged and has not ended yet

    async def close(self) -> None:
        """Close a Redis client this middleware created (not one borrowed from the storage)."""
        if self._redis is not None and self._owns_redis:
            await self._redis.aclose(close_connection_pool=True)

    async def _verdict(self, bot_id: int, user_id: int) -> Verdict:
        if self.shared is not None and time.monotonic() >= self._retry_at:
            try:
                async with asyncio.timeout(self.timeout):
                    verdict = await self.shared.check(bot_id, user_id)
            except (RedisError, OSError, TimeoutError) as exc:
                self._retry_at = time.monotonic() + self.retry_after
                if not self._outage:
                    self._outage = True
                    log.warning("throttling: Redis unavailable (%s: %s); each replica limits "
                                "on its own until it answers again", type(exc).__name__, exc)
            else:
                if self._outage:
                    self._outage = False
                    log.info("throttling: Redis answers again; the limit is shared again")
                return verdict
        return await self.local.check(user_id)

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is None:
            return await handler(event, data)
        bot: Bot | None = data.get("bot")
        verdict = await self._verdict(bot.id if bot is not None else 0, tg_user.id)
        if verdict is Verdict.PASS:
            return await handler(event, data)
        if verdict is Verdict.WARN:
            app: AppContext = data["app"]
            lang = resolve_language(None, tg_user.language_code, app.settings.default_language)
            text = t("bot.slow_down", lang)
            assert isinstance(event, Update)
            if event.callback_query is not None:
                await event.callback_query.answer(text)
            elif event.message is not None:
                await event.message.answer(text)
        return None


def build_throttling(rate: float, period: float, *, storage: BaseStorage,
                     redis_url: str | None) -> ThrottlingMiddleware:
    """The middleware for a dispatcher: shared through Redis when REDIS_URL is set.

    A RedisStorage already holds a client for that URL: it is reused (one pool, closed with the
    storage). Otherwise a client of our own is made; `close()` releases it at shutdown.
    """
    if isinstance(storage, RedisStorage | ResilientRedisStorage):
        return ThrottlingMiddleware(rate, period, redis=storage.redis)
    if redis_url:
        return ThrottlingMiddleware(rate, period, redis=Redis.from_url(redis_url),
                                    owns_redis=True)
    return ThrottlingMiddleware(rate, period)
