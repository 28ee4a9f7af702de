"""Health checks behind `/healthz`: the database, Redis when configured, the scheduler heartbeat.

Each check gets a short timeout and reports a word, never an exception text (a DSN or a host
name has no place in a public probe): "ok", "timeout", "stale", or the error's class name.
The report is healthy only when every check is "ok".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core import metrics
from core.scheduler import Heartbeat
from core.services import outbox

__all__ = ["HealthChecks", "HealthReport"]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0
BACKLOG_STATUSES = ("pending", "sending")


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, str]

    @property
    def ok(self) -> bool:
        return all(value == "ok" for value in self.checks.values())

    @property
    def failing(self) -> list[str]:
        return [name for name, value in self.checks.items() if value != "ok"]

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": "ok" if self.ok else "fail", "checks": self.checks}
        if not self.ok:
            body["failing"] = self.failing
        return body


@dataclass
class HealthChecks:
    """What this process depends on; `heartbeat` is None when it runs no scheduler."""

    engine: AsyncEngine
    redis_url: str | None = None
    heartbeat: Heartbeat | None = None
    timeout: float = DEFAULT_TIMEOUT
    _redis: Any = field(default=None, init=False, repr=False)

    async def run(self) -> HealthReport:
        checks: dict[str, Callable[[], Awaitable[str]]] = {"database": self._database}
        if self.redis_url:
            checks["redis"] = self._redis_ping
        if self.heartbeat is not None:
            checks["scheduler"] = self._scheduler
        results = await asyncio.gather(*(self._timed(check) for check in checks.values()))
        return HealthReport(dict(zip(checks, results, strict=True)))

    async def _timed(self, check: Callable[[], Awaitable[str]]) -> str:
        try:
            return await asyncio.wait_for(check(), self.timeout)
        except TimeoutError:
            return "timeout"
        except Exception as exc:
            log.debug("health check failed", exc_info=True)
            return f"error: {type(exc).__name__}"

    async def _database(self) -> str:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return "ok"

    async def _redis_ping(self) -> str:
        if self._redis is None:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(str(self.redis_url), socket_timeout=self.timeout,
                                         socket_connect_timeout=self.timeout)
        await self._redis.ping()
        return "ok"

    async def _scheduler(self) -> str:
        assert self.heartbeat is not None
        return "stale" if self.heartbeat.is_stale() else "ok"

    async def refresh_backlog(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Set the outbox backlog gauge from the database (at scrape time); a failure leaves
        the last value and shows up in /healthz instead."""
        try:
            async with asyncio.timeout(self.timeout), sessions() as session:
                counts = await outbox.status_counts(session)
        except Exception:
            log.debug("outbox backlog not refreshed", exc_info=True)
            return
        metrics.OUTBOX_BACKLOG.set(sum(counts.get(s, 0) for s in BACKLOG_STATUSES))

    async def close(self) -> None:
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
            self._redis = None
