"""Daily spend with the forecast and its interval: the one chart every brief opens with."""

from __future__ import annotations

from matplotlib.artist import Artist

from renderers.charts import style
from renderers.i18n import t
from renderers.report_data import TrendData

__all__ = ["render_trend"]


def render_trend(data: TrendData, *, lang: str, title: str | None = None) -> bytes:
    """Actual spend as a filled line, the forecast dashed with a shaded low–high band."""
    fig, ax = style.new_figure()
    style.set_title(ax, style.pick_title(title, "charts.title.trend", lang))
    if not data.days and not data.forecast_days:
        style.no_data(ax, lang)
        return style.to_png(fig)

    handles: list[Artist] = []
    values = [style.to_float(v) for v in data.values]
    actual_days = style.date_numbers(data.days)
    if data.days:
        (line,) = ax.plot(actual_days, values, color=style.PRIMARY, linewidth=3,
                          label=t("charts.legend.actual", lang))
        ax.fill_between(actual_days, values, color=style.ACCENT, alpha=0.10, linewidth=0)
        handles.append(line)

    if data.forecast_days:
        # Start the forecast at the last actual point so the two lines join.
        head_days, head_values = actual_days[-1:], values[-1:]
        days = [*head_days, *style.date_numbers(data.forecast_days)]
        (forecast,) = ax.plot(days, [*head_values, *map(style.to_float, data.forecast_values)],
                              color=style.ACCENT, linewidth=3, linestyle=(0, (4, 2)),
                              label=t("charts.legend.forecast", lang))
        band = ax.fill_between(days, [*head_values, *map(style.to_float, data.forecast_low)],
                               [*head_values, *map(style.to_float, data.forecast_high)],
                               color=style.ACCENT, alpha=0.22, linewidth=0,
                               label=t("charts.legend.interval", lang))
        handles += [forecast, band]
        if data.days:
            ax.axvline(actual_days[-1], color=style.SECONDARY, linewidth=1, linestyle=":")

    ax.set_ylim(bottom=0)
    ax.margins(x=0.01)
    ax.grid(axis="y", color=style.GRID, linewidth=1)
    style.money_axis(ax.yaxis, data.currency, lang)
    style.date_axis(ax.xaxis, lang)
    style.legend(ax, ncols=3, handles=handles)
    return style.to_png(fig)
