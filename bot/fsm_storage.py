"""FSM storage that survives a Redis outage: wizard state lives in Redis (shared by replicas),
and while Redis does not answer each process keeps it in memory instead of failing every update.

aiogram reads the FSM state of every update before any handler runs, so a plain RedisStorage
turns a Redis outage into a bot that answers nothing. Here a failed or slow call switches this
process to memory for `retry_after` seconds (logged once per outage), then Redis is tried
again. During an outage a wizard continues only on the replica that started it; that is the
trade-off, and it is better than silence.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from redis.exceptions import RedisError

__all__ = ["ResilientRedisStorage"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class ResilientRedisStorage(BaseStorage):
    """RedisStorage first; MemoryStorage while Redis is down."""

    def __init__(self, primary: RedisStorage, *, timeout: float = 1.0, retry_after: float = 15.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.primary = primary
        self.fallback = MemoryStorage()
        self.redis = primary.redis  # the throttle shares this client
        self.timeout = timeout
        self.retry_after = retry_after
        self.clock = clock
        self._down_until: float | None = None

    @property
    def degraded(self) -> bool:
        return self._down_until is not None

    async def _call(self, primary: Callable[[], Awaitable[T]],
                    fallback: Callable[[], Awaitable[T]]) -> T:
        if self._down_until is not None and self.clock() < self._down_until:
            return await fallback()
        try:
            result = await asyncio.wait_for(primary(), self.timeout)
        except (RedisError, OSError, TimeoutError) as exc:
            if self._down_until is None:
                log.warning("Redis FSM storage unavailable (%s): keeping wizard state in this "
                            "process's memory; retrying Redis every %.0f s",
                            type(exc).__name__, self.retry_after)
            self._down_until = self.clock() + self.retry_after
            return await fallback()
        if self._down_until is not None:
            log.warning("Redis FSM storage is back")
            self._down_until = None
        return result

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        await self._call(lambda: self.primary.set_state(key, state),
                         lambda: self.fallback.set_state(key, state))

    async def get_state(self, key: StorageKey) -> str | None:
        return await self._call(lambda: self.primary.get_state(key),
                                lambda: self.fallback.get_state(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._call(lambda: self.primary.set_data(key, data),
                         lambda: self.fallback.set_data(key, data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await self._call(lambda: self.primary.get_data(key),
                                lambda: self.fallback.get_data(key))

    async def close(self) -> None:
        await self.fallback.close()
        await self.primary.close()
