"""Rows for exports, streamed from the database with bounded memory, scoped by organisation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Connection, CostLine, Resource

__all__ = ["ChargebackRow", "ExportLine", "SummaryRow", "chargeback_rows", "iter_export_lines",
           "summary_rows"]

UNALLOCATED = "unallocated"


@dataclass(frozen=True, slots=True)
class ExportLine:
    """One stored cost line with what FOCUS export needs."""

    day: date
    charge_period_start: datetime
    charge_period_end: datetime
    billed_cost: Decimal
    effective_cost: Decimal
    list_cost: Decimal | None
    contracted_cost: Decimal | None
    currency: str
    provider: str
    provider_name: str
    connection_id: int
    connection_name: str
    account_id: str
    service_name: str | None
    service_category: str | None
    charge_category: str
    resource_id: str | None
    resource_name: str | None
    resource_type: str | None
    region_id: str | None
    sub_account_id: str | None
    sub_account_name: str | None
    pricing_quantity: Decimal | None
    pricing_unit: str | None
    sku_id: str | None
    tags: dict[str, str] | None


@dataclass(frozen=True, slots=True)
class SummaryRow:
    day: date
    provider: str
    service: str
    project: str
    cost: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class ChargebackRow:
    team: str
    project: str
    environment: str
    cost_center: str
    cost: Decimal
    currency: str
    share: Decimal


async def iter_export_lines(session: AsyncSession, org_id: int, start: date,
                            end: date) -> AsyncIterator[ExportLine]:
    """Every cost line of the org in [start, end] (inclusive), ordered by day."""
    query = (select(CostLine, Connection.name, Connection.account_info)
             .join(Connection, Connection.id == CostLine.connection_id)
             .where(CostLine.org_id == org_id, CostLine.day >= start, CostLine.day <= end)
             .order_by(CostLine.day, CostLine.id)
             .execution_options(yield_per=2000))
    result = await session.stream(query)
    async for line, conn_name, account_info in result:
        account = str((account_info or {}).get("account_id") or f"connection-{line.connection_id}")
        yield ExportLine(
            day=line.day, charge_period_start=line.charge_period_start,
            charge_period_end=line.charge_period_end, billed_cost=line.billed_cost,
            effective_cost=line.effective_cost, list_cost=line.list_cost,
            contracted_cost=line.contracted_cost, currency=line.billing_currency,
            provider=line.provider, provider_name=line.provider_name,
            connection_id=line.connection_id, connection_name=conn_name, account_id=account,
            service_name=line.service_name, service_category=line.service_category,
            charge_category=line.charge_category, resource_id=line.resource_external_id,
            resource_name=line.resource_name, resource_type=line.resource_type,
            region_id=line.region_id, sub_account_id=line.sub_account_id,
            sub_account_name=line.sub_account_name, pricing_quantity=line.pricing_quantity,
            pricing_unit=line.pricing_unit, sku_id=line.sku_id, tags=line.tags)


async def summary_rows(session: AsyncSession, org_id: int, start: date,
                       end: date) -> list[SummaryRow]:
    """Costs by day × provider × service × project."""
    project = func.coalesce(Resource.project, CostLine.sub_account_name, "")
    query = (select(CostLine.day, CostLine.provider, func.coalesce(CostLine.service_name, ""),
                    project, CostLine.billing_currency, func.sum(CostLine.billed_cost))
             .outerjoin(Resource, Resource.id == CostLine.resource_id)
             .where(CostLine.org_id == org_id, CostLine.day >= start, CostLine.day <= end)
             .group_by(CostLine.day, CostLine.provider, CostLine.service_name, project,
                       CostLine.billing_currency)
             .order_by(CostLine.day, CostLine.provider, CostLine.service_name, project))
    rows = (await session.execute(query)).all()
    return [SummaryRow(day, provider, service, proj, cost, cur)
            for day, provider, service, proj, cur, cost in rows]


async def chargeback_rows(session: AsyncSession, org_id: int, start: date,
                          end: date) -> list[ChargebackRow]:
    """Costs by team / project / environment / cost centre, in each line's own currency, with
    shares of that currency's period total (nothing is converted, so nothing is left out)."""
    team = func.coalesce(Resource.team, UNALLOCATED)
    project = func.coalesce(Resource.project, CostLine.sub_account_name, UNALLOCATED)
    env = func.coalesce(Resource.environment, UNALLOCATED)
    center = func.coalesce(Resource.cost_center, "")
    query = (select(team, project, env, center, CostLine.billing_currency,
                    func.sum(CostLine.billed_cost))
             .outerjoin(Resource, Resource.id == CostLine.resource_id)
             .where(CostLine.org_id == org_id, CostLine.day >= start, CostLine.day <= end)
             .group_by(team, project, env, center, CostLine.billing_currency))
    rows = (await session.execute(query)).all()
    totals: dict[str, Decimal] = {}  # a share is of its own currency: never rubles + dollars
    for *_, cur, cost in rows:
        totals[cur] = totals.get(cur, Decimal(0)) + cost
    result = [ChargebackRow(t, p, e, c, cost, cur, (cost / totals[cur]).quantize(
                  Decimal("0.0001")) if totals[cur] else Decimal(0))
              for t, p, e, c, cur, cost in rows]
    return sorted(result, key=lambda r: (-r.cost, r.team, r.project))
