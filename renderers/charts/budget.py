"""Budget vs actual as bullet bars: the grey bar is the budget, the coloured one what is spent."""

from __future__ import annotations

from decimal import Decimal

from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from core.domain.levels import budget_level
from renderers.charts import style
from renderers.format import fmt_percent
from renderers.i18n import t
from renderers.report_data import BudgetVsActual

__all__ = ["render_budget_vs_actual"]

MAX_ROWS = 8


def render_budget_vs_actual(data: BudgetVsActual, *, lang: str,
                            title: str | None = None) -> bytes:
    """Horizontal rows so long budget names stay readable; colour says ok / close / over."""
    fig, ax = style.new_figure()
    style.set_title(ax, style.pick_title(title, "charts.title.budget", lang))
    if not data.labels:
        style.no_data(ax, lang)
        return style.to_png(fig)

    rows = range(min(len(data.labels), MAX_ROWS))
    positions = [-i for i in rows]  # first budget on top
    budget = [style.to_float(data.budget[i]) for i in rows]
    actual = [style.to_float(data.actual[i]) for i in rows]
    colors = [_status_color(data.actual[i], data.budget[i],
                            data.forecast[i] if data.forecast else None) for i in rows]
    ax.barh(positions, budget, height=0.72, color=style.GRID, linewidth=0)
    ax.barh(positions, actual, height=0.38, color=colors, linewidth=0)
    handles: list[Artist] = [Patch(color=style.GRID, label=t("charts.legend.budget", lang)),
               Patch(color=style.PRIMARY, label=t("charts.legend.actual", lang))]
    forecast = [data.forecast[i] for i in rows] if data.forecast else []
    marks = [(p, style.to_float(f)) for p, f in zip(positions, forecast, strict=True)
             if f is not None]
    if marks:
        ax.scatter([m[1] for m in marks], [m[0] for m in marks], marker="|", s=1400,
                   linewidths=4, color=style.TEXT, zorder=3)
        handles.append(Line2D([], [], color=style.TEXT, marker="|", markersize=18,
                              markeredgewidth=4, linestyle="none",
                              label=t("charts.legend.forecast", lang)))

    ends = dict(zip(positions, (max(a, b) for a, b in zip(actual, budget, strict=True)),
                    strict=True))
    for position, end in marks:
        ends[position] = max(ends[position], end)
    # The share goes past the row's last mark, so it never collides with the forecast tick.
    for position, spent, limit in zip(positions, actual, budget, strict=True):
        if limit > 0:
            ax.text(ends[position], position, f"  {fmt_percent(spent / limit, lang)}",
                    va="center",
                    ha="left", fontsize=style.LABEL_PT, color=style.TEXT,
                    fontfamily=style.FONT, fontweight="bold")
    ax.set_yticks(positions, [style.short(data.labels[i], 26) for i in rows])
    ax.grid(axis="x", color=style.GRID, linewidth=1)
    ax.set_xlim(left=0, right=max(ends.values()) * 1.18)
    style.money_axis(ax.xaxis, data.currency, lang)
    style.legend(ax, ncols=3, handles=handles)
    return style.to_png(fig)


LEVEL_COLOR = {"green": style.PRIMARY, "amber": style.AMBER, "red": style.RED}


def _status_color(actual: Decimal, budget: Decimal, forecast: Decimal | None) -> str:
    """The budget's level (`core.domain.levels`, the rule every surface uses) as a colour."""
    if budget <= 0:
        return style.RED
    share = Decimal(actual) * 100 / Decimal(budget)
    overrun = forecast is not None and forecast > budget
    return LEVEL_COLOR[budget_level(share, overrun)]
