"""What a daily digest says: yesterday vs the day before and the weekly average, month to
date vs budget, the month-end forecast, top movers, new recommendations and open alerts.

Computed once per organisation and day and shared by every recipient of that day; the
`trend` series feeds the digest's one chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.series import SeriesError
from core.clock import Clock
from core.db.models import AlertEvent, Organization, Recommendation
from core.services import anomaly_service, costs
from core.services.budgets import list_statuses
from core.services.errors import NotFound
from core.services.forecasts import month_end

__all__ = ["AlertLine", "DigestData", "Mover", "RecommendationLine", "build_digest"]

ZERO = Decimal(0)
TREND_DAYS = 30
TOP_MOVERS = 3
LISTED = 3


@dataclass(frozen=True, slots=True)
class Mover:
    label: str
    yesterday: Decimal
    day_before: Decimal

    @property
    def delta(self) -> Decimal:
        return self.yesterday - self.day_before


@dataclass(frozen=True, slots=True)
class RecommendationLine:
    title: str
    monthly_saving: Decimal


@dataclass(frozen=True, slots=True)
class AlertLine:
    id: int
    rule: str
    severity: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DigestData:
    """Every figure of one digest; None means "not known" and is left out, never shown as 0."""

    org_id: int
    org_name: str
    currency: str
    day: date
    yesterday: Decimal
    day_before: Decimal
    week_average: Decimal
    month_to_date: Decimal
    budget: Decimal | None
    forecast: Decimal | None
    forecast_low: Decimal | None
    forecast_high: Decimal | None
    movers: tuple[Mover, ...]
    new_recommendations: tuple[RecommendationLine, ...]
    new_recommendations_count: int
    new_recommendations_saving: Decimal
    open_alerts: tuple[AlertLine, ...]
    open_alerts_count: int
    trend: tuple[tuple[date, Decimal], ...]
    # spend of the trend and month-to-date days in currencies with no rate: in no figure above
    left_out: tuple[costs.LeftOut, ...] = ()
    anomalies_unchecked: tuple[str, int] | None = None  # (reason, days) the total is not judged
    budget_level: str | None = None  # of that budget: green / amber / red (core.domain.levels)

    def ratio(self, other: Decimal) -> Decimal | None:
        """Change of yesterday against `other` as a fraction; None when `other` is zero."""
        return None if other == 0 else (self.yesterday - other) / other


async def _movers(session: AsyncSession, org_id: int, day: date) -> tuple[Mover, ...]:
    before = day - timedelta(days=1)
    series = await costs.daily_by(session, org_id, before, day, costs.Dimension.SERVICE)
    movers = [Mover(label or "—", points[1][1], points[0][1])
              for label, points in series.items()]
    movers = [m for m in movers if m.delta != 0]
    movers.sort(key=lambda m: (-abs(m.delta), m.label))
    return tuple(movers[:TOP_MOVERS])


async def _recommendations(session: AsyncSession, org_id: int,
                           since: datetime) -> tuple[list[RecommendationLine], int, Decimal]:
    where = (Recommendation.org_id == org_id, Recommendation.status == "new",
             Recommendation.created_at >= since)
    count, saving = (await session.execute(select(
        func.count(), func.coalesce(func.sum(Recommendation.monthly_saving), 0)).where(*where))
    ).one()
    rows = (await session.execute(select(Recommendation.title, Recommendation.monthly_saving)
                                  .where(*where).order_by(Recommendation.monthly_saving.desc())
                                  .limit(LISTED))).all()
    return [RecommendationLine(t, s) for t, s in rows], int(count), saving


async def _alerts(session: AsyncSession, org_id: int,
                  now: datetime) -> tuple[list[AlertLine], int]:
    where = (AlertEvent.org_id == org_id, AlertEvent.status == "open",
             AlertEvent.created_at >= now - timedelta(days=7))
    count = (await session.execute(select(func.count()).where(*where))).scalar_one()
    rows = (await session.execute(select(AlertEvent).where(*where)
                                  .order_by(AlertEvent.id.desc()).limit(LISTED))).scalars()
    return [AlertLine(e.id, e.rule, e.severity, dict(e.payload or {})) for e in rows], count


async def build_digest(session: AsyncSession, org_id: int, day: date,
                       clock: Clock) -> DigestData:
    """The digest of `day` (normally yesterday in the recipient's time zone)."""
    org = await session.get(Organization, org_id)
    if org is None:
        raise NotFound("organisation not found")
    trend_start = day - timedelta(days=TREND_DAYS - 1)
    trend = await costs.daily(session, org_id, trend_start, day)
    values = [v for _, v in trend]
    week = values[-8:-1]
    budgets = [b for b in await list_statuses(session, org_id, clock)
               if b.scope_kind == "org" and b.period == "month"]
    try:
        forecast = await month_end(session, org_id, clock)
        fc: tuple[Decimal | None, Decimal | None, Decimal | None] = (
            forecast.total, forecast.lower, forecast.upper)
    except SeriesError:
        fc = (None, None, None)
    recs, rec_count, rec_saving = await _recommendations(
        session, org_id, clock.now() - timedelta(days=1))
    alerts, alert_count = await _alerts(session, org_id, clock.now())
    return DigestData(
        org_id=org_id, org_name=org.name, currency=org.currency, day=day,
        yesterday=values[-1], day_before=values[-2],
        week_average=(sum(week, ZERO) / len(week)) if week else ZERO,
        month_to_date=await costs.total(session, org_id, day.replace(day=1), day),
        budget=budgets[0].amount if budgets else None,
        budget_level=budgets[0].level if budgets else None,
        forecast=fc[0], forecast_low=fc[1], forecast_high=fc[2],
        movers=await _movers(session, org_id, day), new_recommendations=tuple(recs),
        new_recommendations_count=rec_count, new_recommendations_saving=rec_saving,
        open_alerts=tuple(alerts), open_alerts_count=alert_count, trend=tuple(trend),
        left_out=await costs.left_out(session, org_id, min(trend_start, day.replace(day=1)),
                                      day),
        anomalies_unchecked=await _anomalies_unchecked(session, org_id, clock))


async def _anomalies_unchecked(session: AsyncSession, org_id: int,
                               clock: Clock) -> tuple[str, int] | None:
    """Why anomaly detection cannot judge the org's total (said, never silent), or None."""
    status = await anomaly_service.org_status(session, org_id, clock)
    return None if status is None else (status.reason, status.days)
