"""Cost per team or project with the unallocated rest shown as its own grey bar."""

from __future__ import annotations

from decimal import Decimal

from renderers.charts import style
from renderers.format import fmt_money, fmt_percent
from renderers.i18n import t
from renderers.report_data import AllocationBreakdown

__all__ = ["render_allocation"]

MAX_ITEMS = 9


def render_allocation(data: AllocationBreakdown, *, lang: str, title: str | None = None) -> bytes:
    """Bars with amount and share; what no rule covers is visible, so it gets fixed."""
    fig, ax = style.new_figure()
    style.set_title(ax, style.pick_title(title, "charts.title.allocation", lang), legend_rows=0)
    items = sorted(data.items, key=lambda item: item[1], reverse=True)
    if len(items) > MAX_ITEMS:
        rest = sum((cost for _, cost in items[MAX_ITEMS - 1:]), Decimal(0))
        items = [*items[: MAX_ITEMS - 1], (t("charts.other", lang), rest)]
    rows = [(style.short(label, 28), cost, style.PRIMARY) for label, cost in items]
    if data.unallocated > 0:
        rows.append((t("charts.unallocated", lang), data.unallocated, style.MUTED))
    total = sum((cost for _, cost, _ in rows), Decimal(0))
    if not rows or total <= 0:
        style.no_data(ax, lang)
        return style.to_png(fig)

    positions = [-i for i in range(len(rows))]
    costs = [style.to_float(cost) for _, cost, _ in rows]
    bars = ax.barh(positions, costs, height=0.66, color=[color for *_, color in rows],
                   linewidth=0)
    if data.unallocated > 0:
        bars[-1].set_hatch("//")
        bars[-1].set_edgecolor(style.SECONDARY)
    for position, (_, cost, _) in zip(positions, rows, strict=True):
        label = f"  {fmt_money(cost, data.currency, lang)} · {fmt_percent(cost / total, lang)}"
        ax.text(float(cost), position, label, va="center", ha="left",
                fontsize=style.LABEL_PT - 1, color=style.TEXT, fontfamily=style.FONT)
    ax.set_yticks(positions, [label for label, *_ in rows])
    ax.set_xlim(0, max(costs) * 1.45)
    ax.grid(axis="x", color=style.GRID, linewidth=1)
    style.money_axis(ax.xaxis, data.currency, lang)
    return style.to_png(fig)
