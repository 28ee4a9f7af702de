"""Answers as Telegram HTML, in Russian or English: one function per answer kind.

`render_answer` picks by type; lists (resources, recommendations, anomalies) live in
`answers_lists`, chart inputs in `answers_charts`. All text comes from `answers.json`.
"""

from __future__ import annotations

from decimal import Decimal
from functools import singledispatch

from core.domain.providers import PROVIDER_NAMES
from core.services.ask.types import (
    Answer,
    BudgetsAnswer,
    ForecastAnswer,
    SpendAnswer,
    TopAnswer,
    TrendAnswer,
)
from core.services.costs import CostRow, Dimension
from renderers.format import fmt_date, fmt_percent, fmt_signed_percent
from renderers.i18n import t
from renderers.messages.answers_common import (
    esc,
    filters_line,
    money,
    period_label,
    share,
    updating_lines,
)
from renderers.messages.answers_lists import (
    render_anomalies,
    render_recommendations,
    render_resources,
)
from renderers.messages.estimated import estimated_line
from renderers.messages.rates import left_out_lines

__all__ = ["month_label", "render_answer"]

SHOWN_ROWS = 5


def month_label(answer: ForecastAnswer | BudgetsAnswer, lang: str) -> str:
    return fmt_date(answer.month_start, lang, "LLLL y")


def _join(lines: list[str | None]) -> str:
    return "\n".join(line for line in lines if line is not None)


def _rows(rows: tuple[CostRow, ...], total: Decimal, currency: str, lang: str) -> list[str]:
    lines = [f"• {esc(r.label or t('answers.top.unnamed', lang))} — "
             + t("answers.share", lang, amount=money(r.amount, currency, lang),
                 share=share(r.amount, total, lang)) for r in rows[:SHOWN_ROWS]]
    if len(rows) > SHOWN_ROWS:
        lines.append(t("answers.spend.more", lang, count=len(rows) - SHOWN_ROWS))
    return lines


def _left_out(answer: SpendAnswer | TopAnswer | TrendAnswer | ForecastAnswer | BudgetsAnswer,
              lang: str) -> list[str | None]:
    """⚠️ Amounts in currencies with no rate: never silently dropped from an answer."""
    lines = left_out_lines(answer.left_out, lang, hint="bot")
    return ["", "⚠️ " + esc(lines[0]), *(esc(line) for line in lines[1:])] if lines else []


@singledispatch
def _render(answer: object, lang: str) -> str:
    raise TypeError(f"no renderer for {type(answer).__name__}")


def _nothing(answer: SpendAnswer | TopAnswer | TrendAnswer, lang: str) -> str | None:
    """Nothing matched: say which days do have data, or that there is none yet. Costs left out
    for want of a rate are costs: then the answer is rendered, with what was left out."""
    if answer.total or answer.left_out:
        return None
    q = answer.question
    head = filters_line(q, lang)
    if answer.coverage is None:
        body = t("answers.no_data_at_all", lang)
    else:
        body = t("answers.no_data", lang, first=fmt_date(answer.coverage[0], lang),
                 last=fmt_date(answer.coverage[1], lang))
    return _join([period_label(q.start, q.end, lang), head, body, *_updating(answer, lang)])


@_render.register
def _spend(answer: SpendAnswer, lang: str) -> str:
    if (empty := _nothing(answer, lang)) is not None:
        return empty
    q, cur = answer.question, answer.currency
    ratio = answer.change_ratio
    change = (t("answers.spend.change", lang, change=fmt_signed_percent(ratio, lang),
                previous=money(answer.previous_total, cur, lang))
              if ratio is not None else t("answers.spend.no_previous", lang))
    lines: list[str | None] = [
        t("answers.spend.title", lang, period=period_label(q.start, q.end, lang)),
        filters_line(q, lang),
        t("answers.spend.total", lang, amount=money(answer.total, cur, lang)), change]
    if answer.by_provider:
        lines += ["", t("answers.spend.by_provider", lang),
                  *_rows(answer.by_provider, answer.total, cur, lang)]
    if answer.by_service:
        lines += ["", t("answers.spend.by_service", lang),
                  *_rows(answer.by_service, answer.total, cur, lang)]
    return _join(lines + _updating(answer, lang) + _estimated(answer, lang)
                 + _left_out(answer, lang))


def _updating(answer: SpendAnswer | TopAnswer | TrendAnswer | ForecastAnswer | BudgetsAnswer,
              lang: str) -> list[str | None]:
    return updating_lines(answer.updating, lang)


def _estimated(answer: SpendAnswer | ForecastAnswer, lang: str) -> list[str | None]:
    """ℹ️ Days whose cost is an estimate (a provider without billing history)."""
    line = estimated_line(answer.estimated, lang)
    return ["", "ℹ️ " + esc(line)] if line else []


