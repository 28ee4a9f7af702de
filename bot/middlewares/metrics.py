"""Counts every update and times it, for `/metrics` (`core.metrics`).

Installed first on `dp.update.outer_middleware`, so it sees every update, including those
throttled or refused further in, and the latency covers the whole middleware chain. The
outcome is `handled`, `unhandled` (no handler matched) or `error` (an exception escaped).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update

from core.metrics import record_update

__all__ = ["UpdateMetricsMiddleware"]


class UpdateMetricsMiddleware(BaseMiddleware):
    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
            return result
        finally:
            record_update(kind, outcome, time.perf_counter() - started)
