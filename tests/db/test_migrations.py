"""The same migrations build the same schema on SQLite and PostgreSQL, with no drift."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db.base import Base
from core.db.engine import session_factory
from core.db.migrate import expression_indexes, schema_drift, upgrade
from core.db.models import Connection, CostLine, Organization
from tests.rates.seed import line
from tests.support.db import drop_schema


async def test_models_match_migrations(engine: AsyncEngine) -> None:
    assert await schema_drift(engine) == []
    # what autogenerate cannot compare, by name: every expression index of the models exists
    wanted = expression_indexes()
    assert wanted == {"cost_keys": {"ix_cost_keys_org_resource_key"}}
    for table, names in wanted.items():
        found = await _index_names(engine, table)
        assert names <= found, (table, names - found)


async def _index_names(engine: AsyncEngine, table: str) -> set[str]:
    """Index names from the catalogue (the inspector warns on expression indexes)."""
    query = ("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
             if engine.dialect.name == "sqlite"
             else "SELECT indexname FROM pg_indexes WHERE tablename = :t")
    async with engine.connect() as conn:
        return {row[0] for row in await conn.execute(text(query), {"t": table})}


async def test_upgrade_is_idempotent_and_creates_every_table(engine: AsyncEngine) -> None:
    await upgrade(engine)
    async with engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        views = set(await conn.run_sync(lambda c: inspect(c).get_view_names()))
    stored = {name for name, t in Base.metadata.tables.items() if not t.info.get("view")}
    assert stored <= tables
    assert {name for name, t in Base.metadata.tables.items() if t.info.get("view")} == views
    assert "alembic_version" in tables


async def test_indexes_for_the_bot_queries_exist(engine: AsyncEngine) -> None:
    names = await _index_names(engine, "cost_amounts")
    assert {"ix_cost_amounts_org_day_key", "ix_cost_amounts_resource_day"} <= names
    assert {"ix_cost_keys_org_resource_key", "ix_cost_keys_connection_digest",
            "ix_cost_keys_estimated"} <= await _index_names(engine, "cost_keys")


async def test_the_view_of_cost_lines_is_the_models(engine: AsyncEngine) -> None:
    """Migration 0018 wrote the view `cost_lines` the models describe, column for column."""
    from core.db.models.costs import cost_lines_view

    query = ("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'cost_lines'"
             if engine.dialect.name == "sqlite" else
             "SELECT 'CREATE VIEW cost_lines AS ' || pg_get_viewdef('cost_lines'::regclass)")
    async with engine.connect() as conn:
        stored = (await conn.execute(text(query))).scalar_one()
        columns = [c["name"] for c in await conn.run_sync(
            lambda c: inspect(c).get_columns("cost_lines"))]
    if engine.dialect.name == "sqlite":
        assert stored == cost_lines_view("sqlite")
    assert sorted(columns) == sorted(c.name for c in CostLine.__table__.columns)


async def test_money_sums_are_exact_on_both_engines(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    """SQLite has no decimal type: a float sum of these would drift; ours must not."""
    from datetime import UTC, date, datetime

    from sqlalchemy import func

    from core.db.models import Connection

    async with session_maker() as session:
        org = Organization(slug="m", name="M")
        session.add(org)
        await session.flush()
        conn = Connection(org_id=org.id, kind="manual_csv", name="c", credentials=b"x")
        session.add(conn)
        await session.flush()
        values = [Decimal("0.1"), Decimal("0.2"), Decimal("1234567.891234"), Decimal("-2.6137")]
        for v in values * 250:
            session.add(CostLine(
                org_id=org.id, connection_id=conn.id, day=date(2026, 11, 1),
                charge_period_start=datetime(2026, 11, 1, tzinfo=UTC),
                charge_period_end=datetime(2026, 11, 2, tzinfo=UTC),
                billed_cost=v, effective_cost=v, billing_currency="RUB", provider="other",
                provider_name="x"))
        await session.commit()
        total = (await session.execute(select(func.sum(CostLine.billed_cost)))).scalar_one()
    assert total == sum(values) * 250
    assert isinstance(total, Decimal)


async def test_a_database_from_the_first_release_upgrades_keeping_its_rows(
        engine: AsyncEngine) -> None:
    """Revisions stack: a database made by 0001 (the first landed schema) reaches head."""
    from sqlalchemy import text

    async with engine.begin() as conn:
        await drop_schema(conn)
    await upgrade(engine, "0001")
    async with engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO organizations (slug, name, currency, timezone, language, is_demo, "
            "runway_target_days, settings, created_at) VALUES ('old', 'Old', 'RUB', "
            "'Europe/Moscow', 'ru', false, 30, '{}', CURRENT_TIMESTAMP)"))
    await upgrade(engine)
    assert await schema_drift(engine) == []
    async with engine.connect() as conn:
        names = (await conn.execute(text("SELECT slug FROM organizations"))).scalars().all()
        columns = {c["name"] for c in await conn.run_sync(
            lambda c: inspect(c).get_columns("cost_lines"))}
    assert names == ["old"]
    assert "row_hash" in columns


async def test_a_line_belongs_to_a_connection_of_its_own_org(engine: AsyncEngine) -> None:
    """One foreign key (org, connection) → connections: a line cannot name another org's
    connection, and an organisation's deletion reaches its lines through its connections."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        ids = []
        for slug in ("ours", "theirs"):
            org = Organization(slug=slug, name=slug.title(), currency="RUB")
            session.add(org)
            await session.flush()
            conn = Connection(org_id=org.id, kind="focus", name="bill", credentials=b"x")
            session.add(conn)
            await session.flush()
            ids.append((org.id, conn.id))
        (ours, our_conn), (theirs, their_conn) = ids
        session.add(line(ours, our_conn, date(2026, 11, 1), Decimal(5), "RUB"))
    async with sessions() as session:
        session.add(line(ours, their_conn, date(2026, 11, 1), Decimal(7), "RUB"))
        with pytest.raises(IntegrityError):
            await session.commit()
    async with sessions() as session, session.begin():
        await session.execute(delete(Organization).where(Organization.id == ours))
    async with sessions() as session:
        left = (await session.execute(select(func.count()).select_from(CostLine))).scalar_one()
        assert left == 0
        assert (await session.execute(select(func.count()).select_from(Connection).where(
            Connection.org_id == theirs))).scalar_one() == 1
