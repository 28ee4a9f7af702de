"""One resource's cost spike: yesterday at least `RATIO`× its median of the week before and
at least `MIN_DELTA` more in money (pennies page nobody)."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.alerts.base import AlertCandidate, RuleContext
from core.db.models import AnomalyExclusion, Connection, CostLine, Resource

__all__ = ["MIN_DELTA", "RATIO", "evaluate"]

RATIO = Decimal(2)
MIN_DELTA = Decimal(300)
BASELINE_DAYS = 7
TENTH = Decimal("0.1")


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    day = rc.today - timedelta(days=1)
    start = day - timedelta(days=BASELINE_DAYS)
    min_delta = Decimal(str(rc.settings.get("spike_min_delta") or MIN_DELTA))
    rows = (await rc.session.execute(
        select(CostLine.resource_id, CostLine.day, func.sum(CostLine.billed_cost))
        .where(CostLine.org_id == rc.org_id, CostLine.resource_id.is_not(None),
               CostLine.day >= start, CostLine.day <= day,
               CostLine.billing_currency == rc.currency)
        .group_by(CostLine.resource_id, CostLine.day))).all()
    series: dict[int, dict[date, Decimal]] = {}
    for rid, d, amount in rows:  # the sum keeps the Money type: a Decimal
        series.setdefault(int(rid or 0), {})[d] = amount or Decimal(0)
    planned = set((await rc.session.execute(select(AnomalyExclusion.series_key).where(
        AnomalyExclusion.org_id == rc.org_id, AnomalyExclusion.day == day,
        AnomalyExclusion.series_key.like("resource:%")))).scalars())
    found: list[AlertCandidate] = []
    for rid, by_day in series.items():
        if f"resource:{rid}" in planned:
            continue  # a user marked this resource's day planned / expected
        today_cost = by_day.get(day, Decimal(0))
        base = [by_day.get(start + timedelta(days=i), Decimal(0)) for i in range(BASELINE_DAYS)]
        median = Decimal(str(statistics.median(base)))
        if median <= 0 or today_cost < median * RATIO or today_cost - median < min_delta:
            continue
        found_row = (await rc.session.execute(
            select(Resource, Connection.kind).join(Connection)
            .where(Resource.id == rid, Resource.org_id == rc.org_id))).first()
        if found_row is None:
            continue
        res, provider = found_row
        found.append(AlertCandidate(
            "cost_spike", "warning", f"cost_spike:{rid}:{day}", connection_id=res.connection_id,
            resource_id=rid, provider=provider, project=res.project,
            money={"actual": today_cost, "baseline": median, "delta": today_cost - median},
            dates={"day": day},
            values={"name": res.name, "ratio": str((today_cost / median).quantize(TENTH))}))
    return found
