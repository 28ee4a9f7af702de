"""The demo organisation seeded once for this package (SQLite), and helpers to build small orgs.

Tests open a session and never commit, so each one sees the pristine demo.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.db import cost_store
from core.db.engine import session_factory
from core.db.models import Connection, Resource
from core.domain.roles import Role
from core.security.vault import Vault
from core.services.demo import seed_demo
from core.services.orgs import create_org, ensure_user, set_membership
from tests.support.db import fresh_database

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


@dataclass
class Demo:
    sessions: async_sessionmaker[AsyncSession]
    org_id: int


@pytest.fixture(scope="package")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    vault = Vault([b"kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="])
    async with fresh_database("sqlite", tmp_path_factory.mktemp("demo"), None) as engine:
        sessions = session_factory(engine)
        async with sessions() as session:
            summary = await seed_demo(session, vault, today=TODAY)
            await session.commit()
        yield Demo(sessions, summary.org_id)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def member(session: AsyncSession, org_id: int, telegram_id: int, role: Role) -> int:
    user = await ensure_user(session, telegram_id, full_name=f"user {telegram_id}")
    await set_membership(session, org_id, user.id, role)
    return user.id


async def small_org(session: AsyncSession, name: str = "Тест", currency: str = "RUB") -> int:
    return (await create_org(session, name, currency=currency)).id


async def connection(session: AsyncSession, org_id: int, name: str, kind: str = "beget",
                     **fields: object) -> int:
    conn = Connection(org_id=org_id, kind=kind, name=name, credentials=b"x", **fields)
    session.add(conn)
    await session.flush()
    return conn.id


async def resource(session: AsyncSession, org_id: int, conn_id: int, name: str,
                   kind: str = "server", **fields: object) -> Resource:
    res = Resource(org_id=org_id, connection_id=conn_id, external_id=name, name=name, kind=kind,
                   first_seen_at=NOW - timedelta(days=120), last_seen_at=NOW, **fields)
    session.add(res)
    await session.flush()
    return res


async def costs(session: AsyncSession, org_id: int, conn_id: int, amounts: dict[date, Decimal], *,
                resource: Resource | None = None, service: str = "Compute",
                currency: str = "RUB", provider: str = "beget", category: str = "Usage",
                account: str | None = None, region: str | None = None) -> None:
    rows = []
    for day, amount in amounts.items():
        start = datetime.combine(day, time(), UTC)
        rows.append({
            "org_id": org_id, "connection_id": conn_id,
            "resource_id": resource.id if resource else None, "day": day,
            "charge_period_start": start, "charge_period_end": start + timedelta(days=1),
            "billed_cost": amount, "effective_cost": amount, "billing_currency": currency,
            "provider": provider, "provider_name": provider.title(), "service_name": service,
            "charge_category": category, "sub_account_name": account, "region_id": region,
            "resource_name": resource.name if resource else None,
            "resource_external_id": resource.external_id if resource else None})
    await cost_store.write_rows(session, rows, rollup=True)


def days_before(today: date, count: int, amount: str) -> dict[date, Decimal]:
    """`count` days ending yesterday, each costing `amount`."""
    return {today - timedelta(days=i): Decimal(amount) for i in range(1, count + 1)}
