"""Charts are drawn in a separate process: matplotlib holds the GIL for most of a render, and
in the bot's process that would stall every other chat for a tenth of a second per chart.

One worker (spawned, so it shares no loop or sockets with the bot; niced, so answers keep
the CPU) is started on the first chart; answer records are plain frozen dataclasses, so they
cross the process boundary as they are. If the worker dies, the chart is drawn in a thread
instead and a new worker is started next time.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache, partial

from core.services.ask_types import Answer
from renderers.messages.answers_charts import Chart, chart_for

__all__ = ["draw_chart"]


CHART_NICENESS = 10  # answers first: the worker takes only the CPU the bot leaves idle


def _lower_priority() -> None:
    os.nice(CHART_NICENESS)


@cache
def _pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_lower_priority)


async def draw_chart(answer: Answer, lang: str, *, stacked: bool = False) -> Chart | None:
    """The answer's chart (PNG + caption), or None when no chart fits it."""
    job = partial(chart_for, answer, lang, stacked=stacked)
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool(), job)
    except BrokenProcessPool:
        _pool.cache_clear()
        return await asyncio.to_thread(job)
