"""What every HTTP connector's `collect` repeats: warnings, guarded optional calls, the timeout
option and bounded fan-out — one copy, so the rules read the same for every provider.

Warnings are `code: subject: detail`; `code` keys `providers_ru.warning.<code>`. A guarded call
that fails becomes a warning and, for an inventory list, marks the inventory incomplete so the
sync engine does not take the missing items as deleted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

import httpx

from connectors.errors import ConnectorError
from core.domain.collection import Collection

__all__ = ["gather_limited", "guard", "option_timeout", "warn"]

T = TypeVar("T")


def warn(code: str, subject: str, detail: str) -> str:
    """Warnings are `code: subject: detail`; `code` keys `providers_ru.warning.<code>`."""
    return f"{code}: {subject}: {detail}"


def _own_code(exc: ConnectorError) -> str:
    return exc.code


async def guard(out: Collection, subject: str, call: Callable[[], Awaitable[T]], *,
                inventory: bool = True,
                code_of: Callable[[ConnectorError], str] = _own_code) -> T | None:
    """Run one optional call; a `ConnectorError` becomes a warning (code from `code_of`) and,
    when `inventory`, marks the inventory incomplete."""
    try:
        return await call()
    except ConnectorError as exc:
        out.warnings.append(warn(code_of(exc), subject, exc.detail))
    if inventory:
        out.complete_inventory = False
    return None


def option_timeout(options: Mapping[str, Any]) -> httpx.Timeout | None:
    """The per-connection `timeout` option (seconds), or None for the shared default."""
    value = options.get("timeout")
    return httpx.Timeout(float(value)) if value is not None else None


async def gather_limited(limit: int, calls: Iterable[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run the calls concurrently, at most `limit` at a time; results in the calls' order."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))