@_render.register
def _top(answer: TopAnswer, lang: str) -> str:
    if (empty := _nothing(answer, lang)) is not None:
        return empty
    q, cur = answer.question, answer.currency
    lines: list[str | None] = [
        t(f"answers.top.title.{answer.by.value}", lang,
          period=period_label(q.start, q.end, lang)), filters_line(q, lang)]
    for n, row in enumerate(answer.rows, 1):
        name = esc(row.label or t("answers.top.unnamed", lang))
        amount, pct = money(row.amount, cur, lang), share(row.amount, answer.total, lang)
        provider = row.extra.get("provider") if answer.by is Dimension.RESOURCE else None
        lines.append(t("answers.top.row_provider", lang, n=n, name=name, amount=amount,
                       share=pct, provider=esc(PROVIDER_NAMES.get(provider, provider)))
                     if provider else
                     t("answers.top.row", lang, n=n, name=name, amount=amount, share=pct))
    lines.append(t("answers.top.total", lang, amount=money(answer.total, cur, lang)))
    return _join(lines + _updating(answer, lang) + _left_out(answer, lang))


@_render.register
def _trend(answer: TrendAnswer, lang: str) -> str:
    if (empty := _nothing(answer, lang)) is not None and not answer.forecast:
        return empty
    q, cur = answer.question, answer.currency
    lines: list[str | None] = [
        t("answers.trend.title", lang, period=period_label(q.start, q.end, lang)),
        filters_line(q, lang)]
    if answer.series:
        average = answer.total / len(answer.series)
        lines.append(t("answers.trend.summary", lang, total=money(answer.total, cur, lang),
                       average=money(average, cur, lang)))
        peak_day, peak = max(answer.series, key=lambda p: (p[1], p[0]))
        if peak > 0:
            lines.append(t("answers.trend.peak", lang, day=fmt_date(peak_day, lang),
                           amount=money(peak, cur, lang)))
    if answer.forecast:
        value = sum((p.value for p in answer.forecast), Decimal(0))
        low = sum((p.lower for p in answer.forecast), Decimal(0))
        high = sum((p.upper for p in answer.forecast), Decimal(0))
        lines.append(t("answers.trend.forecast", lang, days=len(answer.forecast),
                       value=money(value, cur, lang), low=money(low, cur, lang),
                       high=money(high, cur, lang)))
    return _join(lines + _updating(answer, lang) + _left_out(answer, lang))


@_render.register
def _forecast(answer: ForecastAnswer, lang: str) -> str:
    cur = answer.currency
    lines: list[str | None] = [
        t("answers.forecast.title", lang, month=month_label(answer, lang)),
        filters_line(answer.question, lang),
        t("answers.forecast.total", lang, total=money(answer.total, cur, lang),
          low=money(answer.lower, cur, lang), high=money(answer.upper, cur, lang)),
        t("answers.forecast.actual", lang, actual=money(answer.actual_to_date, cur, lang),
          days=answer.days_left)]
    if answer.budget is None:
        lines.append(t("answers.forecast.no_budget", lang))
    elif answer.total > answer.budget:
        lines.append(t("answers.forecast.budget_over", lang,
                       budget=money(answer.budget, cur, lang),
                       over=money(answer.total - answer.budget, cur, lang)))
    else:
        lines.append(t("answers.forecast.budget_ok", lang,
                       budget=money(answer.budget, cur, lang),
                       margin=money(answer.budget - answer.total, cur, lang)))
    return _join(lines + _updating(answer, lang) + _estimated(answer, lang)
                 + _left_out(answer, lang))


@_render.register
def _budgets(answer: BudgetsAnswer, lang: str) -> str:
    if not answer.items:
        return t("answers.budget.none", lang)
    cur = answer.currency
    lines = [t("answers.budget.title", lang, month=month_label(answer, lang))]
    for b in answer.items:
        lines.append(t("answers.budget.row", lang, icon=t(f"answers.budget.status.{b.status}",
                                                           lang),
                       name=esc(b.name), actual=money(b.actual, cur, lang),
                       amount=money(b.amount, cur, lang), used=fmt_percent(b.used_ratio, lang)))
        if b.unmatched:
            lines.append(t("answers.budget.unmatched", lang))
        if b.forecast is not None:
            lines.append(t("answers.budget.forecast", lang,
                           forecast=money(b.forecast, cur, lang)))
    return _join([*lines, *_updating(answer, lang), *_left_out(answer, lang)])


_render.register(render_resources)
_render.register(render_recommendations)
_render.register(render_anomalies)


def render_answer(answer: Answer, lang: str) -> str:
    """The answer's text in `lang` (Telegram HTML)."""
    return _render(answer, lang)
