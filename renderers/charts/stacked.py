"""Spend split by provider or service as stacked bars: who drives the total, day by day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from renderers.charts import style
from renderers.i18n import t
from renderers.report_data import StackedData

__all__ = ["render_stacked"]

MAX_SERIES = 5  # more colours than this stop being readable; the rest goes to "other"
MAX_DAILY_BARS = 45  # beyond this, bars per week read better on a phone


def render_stacked(data: StackedData, *, lang: str, title: str | None = None) -> bytes:
    """Stacked bars per day, or per week (Monday start) for periods over 45 days."""
    fig, ax = style.new_figure()
    weekly = len(data.days) > MAX_DAILY_BARS
    title = style.pick_title(
        title, "charts.title.stacked_weekly" if weekly else "charts.title.stacked_daily", lang)
    if not data.days or not data.series:
        style.set_title(ax, title, legend_rows=0)
        style.no_data(ax, lang)
        return style.to_png(fig)

    days, series = _by_week(data.days, data.series) if weekly else (list(data.days),
                                                                     dict(data.series))
    labels, columns = _top_series(series, t("charts.other", lang))
    ncols = min(len(labels), 3 if max(map(len, labels)) > 14 else 6)
    style.set_title(ax, title, legend_rows=-(-len(labels) // ncols))
    colors = style.series_colors(len(labels), other_last=len(series) > MAX_SERIES)
    width = 5.6 if weekly else 0.8
    bottom = [0.0] * len(days)
    x = style.date_numbers(days)
    for label, column, color in zip(labels, columns, colors, strict=True):
        heights = [float(v) for v in column]
        ax.bar(x, heights, width=width, bottom=bottom, color=color,
               label=style.short(label, 24), linewidth=0, align="edge" if weekly else "center")
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]

    ax.grid(axis="y", color=style.GRID, linewidth=1)
    ax.margins(x=0.01)
    style.money_axis(ax.yaxis, data.currency, lang)
    style.date_axis(ax.xaxis, lang)
    style.legend(ax, ncols=ncols)
    return style.to_png(fig)


def _by_week(days: Sequence[date], series: Mapping[str, Sequence[Decimal]]
             ) -> tuple[list[date], dict[str, list[Decimal]]]:
    weeks = sorted({day - timedelta(days=day.weekday()) for day in days})
    index = {week: i for i, week in enumerate(weeks)}
    totals: dict[str, list[Decimal]] = {}
    for label, values in series.items():
        column = [Decimal(0)] * len(weeks)
        for day, value in zip(days, values, strict=True):
            column[index[day - timedelta(days=day.weekday())]] += value
        totals[label] = column
    return weeks, totals


def _top_series(series: Mapping[str, Sequence[Decimal]], other: str
                ) -> tuple[list[str], list[Sequence[Decimal]]]:
    """Largest series first (at the bottom of the stack); the tail merged into `other`."""
    ranked = sorted(series.items(), key=lambda item: sum(item[1], Decimal(0)), reverse=True)
    if len(ranked) <= MAX_SERIES:
        return [label for label, _ in ranked], [values for _, values in ranked]
    head, tail = ranked[: MAX_SERIES - 1], ranked[MAX_SERIES - 1:]
    rest = [sum(column, Decimal(0)) for column in zip(*(v for _, v in tail), strict=True)]
    return [*(label for label, _ in head), other], [*(v for _, v in head), rest]
