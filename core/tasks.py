"""The one spawner of background tasks: it keeps a reference to each task and logs its failure.

`asyncio.create_task` alone lets the loop garbage-collect a running task and swallows its
exception until shutdown; every fire-and-forget job (a first sync after /connect, a sync the
user asked for) goes through `spawn` instead. `TaskGroup` owners can `wait_all()` in tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

__all__ = ["BackgroundTasks", "default_tasks", "gather_limited", "spawn"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class BackgroundTasks:
    """A set of running tasks held until they finish; failures are logged, never lost."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
        task = asyncio.create_task(coro, name=name)  # noqa: TID251 - this is the spawner
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("background task %s failed", task.get_name(), exc_info=exc)

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def wait_all(self) -> None:
        """Wait until every task (including ones spawned meanwhile) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.wait_all()


_DEFAULT = BackgroundTasks()


def spawn(coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
    """Run `coro` in the background on the process-wide task set."""
    return _DEFAULT.spawn(coro, name=name)


def default_tasks() -> BackgroundTasks:
    """The process-wide set, for shutdown (`cancel_all`) and tests (`wait_all`)."""
    return _DEFAULT


async def gather_limited(limit: int, calls: Iterable[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run the calls concurrently, at most `limit` at a time; results in the calls' order."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))
