"""List answers: resources (paginated, with zombie/orphan flags), open recommendations and the
anomalies of a period.

Anomalies come from the one anomaly service (`core.services.anomaly_service`, honouring the
org's thresholds, the days marked planned and the purchases) on the costliest services' daily
series, read over the history the alerts read (`anomaly_service.history_start`: thirteen
months, and six weeks before the period at least). A series that cannot be judged is named
with its reason, never dropped.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.casefold import one_of
from core.db.models import Connection, Recommendation, Resource
from core.domain.providers import PROVIDER_NAMES
from core.services import anomaly_service, costs
from core.services.ask.types import (
    AnomaliesAnswer,
    AnomalyItem,
    Question,
    RecommendationItem,
    RecommendationsAnswer,
    ResourceItem,
    ResourcesAnswer,
)
from core.services.costs import CostFilters, Dimension

__all__ = ["OPEN_STATUSES", "anomalies_answer", "recommendations_answer", "resources_answer"]

OPEN_STATUSES = ("new", "accepted", "snoozed")
MAX_SERIES = 8  # the services that carry the spend; the long tail cannot move the total
_MONTH = Decimal(30)


def _resource_where(org_id: int, f: CostFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Resource.org_id == org_id, Resource.is_deleted.is_(False)]
    if f.providers:
        where.append(Connection.kind.in_([p.lower() for p in f.providers]))
    if f.connection_ids:
        where.append(Resource.connection_id.in_(f.connection_ids))
    for column, values in ((Resource.service_name, f.services), (Resource.region, f.regions),
                           (Resource.project, f.projects), (Resource.team, f.teams),
                           (Resource.environment, f.environments),
                           (Resource.name, f.resource_names)):
        if values:
            where.append(one_of(column, values))
    if f.resource_ids:
        where.append(Resource.id.in_(f.resource_ids))
    return where


async def resources_answer(session: AsyncSession, org_id: int, question: Question,
                           filters: CostFilters, currency: str) -> ResourcesAnswer:
    """One page of resources, grouped by provider, costliest first inside a provider."""
    size = max(1, question.limit)
    where = _resource_where(org_id, filters)
    base = select(Resource, Connection.kind, Connection.name).join(
        Connection, Connection.id == Resource.connection_id).where(*where)
    count, zombies, orphans = (await session.execute(
        select(func.count(), func.coalesce(func.sum(case((Resource.is_zombie, 1), else_=0)), 0),
               func.coalesce(func.sum(case((Resource.is_orphan, 1), else_=0)), 0))
        .select_from(Resource).join(Connection, Connection.id == Resource.connection_id)
        .where(*where))).one()
    pages = max(1, math.ceil(count / size))
    page = min(max(0, question.page), pages - 1)
    rows = (await session.execute(
        base.order_by(Connection.kind, Resource.daily_cost.desc().nulls_last(), Resource.id)
        .offset(page * size).limit(size))).all()
    items = tuple(ResourceItem(
        r.id, r.name, kind, conn_name, r.kind, r.status, r.region,
        (r.daily_cost or Decimal(0)) * _MONTH, r.is_zombie, r.is_orphan)
        for r, kind, conn_name in rows)
    return ResourcesAnswer(question, currency, items, page, pages, int(count), int(zombies),
                           int(orphans))


async def recommendations_answer(session: AsyncSession, org_id: int, question: Question,
                                 currency: str, today: date) -> RecommendationsAnswer:
    """Open recommendations (snoozed ones reappear when the snooze ends), biggest saving first."""
    now = datetime.combine(today, time(), UTC)
    where = [Recommendation.org_id == org_id, Recommendation.status.in_(OPEN_STATUSES),
             or_(Recommendation.status != "snoozed", Recommendation.snoozed_until.is_(None),
                 Recommendation.snoozed_until <= now)]
    count, saving = (await session.execute(
        select(func.count(), func.coalesce(func.sum(Recommendation.monthly_saving), 0))
        .where(*where))).one()
    rows = (await session.execute(
        select(Recommendation, Resource.name, Connection.kind)
        .outerjoin(Resource, Resource.id == Recommendation.resource_id)
        .outerjoin(Connection, Connection.id == Recommendation.connection_id)
        .where(*where)
        .order_by(Recommendation.monthly_saving.desc(), Recommendation.id)
        .offset(max(0, question.page) * question.limit).limit(question.limit))).all()
    items = tuple(RecommendationItem(
        rec.id, rec.kind, rec.title, res_name or str(rec.params.get("resource", "")),
        kind or "", rec.monthly_saving, rec.confidence, rec.status)
        for rec, res_name, kind in rows)
    return RecommendationsAnswer(question, currency, items, Decimal(saving or 0), int(count))


async def anomalies_answer(session: AsyncSession, org_id: int, question: Question,
                           filters: CostFilters, currency: str, *,
                           ctx: costs.CostContext | None = None) -> AnomaliesAnswer:
    """Anomalies of the costliest services that overlap the period, largest impact first;
    judged on the same history and with the same purchases (within the question's scope) as
    the alerts, so chat and alerts tell the same events."""
    start = anomaly_service.history_start(question.end, question.start)
    # the costliest services of the period first, then 13 months of only theirs: a large
    # account has ~25 services and the long tail's history is most of the rows
    weights = await costs.breakdown(session, org_id, question.start, question.end,
                                    Dimension.SERVICE, filters, ctx=ctx)
    biggest = [r.key for r in weights[:MAX_SERIES] if r.amount > 0]
    narrowed = filters
    if biggest and costs.NONE_KEY not in biggest and not filters.services:
        narrowed = replace(filters, services=tuple(biggest))
    series = await costs.daily_by(session, org_id, start, question.end, Dimension.SERVICE,
                                  narrowed, ctx=ctx) if biggest else {}
    found, unanalysed = await anomaly_service.detect_in(
        session, org_id, "service", {name: series[name] for name in biggest},
        filters=filters, ctx=ctx)
    items = [AnomalyItem(a.start, a.end, name or PROVIDER_NAMES["other"], a.kind,
                         a.direction, a.actual, a.expected, a.delta, a.rate)
             for name, a in found if a.end >= question.start and a.start <= question.end]
    items.sort(key=lambda a: (-abs(a.delta), a.start, a.series))
    return AnomaliesAnswer(question, currency, tuple(items[:question.limit]),
                           tuple((u.label or PROVIDER_NAMES["other"], u.reason, u.days)
                                 for u in unanalysed))
