"""A RUB organisation whose AWS export is in dollars: the case every RUB customer hits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Connection, CostLine, Organization

D1, D2, D3 = date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)
USD_BY_DAY = {D1: Decimal("10.25"), D2: Decimal("20.50"), D3: Decimal("5.00")}


def line(org: int, conn: int, day: date, amount: Decimal, currency: str, *,
         provider: str = "aws", service: str = "Amazon EC2", name: str = "i-1") -> CostLine:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return CostLine(org_id=org, connection_id=conn, day=day, charge_period_start=start,
                    charge_period_end=start + timedelta(days=1), billed_cost=amount,
                    effective_cost=amount, billing_currency=currency, provider=provider,
                    provider_name=provider.upper(), service_name=service, resource_name=name)


async def rub_org_with_usd(session: AsyncSession, *, rub_line: bool = True,
                           slug: str = "acme") -> int:
    """USD 10.25 / 20.50 / 5.00 on Oct 1–3, plus (optionally) a 100 ₽ Selectel line on Oct 1."""
    org = Organization(slug=slug, name=slug.title(), currency="RUB")
    session.add(org)
    await session.flush()
    aws = Connection(org_id=org.id, kind="focus", name="AWS export", credentials=b"x")
    sel = Connection(org_id=org.id, kind="selectel", name="Selectel", credentials=b"x")
    session.add_all([aws, sel])
    await session.flush()
    session.add_all([line(org.id, aws.id, d, v, "USD") for d, v in USD_BY_DAY.items()])
    if rub_line:
        session.add(line(org.id, sel.id, D1, Decimal("100"), "RUB", provider="selectel",
                         service="Compute", name="vm-1"))
    await session.commit()
    return org.id
