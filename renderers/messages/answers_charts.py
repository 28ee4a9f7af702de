"""Chart inputs built from answers, and the PNG with its caption for the bot to send.

Which chart fits which answer: a trend → the daily line with the forecast band; a forecast
→ the same with the month's rest; budgets → budget vs actual; a top list → top N bars (or an
allocation breakdown when grouped by team); spend → daily stacked by provider (needs a trend
answer over the same period, which the bot fetches when the user presses the chart button).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.domain.providers import PROVIDER_NAMES
from core.services.ask.types import Answer, BudgetsAnswer, ForecastAnswer, TopAnswer, TrendAnswer
from core.services.costs import Dimension
from renderers.charts import (
    render_allocation,
    render_budget_vs_actual,
    render_stacked,
    render_top_items,
    render_trend,
)
from renderers.i18n import t
from renderers.messages.answers import month_label
from renderers.messages.answers_common import period_label
from renderers.report_data import (
    AllocationBreakdown,
    BudgetVsActual,
    StackedData,
    TopItem,
    TopItems,
    TrendData,
)

__all__ = ["Chart", "allocation_data", "budget_data", "chart_for", "forecast_data",
           "stacked_data", "top_data", "trend_data"]

CAPTION_LIMIT = 1024  # Telegram's caption limit


@dataclass(frozen=True, slots=True)
class Chart:
    png: bytes
    caption: str


def trend_data(answer: TrendAnswer) -> TrendData:
    fc = answer.forecast
    return TrendData(tuple(d for d, _ in answer.series), tuple(v for _, v in answer.series),
                     tuple(p.day for p in fc), tuple(p.value for p in fc),
                     tuple(p.lower for p in fc), tuple(p.upper for p in fc), answer.currency)


def stacked_data(answer: TrendAnswer) -> StackedData:
    return StackedData(tuple(d for d, _ in answer.series), dict(answer.by_provider),
                       answer.currency)


def forecast_data(answer: ForecastAnswer) -> TrendData:
    """This month's actual days, then the forecast of its rest with the interval."""
    history = [(d, v) for d, v in answer.history if d >= answer.month_start] or list(
        answer.history[-14:])
    pts = [p for p in answer.points if p.day <= answer.month_end]
    return TrendData(tuple(d for d, _ in history), tuple(v for _, v in history),
                     tuple(p.day for p in pts), tuple(p.value for p in pts),
                     tuple(p.lower for p in pts), tuple(p.upper for p in pts), answer.currency)


def budget_data(answer: BudgetsAnswer) -> BudgetVsActual:
    items = answer.items
    return BudgetVsActual(tuple(b.name for b in items), tuple(b.amount for b in items),
                          tuple(b.actual for b in items), tuple(b.forecast for b in items),
                          answer.currency)


def top_data(answer: TopAnswer) -> TopItems:
    return TopItems(tuple(TopItem(
        r.label or "—", r.amount,
        PROVIDER_NAMES.get(str(r.extra.get("provider", "")), str(r.extra.get("provider", ""))))
        for r in answer.rows), answer.currency)


def allocation_data(answer: TopAnswer) -> AllocationBreakdown:
    unallocated = sum((r.amount for r in answer.rows if not r.key), Decimal(0))
    return AllocationBreakdown(tuple((r.label, r.amount) for r in answer.rows if r.key),
                               unallocated, answer.currency)


def chart_for(answer: Answer, lang: str, *, stacked: bool = False) -> Chart | None:
    """The chart that illustrates `answer`, or None when a picture would not add anything."""
    q = answer.question
    period = period_label(q.start, q.end, lang)
    if isinstance(answer, TrendAnswer):
        if stacked and answer.by_provider:
            return Chart(render_stacked(stacked_data(answer), lang=lang),
                         t("answers.chart.spend", lang, period=period))
        return Chart(render_trend(trend_data(answer), lang=lang),
                     t("answers.trend.caption", lang, period=period))
    if isinstance(answer, ForecastAnswer):
        return Chart(render_trend(forecast_data(answer), lang=lang),
                     t("answers.forecast.caption", lang, month=month_label(answer, lang)))
    if isinstance(answer, BudgetsAnswer) and answer.items:
        return Chart(render_budget_vs_actual(budget_data(answer), lang=lang),
                     t("answers.budget.caption", lang, month=month_label(answer, lang)))
    if isinstance(answer, TopAnswer) and answer.rows:
        if answer.by in (Dimension.TEAM, Dimension.PROJECT, Dimension.ENVIRONMENT):
            return Chart(render_allocation(allocation_data(answer), lang=lang),
                         t("answers.chart.allocation", lang, period=period))
        return Chart(render_top_items(top_data(answer), lang=lang,
                                      title=t(f"charts.title.top_by.{answer.by.value}", lang)),
                     t("answers.chart.top", lang, period=period))
    return None
