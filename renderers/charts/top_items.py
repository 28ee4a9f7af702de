"""The most expensive resources as horizontal bars: names are long, so they get the rows."""

from __future__ import annotations

from matplotlib.patches import Patch

from renderers.charts import style
from renderers.format import fmt_money
from renderers.report_data import TopItems

__all__ = ["render_top_items"]

MAX_ITEMS = 10


def render_top_items(data: TopItems, *, lang: str, title: str | None = None) -> bytes:
    """Top 10 bars, largest on top, coloured by provider, the exact amount at each bar's end."""
    fig, ax = style.new_figure()
    items = sorted(data.items, key=lambda item: item.cost, reverse=True)[:MAX_ITEMS]
    providers = list(dict.fromkeys(item.provider for item in items))
    ncols = min(len(providers), 4)
    legend_rows = -(-len(providers) // ncols) if len(providers) > 1 else 0
    style.set_title(ax, style.pick_title(title, "charts.title.top_items", lang),
                    legend_rows=legend_rows)
    if not items:
        style.no_data(ax, lang)
        return style.to_png(fig)

    palette = dict(zip(providers, style.series_colors(len(providers), False), strict=True))
    positions = [-i for i in range(len(items))]
    costs = [style.to_float(item.cost) for item in items]
    ax.barh(positions, costs, height=0.66, color=[palette[i.provider] for i in items],
            linewidth=0)
    for position, item, cost in zip(positions, items, costs, strict=True):
        ax.text(cost, position, "  " + fmt_money(item.cost, data.currency, lang), va="center",
                ha="left", fontsize=style.LABEL_PT - 1, color=style.TEXT, fontfamily=style.FONT)
    ax.set_yticks(positions, [style.short(item.name, 30) for item in items])
    ax.set_xlim(0, max(costs) * 1.3)
    ax.grid(axis="x", color=style.GRID, linewidth=1)
    style.money_axis(ax.xaxis, data.currency, lang)
    if len(providers) > 1:
        style.legend(ax, ncols=ncols, handles=[
            Patch(color=palette[p], label=style.short(p, 20)) for p in providers])
    return style.to_png(fig)
