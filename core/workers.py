"""A process pool for CPU-bound pure functions: charts, PDFs and forecasts.

matplotlib and fpdf hold the GIL for most of a render; run in the bot's process (even in a
thread) a chart stalls every other chat's answer for a tenth of a second or more. Here they run
in worker processes (spawned, so they share no event loop or sockets with the bot; niced, so
answers keep the CPU; matplotlib on the Agg backend). Arguments and results cross the process
boundary by pickling: frozen dataclasses and bytes, as the renderers take and give.

One pool per process, sized by `CPU_WORKERS` (default: the CPU count), started on first use.
If a worker dies the job is redone in a thread and a fresh pool is started next time, so a
crash costs speed, never an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, TypeVar

__all__ = ["CpuPool", "configure_pool", "cpu_pool", "run_cpu"]

T = TypeVar("T")
log = logging.getLogger(__name__)

WORKER_NICENESS = 10  # answers first: workers take the CPU the bot leaves idle
# imported by each worker as it starts, so the first job does not pay the imports: core's own
# CPU work (the forecast, the anomaly detector, numpy); a module's `warm_up()`, if it has one,
# then fills its first-use caches; the outer layers add theirs at the composition root
# (`bot.composition`: matplotlib and the answer charts, ~1.1 s of CPU a worker otherwise pays
# on its first chart)
DEFAULT_PRELOAD: tuple[str, ...] = ("core.analytics.forecast",
                                    "core.analytics.anomalies.batch",
                                    "core.analytics.anomalies.calendar")


def _start_worker(preload: tuple[str, ...]) -> None:
    os.environ["MPLBACKEND"] = "Agg"  # no display in a worker; the renderers use Agg anyway
    with contextlib.suppress(OSError):  # not permitted here: run at normal priority
        os.nice(WORKER_NICENESS)
    for name in preload:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a worker for another program: the job imports what it needs
            log.debug("worker preload of %s failed", name)
            continue
        warm_up = getattr(module, "warm_up", None)  # first-use caches (a calendar, fonts)
        if callable(warm_up):
            warm_up()


class CpuPool:
    """Runs pure functions in worker processes; `await pool.run(fn, *args)`."""

    def __init__(self, size: int | None = None, *,
                 preload: tuple[str, ...] = DEFAULT_PRELOAD) -> None:
        self.size = max(1, size or os.cpu_count() or 1)
        self.preload = preload
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.size, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self.preload,))
        return self._executor

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)` in a worker; `fn` must be a module-level function."""
        job = partial(fn, *args, **kwargs)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool(), job)
        except BrokenProcessPool:
            log.warning("CPU worker died; %s runs in a thread", getattr(fn, "__name__", fn))
            self.close()
            return await asyncio.to_thread(job)

    async def warm(self) -> None:
        """Start every worker now (each preloads its modules), not on the first users' charts."""
        await asyncio.gather(*(self.run(os.getpid) for _ in range(self.size)))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


_shared: list[CpuPool] = []


def configure_pool(size: int | None, preload: tuple[str, ...] = ()) -> CpuPool:
    """Set the size of this process's pool and the modules its workers import at start (a
    different size or preload replaces a running pool)."""
    modules = tuple(dict.fromkeys(DEFAULT_PRELOAD + preload))
    if (_shared and _shared[0].size == max(1, size or os.cpu_count() or 1)
            and _shared[0].preload == modules):
        return _shared[0]
    if _shared:
        _shared.pop().close()
    _shared.append(CpuPool(size, preload=modules))
    return _shared[0]


def cpu_pool() -> CpuPool:
    """This process's pool (CPU count workers unless `configure_pool` said otherwise)."""
    return _shared[0] if _shared else configure_pool(None)


async def run_cpu(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in this process's CPU pool."""
    return await cpu_pool().run(fn, *args, **kwargs)
