"""Loads what the rules look at, once per evaluation: inventory, usage, recent costs, runway."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import Connection, Resource, UsageMetric
from core.domain.metrics import CPU_PERCENT, MEMORY_PERCENT, PERCENT, canonical_metric
from core.services import costs, price_lists
from core.services.forecasts import data_end, org_info
from core.services.recommendations.base import ResourceCost, RuleContext, Usage
from core.services.recommendations.settings import disabled_kinds, org_thresholds
from core.services.runway import runway

__all__ = ["COST_DAYS", "USAGE_DAYS", "load_context"]

USAGE_DAYS = 14
COST_DAYS = 28


async def _usage(session: AsyncSession, org_id: int, since: datetime) -> dict[int, Usage]:
    rows = (await session.execute(
        select(UsageMetric.resource_id, UsageMetric.metric, UsageMetric.unit, UsageMetric.ts,
               UsageMetric.value)
        .where(UsageMetric.org_id == org_id, UsageMetric.ts >= since))).all()
    values: dict[tuple[int, str], list[float]] = defaultdict(list)
    days: dict[int, set[object]] = defaultdict(set)
    for rid, metric, unit, ts, value in rows:
        name = canonical_metric(metric, unit or PERCENT)  # legacy `cpu` % reads as cpu_percent
        if name is None:
            continue
        values[(rid, name)].append(float(value))
        days[rid].add(ts.date())

    def p95(rid: int, metric: str) -> float | None:
        data = values.get((rid, metric))
        return float(np.percentile(data, 95)) if data else None

    return {rid: Usage(p95(rid, CPU_PERCENT), p95(rid, MEMORY_PERCENT), len(d))
            for rid, d in days.items()}


async def load_context(session: AsyncSession, org_id: int, clock: Clock) -> RuleContext:
    info = await org_info(session, org_id, clock)
    resources = list((await session.execute(select(Resource).where(
        Resource.org_id == org_id).order_by(Resource.id))).scalars())
    providers = dict((await session.execute(select(Connection.id, Connection.kind).where(
        Connection.org_id == org_id))).all())
    since = datetime.combine(info.today - timedelta(days=USAGE_DAYS), time(), UTC)
    last = await data_end(session, org_id, info)
    start = last - timedelta(days=COST_DAYS - 1)
    by_name: dict[tuple[int, str], int] = {(r.connection_id, r.name): r.id for r in resources}
    by_ext: dict[tuple[int, str], int] = {(r.connection_id, r.external_id): r.id
                                          for r in resources}
    cost_map: dict[int, ResourceCost] = {}
    weekdays: dict[int, tuple[Decimal, Decimal]] = {}
    for conn_id in providers:
        series_by = await costs.daily_by(session, org_id, start, last,
                                         costs.Dimension.RESOURCE,
                                         costs.CostFilters(connection_ids=(conn_id,)))
        for name, series in series_by.items():
            rid = by_name.get((conn_id, name)) or by_ext.get((conn_id, name))
            if rid is None:
                continue
            cost_map[rid] = ResourceCost(tuple(v for _, v in series))
            work = [v for d, v in series if d.weekday() < 5]
            rest = [v for d, v in series if d.weekday() >= 5]
            if work and rest:
                weekdays[rid] = (sum(work, Decimal(0)) / len(work),
                                 sum(rest, Decimal(0)) / len(rest))
    overrides = info.settings.get("price_list")
    return RuleContext(
        org_id=org_id, today=info.today, currency=info.currency, resources=resources,
        providers=providers, usage=await _usage(session, org_id, since), costs=cost_map,
        runway=await runway(session, org_id, clock), weekdays=weekdays,
        price_overrides=overrides if isinstance(overrides, dict) else {},
        price_lists=await price_lists.load(session, org_id),
        thresholds=org_thresholds(info.settings), disabled=disabled_kinds(info.settings))
