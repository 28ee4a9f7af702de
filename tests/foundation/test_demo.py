"""The demo organisation: the company's figures, deterministic, re-seedable without duplicates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import Budget, Connection, CostLine, Organization, Recommendation, Resource
from core.security.vault import Vault
from core.services.demo import seed_demo

TODAY = date(2026, 11, 22)
TARGETS = {"Selectel BU-A": 166_600, "Selectel BU-B": 104_300, "Beget Prod": 104_250,
           "Beget Dev": 41_850}


async def _last30_by_connection(session: AsyncSession) -> dict[str, Decimal]:
    rows = await session.execute(
        select(Connection.name, func.sum(CostLine.billed_cost))
        .join(CostLine, CostLine.connection_id == Connection.id)
        .where(CostLine.day >= date(2026, 10, 23), CostLine.day <= date(2026, 11, 21))
        .group_by(Connection.name))
    return {name: total for name, total in rows.all()}


async def test_demo_matches_the_company_figures(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    async with session_maker() as session:
        await seed_demo(session, vault, today=TODAY)
        await session.commit()
        totals = await _last30_by_connection(session)
        resources = (await session.execute(select(func.count(Resource.id)))).scalar_one()
        recs = (await session.execute(
            select(func.sum(Recommendation.monthly_saving), func.count()))).one()
        days = (await session.execute(select(func.min(CostLine.day),
                                             func.max(CostLine.day)))).one()
    total = sum(totals.values(), Decimal(0))
    assert abs(total - 417_000) <= Decimal("0.03") * 417_000
    for name, target in TARGETS.items():
        assert abs(totals[name] - target) <= Decimal("0.05") * target, name
    assert 40 <= resources <= 50
    assert recs[1] == 20
    assert Decimal(20_000) < recs[0] < Decimal(150_000)
    assert days == (date(2026, 5, 26), date(2026, 11, 21))


async def test_seeding_twice_duplicates_nothing(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    counts = []
    for _ in range(2):
        async with session_maker() as session:
            await seed_demo(session, vault, today=TODAY)
            await session.commit()
            counts.append(tuple([
                (await session.execute(select(func.count()).select_from(model))).scalar_one()
                for model in (Organization, Connection, Resource, CostLine, Recommendation,
                              Budget)]))
            totals = await _last30_by_connection(session)
    assert counts[0] == counts[1]
    assert counts[0][0] == 1
    assert abs(sum(totals.values(), Decimal(0)) - 417_000) < 1  # rounding to kopecks only


async def test_demo_is_deterministic(session_maker: async_sessionmaker[AsyncSession],
                                     vault: Vault) -> None:
    snapshots = []
    for _ in range(2):
        async with session_maker() as session:
            await seed_demo(session, vault, today=TODAY)
            await session.commit()
            rows = await session.execute(
                select(CostLine.resource_name, CostLine.day, CostLine.billed_cost)
                .order_by(CostLine.resource_name, CostLine.day).limit(500))
            snapshots.append(rows.all())
    assert snapshots[0] == snapshots[1]


async def test_one_budget_is_near_its_threshold(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """Beget Dev's budget is within reach of 80 % month to date and over 100 % by forecast."""
    async with session_maker() as session:
        summary = await seed_demo(session, vault, today=TODAY)
        await session.commit()
        budget = (await session.execute(select(Budget).where(
            Budget.org_id == summary.org_id, Budget.scope_kind == "connection"))).scalar_one()
        mtd = (await session.execute(select(func.sum(CostLine.billed_cost)).where(
            CostLine.connection_id == int(budget.scope_value or 0),
            CostLine.day >= date(2026, 11, 1)))).scalar_one()
    used = mtd / budget.amount
    assert Decimal("0.6") < used < Decimal("0.8")
    assert mtd / 21 * 30 > budget.amount
