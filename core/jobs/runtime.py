"""What every job receives: the app's dependencies, this worker's name, the renderers' port
and optional hooks."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.ports import AppDeps, JobRendering
from core.services.sync.run import SyncResult, run_sync

__all__ = ["JobDeps", "JobRuntime", "SyncFn"]


JobDeps = AppDeps  # the slice of `core.app.AppContext` the jobs use

SyncFn = Callable[..., Awaitable[SyncResult]]


def _jitter(limit: float) -> float:
    return random.uniform(0, limit)  # noqa: S311 - spreading load, not security


@dataclass
class JobRuntime:
    """One worker's job environment; `render` words what the jobs send (`renderers.jobs`),
    `drain` sends the outbox (set by `run` / `worker`)."""

    deps: JobDeps
    owner: str
    render: JobRendering
    drain: Callable[[], Awaitable[object]] | None = None
    sync_concurrency: int = 4
    sync_batch: int = 16
    sync_one: SyncFn = run_sync
    jitter: Callable[[float], float] = field(default=_jitter)

    @property
    def clock(self) -> Clock:
        return self.deps.clock

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.deps.sessions
