"""Answer charts are drawn in core's CPU worker pool (`core.workers`): matplotlib holds the GIL
for most of a render, and in the bot's process that would stall every other chat for a tenth of
a second per chart. Answer records are plain frozen dataclasses, so they cross the process
boundary as they are; a dead worker costs a thread render, never the chart.

Drawn charts are kept in the bot's process (`renderers.charts.cache`), keyed by the answer they
draw: members of one org asking the same question over the same data get the PNG drawn once,
without waiting for the pool again; new data is a different answer, so a new chart.
"""

from __future__ import annotations

from core.services.ask.types import Answer
from core.workers import run_cpu
from renderers.charts.cache import RenderCache, fingerprint
from renderers.messages.answers_charts import Chart, chart_for

__all__ = ["chart_cache", "draw_chart"]


def _weigh(chart: Chart | None) -> int:
    return 0 if chart is None else len(chart.png) + len(chart.caption.encode())


chart_cache: RenderCache[Chart | None] = RenderCache(_weigh)


async def draw_chart(answer: Answer, lang: str, *, stacked: bool = False) -> Chart | None:
    """The answer's chart (PNG + caption), or None when no chart fits it."""
    key = fingerprint(chart_for, answer, lang, stacked=stacked)
    return await chart_cache.get(key, lambda: run_cpu(chart_for, answer, lang, stacked=stacked))
