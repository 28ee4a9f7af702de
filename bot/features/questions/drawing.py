"""Answer charts are drawn in core's CPU worker pool (`core.workers`): matplotlib holds the GIL
for most of a render, and in the bot's process that would stall every other chat for a tenth of
a second per chart. Answer records are plain frozen dataclasses, so they cross the process
boundary as they are; a dead worker costs a thread render, never the chart.
"""

from __future__ import annotations

from core.services.ask.types import Answer
from core.workers import run_cpu
from renderers.messages.answers_charts import Chart, chart_for

__all__ = ["draw_chart"]


async def draw_chart(answer: Answer, lang: str, *, stacked: bool = False) -> Chart | None:
    """The answer's chart (PNG + caption), or None when no chart fits it."""
    return await run_cpu(chart_for, answer, lang, stacked=stacked)
