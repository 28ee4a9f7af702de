"""Charts as PNG bytes, picked by name: adding a chart is one module and one line in CHARTS."""

from __future__ import annotations

from collections.abc import Callable

from renderers.charts.allocation import render_allocation
from renderers.charts.budget import render_budget_vs_actual
from renderers.charts.stacked import render_stacked
from renderers.charts.top_items import render_top_items
from renderers.charts.trend import render_trend

__all__ = [
    "CHARTS",
    "ChartRenderer",
    "render_allocation",
    "render_budget_vs_actual",
    "render_stacked",
    "render_top_items",
    "render_trend",
]

# Every renderer: `(data, *, lang: str, title: str | None = None) -> bytes`, a PNG under 200 KB.
ChartRenderer = Callable[..., bytes]

CHARTS: dict[str, ChartRenderer] = {
    "trend": render_trend,
    "stacked": render_stacked,
    "budget_vs_actual": render_budget_vs_actual,
    "top_items": render_top_items,
    "allocation": render_allocation,
}
