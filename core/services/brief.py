"""The CFO brief's data: KPIs, trend, breakdowns, budgets, savings and anomalies of one period.

A period is a month (`2026-10`) or an ISO week (`2026-W45`). Providers keep adjusting the
previous month for about ten days, so a monthly brief is `preliminary` until the 10th of the
next month and `final` after; the final edition lists what moved since the preliminary one
(its figures are kept by whoever sent it, see `brief_figures`). Texts are not made here: rows
carry names, kinds and numbers, and `renderers.pdf` words them in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.forecast import MonthEnd
from core.analytics.series import SeriesError
from core.clock import Clock
from core.db.models import Budget, Connection, Organization, Resource
from core.domain.levels import budget_level
from core.domain.providers import PROVIDER_NAMES
from core.domain.reports import (
    AnomalyRow,
    BriefData,
    BriefKpis,
    BudgetRow,
    ChangeRow,
    Confidence,
    Edition,
    RecommendationRow,
    ShareRow,
    StackedData,
    TrendData,
)
from core.services import anomaly_service, budgets, costs, forecasts
from core.services.errors import NotFound, ServiceError
from core.services.estimated import estimated_by_provider
from core.services.recommendations.lifecycle import list_recommendations

__all__ = ["FINAL_AFTER_DAYS", "BriefPeriod", "brief_figures", "build_brief", "edition_for",
           "parse_period"]

FINAL_AFTER_DAYS = 10
TOP_RECOMMENDATIONS = 10
TOTAL_KEY = "total"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)
_LOCALE = {"ru": "ru_RU", "en": "en_US"}


@dataclass(frozen=True, slots=True)
class BriefPeriod:
    """[start, end] inclusive; `key` is how schedules and the CLI name it."""

    start: date
    end: date
    kind: Literal["month", "week"]
    key: str

    def previous(self) -> BriefPeriod:
        if self.kind == "week":
            return week_period(self.start - timedelta(days=7))
        return month_period(self.start - timedelta(days=1))


def month_period(day: date) -> BriefPeriod:
    start, end = budgets.period_bounds("month", day)
    return BriefPeriod(start, end, "month", f"{start:%Y-%m}")


def week_period(day: date) -> BriefPeriod:
    start = day - timedelta(days=day.weekday())
    year, week, _ = start.isocalendar()
    return BriefPeriod(start, start + timedelta(days=6), "week", f"{year}-W{week:02d}")


def parse_period(text: str) -> BriefPeriod:
    """`2026-10` → October 2026; `2026-W45` → that ISO week. Anything else: a clear error."""
    value = text.strip()
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return month_period(date(year, month, 1))
    if match := _WEEK.match(value):
        try:
            return week_period(date.fromisocalendar(int(match[1]), int(match[2]), 1))
        except ValueError:
            pass
    raise ServiceError(f"period {text!r} is not a month like 2026-10 or a week like 2026-W45")


def edition_for(period: BriefPeriod, today: date) -> Edition:
    """Weekly briefs are weekly; a month is preliminary until the 10th of the month after."""
    if period.kind == "week":
        return "weekly"
    final_from = period.end + timedelta(days=FINAL_AFTER_DAYS)
    return "final" if today >= final_from else "preliminary"


def _label(period: BriefPeriod, lang: str) -> str:
    locale = _LOCALE.get(lang, "ru_RU")
    if period.kind == "month":
        return format_date(period.start, "LLLL y", locale=locale).capitalize()
    return (f"{format_date(period.start, 'd MMM', locale=locale)} – "
            f"{format_date(period.end, 'd MMM y', locale=locale)}")


def _shares(rows: list[costs.CostRow], total: Decimal, limit: int = 12) -> tuple[ShareRow, ...]:
    return tuple(ShareRow(r.label or "—", r.amount, r.amount / total if total else Decimal(0))
                 for r in rows[:limit])


def _confidence(value: float) -> Confidence:
    return "high" if value >= 0.75 else "medium" if value >= 0.5 else "low"


async def _org(session: AsyncSession, org_id: int) -> Organization:
    org = (await session.execute(
        select(Organization).where(Organization.id == org_id))).scalar_one_or_none()
    if org is None:
        raise NotFound("organisation not found")
    return org


async def _recommendations(session: AsyncSession, org_id: int) -> tuple[RecommendationRow, ...]:
    recs = (await list_recommendations(session, org_id))[:TOP_RECOMMENDATIONS]
    names = dict((await session.execute(select(Resource.id, Resource.name).where(
        Resource.org_id == org_id,
        Resource.id.in_([r.resource_id for r in recs if r.resource_id])))).all())
    kinds = dict((await session.execute(select(Connection.id, Connection.kind).where(
        Connection.org_id == org_id))).all())
    rows = []
    for rec in recs:
        resource = names.get(rec.resource_id or 0) or str(rec.params.get("resource") or "")
        provider = kinds.get(rec.connection_id or 0, "")
        rows.append(RecommendationRow(
            title=rec.title, resource=resource, provider=PROVIDER_NAMES.get(provider, provider),
            monthly_saving=rec.monthly_saving, confidence=_confidence(rec.confidence),
            kind=rec.kind, params=dict(rec.params or {})))
    return tuple(rows)


async def _anomalies(session: AsyncSession, clock: Clock, period: BriefPeriod,
                     info: forecasts.OrgInfo, end: date) -> tuple[AnomalyRow, ...]:
    days = max(60, (info.today - period.start).days + 60)
    found = await anomaly_service.detect_anomalies(session, info.id, clock, days=days,
                                                   since=period.start, info=info, end=end)
    rows = []
    for item in found:
        a = item.anomaly
        if a.start > period.end:
            continue
        drivers = ", ".join(c.key for c in (item.resources or item.services)[:3])
        rows.append(AnomalyRow(a.peak_day, f"{item.label}: {drivers}" if drivers else item.label,
                               a.delta))
    return tuple(rows)


async def _budgets(session: AsyncSession, period: BriefPeriod, clock: Clock, current: bool,
                   info: forecasts.OrgInfo, end: date,
                   ctx: costs.CostContext) -> tuple[BudgetRow, ...]:
    """Monthly budgets against a month's actual; the current period adds their forecasts."""
    org_id = info.id
    if current:
        statuses = await budgets.list_statuses(session, org_id, clock, info=info, end=end,
                                               ctx=ctx)
        return tuple(BudgetRow(s.name, s.amount, s.spent, s.forecast, s.level)
                     for s in statuses if s.period == period.kind or period.kind == "week")
    if period.kind != "month":
        return ()
    rows = []
    for budget in (await session.execute(select(Budget).where(
            Budget.org_id == org_id, Budget.is_active.is_(True)))).scalars():
        if budget.period != "month":
            continue
        spent = await costs.total(session, org_id, period.start, period.end,
                                  budgets.scope_filters(budget.scope_kind, budget.scope_value),
                                  ctx=ctx)
        share = spent / budget.amount * 100 if budget.amount else Decimal(0)
        rows.append(BudgetRow(budget.name, budget.amount, spent, None,
                              budget_level(share, False, tuple(budget.thresholds))))
    return tuple(rows)


