"""The benchmark's year of a large account (`bench.year_dataset`), built small: the lines the
database generates are one per resource and day, their rollup equals a fresh GROUP BY, and
the answers read from it are whole (every USD day has a rate, the spike is there)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import year_dataset
from core.db.engine import session_factory
from core.db.models import CostLine, Resource
from core.services import costs, rollups

RESOURCES = 300


async def test_built_year_is_whole_and_its_rollup_agrees(engine: AsyncEngine,
                                                         tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    await engine.dispose()  # the builder takes the SQLite file for itself
    sqlite_path = tmp_path / "test.db" if engine.dialect.name == "sqlite" else None
    meta = await year_dataset.build(url, engine.dialect.name, sqlite_path,
                                    resources=RESOURCES)
    org_id = meta["org_id"]
    assert meta["lines"] == RESOURCES * year_dataset.DAYS

    async with session_factory(engine)() as session:
        pairs = (await session.execute(
            select(func.count(func.distinct(CostLine.resource_id)), func.count(),
                   func.min(CostLine.day), func.max(CostLine.day))
            .where(CostLine.org_id == org_id))).one()
        assert tuple(pairs) == (RESOURCES, RESOURCES * year_dataset.DAYS,
                                year_dataset.LAST_DAY - timedelta(days=year_dataset.DAYS - 1),
                                year_dataset.LAST_DAY)
        per_day = (await session.execute(
            select(CostLine.resource_id, CostLine.day).where(CostLine.org_id == org_id)
            .group_by(CostLine.resource_id, CostLine.day).having(func.count() > 1))).all()
        assert per_day == []
        assert await rollups.differences(session, org_id) == {}

        first = year_dataset.LAST_DAY - timedelta(days=year_dataset.DAYS - 1)
        assert await costs.left_out(session, org_id, first, year_dataset.LAST_DAY) == ()
        aws = await costs.total(session, org_id, first, year_dataset.LAST_DAY,
                                costs.CostFilters(providers=("aws",)))
        aws_usd = (await session.execute(select(func.sum(CostLine.billed_cost)).where(
            CostLine.org_id == org_id, CostLine.provider == "aws"))).scalar_one()
        assert aws_usd > 0
        assert aws > aws_usd * 80  # converted at ~92 RUB a dollar
        year = await costs.total(session, org_id, first, year_dataset.LAST_DAY)
        rub = (await session.execute(select(func.sum(CostLine.billed_cost)).where(
            CostLine.org_id == org_id, CostLine.billing_currency == "RUB"))).scalar_one()
        assert year == rub + aws

        zombies = (await session.execute(select(func.count()).where(
            Resource.org_id == org_id, Resource.is_zombie.is_(True)))).scalar_one()
        assert zombies > 0


async def test_spike_triples_the_last_days_of_one_service(engine: AsyncEngine,
                                                          tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    await engine.dispose()
    sqlite_path = tmp_path / "test.db" if engine.dialect.name == "sqlite" else None
    meta = await year_dataset.build(url, engine.dialect.name, sqlite_path, resources=1200)
    last = year_dataset.LAST_DAY
    async with session_factory(engine)() as session:
        series = await costs.daily(session, meta["org_id"], last - timedelta(days=13), last,
                                   costs.CostFilters(services=(year_dataset.SPIKE[1],)))
    before = sum((v for _, v in series[:7]), Decimal(0)) / 7
    during = sum((v for _, v in series[-year_dataset.SPIKE_DAYS:]), Decimal(0)) / \
        year_dataset.SPIKE_DAYS
    assert during > before * Decimal("1.3")
