"""Answer a question: map an intent, a period and filters onto the spend, budget and
forecast services and return an answer record (see `ask_types`).

This is the one place the bot's questions become queries, so `/spend`, free text and
`infrazen chat` answer alike. Everything is scoped by `org_id`; connection names are resolved
inside the organisation, so a name from another organisation matches nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.series import SeriesError
from core.clock import FrozenClock
from core.db.casefold import one_of
from core.db.models import Connection, Organization, Resource
from core.domain.providers import PROVIDER_NAMES
from core.domain.reports import EstimatedDays
from core.services import costs, forecasts
from core.services.ask.budgets import budgets_answer, org_month_budget
from core.services.ask.lists import anomalies_answer, recommendations_answer, resources_answer
from core.services.ask.types import (
    Answer,
    BudgetsAnswer,
    ForecastAnswer,
    Intent,
    Question,
    SpendAnswer,
    TopAnswer,
    TrendAnswer,
    TrendPoint,
)
from core.services.budgets import period_bounds
from core.services.costs import CostContext, CostFilters, Dimension
from core.services.errors import NotFound
from core.services.estimated import estimated_by_provider
from core.services.updating import days_updating

__all__ = ["FORECAST_HISTORY_DAYS", "default_question", "execute", "resolve_filters"]

FORECAST_HISTORY_DAYS = 90
TREND_HORIZON_DAYS = 14
STACKED_MAX_DAYS = 93
# the answers with figures over a period, which a half-switched import would skew
_Figures = TypeVar("_Figures", SpendAnswer, TopAnswer, TrendAnswer, ForecastAnswer,
                   BudgetsAnswer)
_NOTHING = (-1,)  # a connection id no row has: "a name that matched nothing" stays empty


def default_question(intent: Intent, today: date, *, page: int = 0) -> Question:
    """A question asked by a command or a menu button: the usual period for that intent.

    Spend is month to date (last month on the 1st), lists and trends the last 30 days,
    forecasts and budgets the current month; data ends yesterday.
    """
    yesterday = today - timedelta(days=1)
    if intent in (Intent.FORECAST, Intent.BUDGET):
        start, end = period_bounds("month", today)
    elif intent in (Intent.SPEND, Intent.REPORT):
        start, end = yesterday.replace(day=1), yesterday
    else:
        start, end = yesterday - timedelta(days=29), yesterday
    return Question(intent, start, end, page=page)


async def resolve_filters(session: AsyncSession, org_id: int, question: Question) -> CostFilters:
    """The question's filters with connection names turned into this org's connection ids."""
    f = question.filters
    if not question.connection_names:
        return f
    ids = tuple((await session.execute(select(Connection.id).where(
        Connection.org_id == org_id, one_of(Connection.name, question.connection_names)))
    ).scalars())
    merged = tuple(sorted(set(f.connection_ids) | set(ids))) or _NOTHING
    return replace(f, connection_ids=merged)  # every other filter as it was


async def execute(session: AsyncSession, org_id: int, question: Question, *,
                  today: date) -> Answer:
    """Run `question` for the organisation; `today` anchors forecasts and budgets.

    The org's currency and rates are read once (a `CostContext`) and shared by every query
    of the answer; the org row itself comes from the session when the update has loaded it."""
    filters = await resolve_filters(session, org_id, question)
    org = await session.get(Organization, org_id)
    ctx = await costs.cost_context(session, org_id, currency=org.currency if org else None)
    currency = ctx.currency
    match question.intent:
        case Intent.TOP:
            return await _updating(session, org_id, filters, await _top(
                session, org_id, question, filters, ctx))
        case Intent.TREND:
            return await _updating(session, org_id, filters, await _trend(
                session, org_id, question, filters, ctx, today))
        case Intent.FORECAST:
            return await _updating(session, org_id, filters, await _forecast(
                session, org, question, filters, ctx, today))
        case Intent.BUDGET:
            return await _updating(session, org_id, CostFilters(), await budgets_answer(
                session, org_id, question, currency, today, ctx=ctx))
        case Intent.RESOURCES:
            return await resources_answer(session, org_id, question, filters, currency)
        case Intent.RECOMMENDATIONS:
            return await recommendations_answer(session, org_id, question, currency, today)
        case Intent.ANOMALIES:
            return await anomalies_answer(session, org_id, question, filters, currency, ctx=ctx)
        case _:
            return await _updating(session, org_id, filters, await _spend(
                session, org_id, question, filters, ctx))


async def _updating(session: AsyncSession, org_id: int, filters: CostFilters,
                    answer: _Figures) -> _Figures:
    """The answer, with the days of its period a file import is switching right now (each
    day is old or new, but a total over them is neither figure: the answer says so); only
    imports into the connections and providers the question is narrowed to, if it is (the
    budgets answer is the whole org's: every budget's spend)."""
    if isinstance(answer, ForecastAnswer | BudgetsAnswer):
        start, end = answer.month_start, answer.month_end
    else:
        start, end = answer.question.start, answer.question.end
    found = await days_updating(session, org_id, start, end,
                                connection_ids=filters.connection_ids,
                                providers=filters.providers)
    return replace(answer, updating=found) if found else answer


async def _spend(session: AsyncSession, org_id: int, q: Question, filters: CostFilters,
                 ctx: CostContext) -> SpendAnswer:
    prev_end = q.start - timedelta(days=1)
    prev_start = prev_end - timedelta(days=q.days - 1)
    by_service = await costs.breakdown(session, org_id, q.start, q.end, Dimension.SERVICE,
                                       filters, ctx=ctx)
    total = sum((r.amount for r in by_service), Decimal(0))
    by_provider: list[costs.CostRow] = []
    if len(filters.providers) != 1 and total:  # one provider named: its split is itself
        by_provider = await costs.breakdown(session, org_id, q.start, q.end,
                                            Dimension.PROVIDER, filters, ctx=ctx)
    previous = await costs.total(session, org_id, prev_start, prev_end, filters, ctx=ctx)
    missing = await costs.left_out(session, org_id, q.start, q.end, filters, ctx=ctx)
    coverage = None if total else await costs.data_range(session, org_id)
    estimated = await estimated_by_provider(session, org_id, q.start, q.end) if total else ()
    return SpendAnswer(q, ctx.currency, total, prev_start, prev_end, previous, tuple(by_provider),
                       tuple(by_service), missing, coverage, estimated)


async def _top(session: AsyncSession, org_id: int, q: Question, filters: CostFilters,
               ctx: CostContext) -> TopAnswer:
    by = q.by or Dimension.RESOURCE
    rows = await costs.breakdown(session, org_id, q.start, q.end, by, filters, limit=q.limit,
                                 ctx=ctx)
    total = await costs.total(session, org_id, q.start, q.end, filters, ctx=ctx)
    if by is Dimension.RESOURCE and rows:
        providers = {name: kind for name, kind in (await session.execute(
            select(Resource.name, Connection.kind)
            .join(Connection, Connection.id == Resource.connection_id)
            .where(Resource.org_id == org_id,
                   Resource.name.in_([r.key for r in rows])))).all()}
        rows = [costs.CostRow(r.key, r.label, r.amount, r.currency,
                              {**r.extra, "provider": providers.get(r.key, "")}) for r in rows]
    coverage = None if total else await costs.data_range(session, org_id)
    missing = await costs.left_out(session, org_id, q.start, q.end, filters, ctx=ctx)
    return TopAnswer(q, ctx.currency, by, tuple(rows), total, coverage, missing)


async def _points(history: list[tuple[date, Decimal]],
                  horizon: int) -> tuple[TrendPoint, ...]:
    try:
        fc = await forecasts.project(history, horizon)
    except SeriesError:
        return ()
    return tuple(TrendPoint(p.day, p.value, p.lower, p.upper) for p in fc.points)


async def _trend(session: AsyncSession, org_id: int, q: Question, filters: CostFilters,
                 ctx: CostContext, today: date) -> TrendAnswer:
    series = await costs.daily(session, org_id, q.start, q.end, filters, ctx=ctx)
    by_provider: dict[str, tuple[Decimal, ...]] = {}
    if q.days <= STACKED_MAX_DAYS:  # past a quarter a stacked daily chart is unreadable
        stacked = await costs.daily_by(session, org_id, q.start, q.end, Dimension.PROVIDER,
                                       filters, ctx=ctx)
        by_provider = {PROVIDER_NAMES.get(k, k): tuple(v for _, v in values)
                       for k, values in stacked.items()}
    points: tuple[TrendPoint, ...] = ()
    if q.end >= today - timedelta(days=1):  # the period reaches the latest data: look ahead
        last = min(q.end, today - timedelta(days=1))
        history = series if q.days >= FORECAST_HISTORY_DAYS else await costs.daily(
            session, org_id, last - timedelta(days=FORECAST_HISTORY_DAYS - 1), last, filters,
            ctx=ctx)
        history = [(d, v) for d, v in history if d <= last]
        points = await _points(history, TREND_HORIZON_DAYS)
    total = sum((v for _, v in series), Decimal(0))
    coverage = None if total else await costs.data_range(session, org_id)
    missing = await costs.left_out(session, org_id, q.start, q.end, filters, ctx=ctx)
    return TrendAnswer(q, ctx.currency, tuple(series), total, points, by_provider, coverage,
                       missing)


async def _forecast(session: AsyncSession, org: Organization | None, q: Question,
                    filters: CostFilters, ctx: CostContext, today: date) -> ForecastAnswer:
    """Where this month lands: actual to yesterday + forecast of the rest, vs the org budget.

    The daily series is read once, over the days both the chart's history and the month end
    (`forecasts.period_window`) need, and handed to `period_end`."""
    if org is None:
        raise NotFound("organisation not found")
    org_id, currency = org.id, ctx.currency
    last = today - timedelta(days=1)
    info = forecasts.info_of(
        org, FrozenClock(datetime.combine(today, time(12), ZoneInfo(org.timezone or "UTC"))))
    known = await forecasts.data_end(session, org_id, info)
    month_start, month_last = period_bounds("month", today)
    chart_from = last - timedelta(days=FORECAST_HISTORY_DAYS - 1)
    first, final = forecasts.period_window(info, month_start, month_last, known)
    window = await costs.daily(session, org_id, min(first, chart_from), max(final, last),
                               filters, ctx=ctx)
    history = [(d, v) for d, v in window if chart_from <= d <= last]
    try:
        # the one month-end path (budgets and the digest take it too): same figure everywhere
        month = await forecasts.period_end(session, org_id, info, month_start, month_last,
                                           filters, known=known, min_history=2, ctx=ctx,
                                           daily=window)
        fc_points = await _points(history, max(0, (month.month_end - last).days))
    except SeriesError:
        actual = sum((v for d, v in history if d >= month_start), Decimal(0))
        return ForecastAnswer(q, currency, month_start, month_last, actual, actual,
                              actual, actual, (month_last - today).days + 1, None,
                              tuple(history), (), *await _month_notes(
                                  session, org_id, month_start, last, filters, ctx))
    budget = None
    if filters.is_empty():
        budget = await org_month_budget(session, org_id)
    return ForecastAnswer(q, currency, month.month_start, month.month_end, month.actual_to_date,
                          month.total, month.lower, month.upper, month.days_left, budget,
                          tuple(history), fc_points,
                          *await _month_notes(session, org_id, month_start, last, filters,
                                              ctx))


async def _month_notes(session: AsyncSession, org_id: int, start: date, last: date,
                       filters: CostFilters, ctx: CostContext,
                       ) -> tuple[tuple[costs.LeftOut, ...],
                                                      tuple[EstimatedDays, ...]]:
    """What the month so far leaves out for want of a rate, and which of its days are estimates."""
    if last < start:  # the first of the month: nothing so far
        return (), ()
    return (await costs.left_out(session, org_id, start, last, filters, ctx=ctx),
            await estimated_by_provider(session, org_id, start, last))
