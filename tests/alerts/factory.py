"""Small builders for alert tests: an org with members, connections, resources and costs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Connection, CostLine, Membership, Organization, Resource, User
from core.services.orgs import create_org


async def org(s: AsyncSession, name: str = "Acme", **settings: object) -> Organization:
    ref = await create_org(s, name)
    row = await s.get(Organization, ref.id)
    assert row is not None
    row.settings = dict(settings)
    return row


async def member(s: AsyncSession, org_id: int, telegram_id: int, role: str = "owner",
                 language: str = "ru", timezone: str | None = None) -> User:
    user = User(telegram_id=telegram_id, full_name=f"u{telegram_id}", language=language,
                timezone=timezone)
    s.add(user)
    await s.flush()
    s.add(Membership(org_id=org_id, user_id=user.id, role=role))
    await s.flush()
    return user


async def connection(s: AsyncSession, org_id: int, kind: str = "selectel",
                     name: str = "main", **fields: object) -> Connection:
    conn = Connection(org_id=org_id, kind=kind, name=name, credentials=b"x", **fields)
    s.add(conn)
    await s.flush()
    return conn


async def resource(s: AsyncSession, conn: Connection, name: str, **fields: object) -> Resource:
    now = datetime(2026, 10, 1, tzinfo=UTC)
    res = Resource(org_id=conn.org_id, connection_id=conn.id, external_id=name, name=name,
                   kind=str(fields.pop("kind", "server")), first_seen_at=now, last_seen_at=now,
                   **fields)
    s.add(res)
    await s.flush()
    return res


async def costs(s: AsyncSession, conn: Connection, days: list[tuple[date, Decimal]],
                res: Resource | None = None, service: str = "Compute") -> None:
    for day, amount in days:
        start = datetime.combine(day, time(), tzinfo=UTC)
        s.add(CostLine(org_id=conn.org_id, connection_id=conn.id,
                       resource_id=res.id if res else None, day=day,
                       charge_period_start=start, charge_period_end=start + timedelta(days=1),
                       billed_cost=amount, effective_cost=amount, billing_currency="RUB",
                       provider=conn.kind, provider_name=conn.kind, service_name=service,
                       resource_name=res.name if res else None,
                       resource_external_id=res.external_id if res else None))
    await s.flush()


def series(end: date, days: int, value: Decimal | int) -> list[tuple[date, Decimal]]:
    return [(end - timedelta(days=i), Decimal(value)) for i in range(days)]