async def build_brief(session: AsyncSession, org_id: int, period: BriefPeriod, lang: str,
                      clock: Clock, *, preliminary: Mapping[str, str] | None = None) -> BriefData:
    """Everything the PDF shows for `period`, in the org's currency and time zone.

    The organisation and the range of its data are read once here and passed down to the
    forecast, budget and anomaly services, and every spend query shares one `CostContext`
    (the org's currency and rates)."""
    org = await _org(session, org_id)
    info = forecasts.info_of(org, clock)
    ctx = await costs.cost_context(session, org_id, currency=org.currency)
    span = await costs.data_range(session, org_id)
    known = forecasts.known_end(info, span)  # the last complete day with data
    current = period.start <= info.today <= period.end + timedelta(days=1)
    total = await costs.total(session, org_id, period.start, period.end, ctx=ctx)
    prev = period.previous()
    previous_total = await costs.total(session, org_id, prev.start, prev.end, ctx=ctx)
    previous_known = span is not None and span[0] <= prev.start
    try:
        month_end: MonthEnd | None = await forecasts.month_end(session, org_id, clock,
                                                               info=info, end=known, ctx=ctx)
    except SeriesError:  # nothing converted yet (e.g. only costs without a rate): no forecast
        month_end = None
    budget_rows = await _budgets(session, period, clock, current, info, known, ctx)
    org_budget = next((b for b in budget_rows), None)
    recommendations = await _recommendations(session, org_id)
    trend_end = min(period.end, info.yesterday)
    series = await costs.daily(session, org_id, period.start, trend_end, ctx=ctx)
    trend = TrendData(tuple(d for d, _ in series), tuple(v for _, v in series),
                      currency=org.currency)
    if current and month_end is not None:  # no history to forecast from: no forecast line
        ahead = await forecasts.next_days(session, org_id, clock,
                                          days=max(0, (period.end - info.today).days + 1),
                                          info=info, end=known, ctx=ctx)
        points = [p for p in ahead.points if trend_end < p.day <= period.end]
        trend = TrendData(trend.days, trend.values, tuple(p.day for p in points),
                          tuple(p.value for p in points), tuple(p.lower for p in points),
                          tuple(p.upper for p in points), currency=org.currency)
    by_provider = await costs.breakdown(session, org_id, period.start, period.end,
                                        costs.Dimension.PROVIDER, ctx=ctx)
    stacked = await costs.daily_by(session, org_id, period.start, trend_end,
                                   costs.Dimension.PROVIDER, ctx=ctx)
    kpis = BriefKpis(
        total=total,
        previous_total=previous_total if previous_known else None,
        change_ratio=(total - previous_total) / previous_total
        if previous_known and previous_total else None,
        forecast_total=month_end.total if month_end else None,
        forecast_low=month_end.lower if month_end else None,
        forecast_high=month_end.upper if month_end else None,
        budget_amount=org_budget.amount if org_budget else None,
        budget_used_ratio=org_budget.actual / org_budget.amount
        if org_budget and org_budget.amount else None,
        budget_status=org_budget.status if org_budget else None,
        potential_savings=sum((r.monthly_saving for r in recommendations), Decimal(0)))
    data = BriefData(
        org_name=org.name, period_start=period.start, period_end=period.end,
        period_label=_label(period, lang), lang=lang, currency=org.currency,
        edition=edition_for(period, info.today), kpis=kpis, trend=trend,
        generated_at=clock.now(), timezone=org.timezone,
        by_provider=_shares(by_provider, total),
        by_service=_shares(await costs.breakdown(session, org_id, period.start, period.end,
                                                 costs.Dimension.SERVICE, ctx=ctx), total),
        by_team=_shares(await costs.breakdown(session, org_id, period.start, period.end,
                                              costs.Dimension.TEAM, ctx=ctx), total),
        provider_daily=StackedData(
            tuple(d for d, _ in series),
            {PROVIDER_NAMES.get(k, k): tuple(v for _, v in s) for k, s in stacked.items()},
            currency=org.currency) if stacked else None,
        budgets=budget_rows, recommendations=recommendations,
        anomalies=await _anomalies(session, clock, period, info, known),
        left_out=await costs.left_out(session, org_id, period.start, period.end, ctx=ctx),
        estimated=await estimated_by_provider(session, org_id, period.start, period.end))
    if data.edition == "final" and preliminary:
        data = _with_changes(data, preliminary)
    return data


def brief_figures(data: BriefData) -> dict[str, str]:
    """The numbers a final edition compares against: the total and each provider's spend."""
    figures = {TOTAL_KEY: str(data.kpis.total)}
    figures.update({f"provider:{row.label}": str(row.cost) for row in data.by_provider})
    return figures


def _with_changes(data: BriefData, preliminary: Mapping[str, str]) -> BriefData:
    now = brief_figures(data)
    changes = []
    for key in sorted(set(now) | set(preliminary), key=lambda k: (k != TOTAL_KEY, k)):
        before, after = Decimal(preliminary.get(key, "0")), Decimal(now.get(key, "0"))
        if before != after:
            label = "Σ" if key == TOTAL_KEY else key.removeprefix("provider:")
            changes.append(ChangeRow(label, before, after))
    return replace(data, changes_since_preliminary=tuple(changes))
