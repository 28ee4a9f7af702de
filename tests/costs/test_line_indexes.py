"""Questions that filter cost lines on something the rollup does not keep find their few lines
through an index, not a scan of the org's lines (a year of a large account took 30 s for the
estimated days of a spend answer): the planner of each engine is asked which index it uses.
Both engines; PostgreSQL has statistics (as autovacuum keeps them) and is told to avoid
sequential scans, as on a tiny table it would rightly prefer one; SQLite has none, as in
production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import core.services.rollups  # noqa: F401 - its flush hook keeps the rollups of lines added here
from core.db.engine import session_factory
from core.db.models import Connection, Organization
from core.domain.collection import ESTIMATED_TAG
from core.services import costs, resource_months
from core.services.sync.estimates import estimated_days
from tests.rates.seed import line

DAYS = [date(2026, 10, d) for d in range(1, 11)]


async def _plan(engine: AsyncEngine, statement: str, params: Any) -> str:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        if engine.dialect.name == "sqlite":
            cursor = await driver.execute("EXPLAIN QUERY PLAN " + statement, params)
            return "\n".join(str(row[-1]) for row in await cursor.fetchall())
        # autovacuum's statistics, as in production
        await driver.execute("ANALYZE cost_keys, cost_amounts")
        await driver.execute("SET enable_seqscan = off")
        rows = await driver.fetch("EXPLAIN " + statement, *params)
        return "\n".join(str(row[0]) for row in rows)


async def _org_with_connection(session: AsyncSession, slug: str, kind: str,
                               ) -> tuple[int, int]:
    org = Organization(slug=slug, name=slug.title(), currency="RUB")
    session.add(org)
    await session.flush()
    conn = Connection(org_id=org.id, kind=kind, name=kind.title(), credentials=b"x")
    session.add(conn)
    await session.flush()
    return org.id, conn.id


@contextmanager
def _captured(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the engine sends while inside, with its parameters (to EXPLAIN)."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)


def assert_keys_first(engine: AsyncEngine, plan: str, key_index: str) -> None:
    """The plan reads no table whole. On SQLite (no statistics, as in production) it is the
    shape wanted: the org's few keys through `key_index`, then the lines by a seek per
    listed day and key. PostgreSQL plans a 50-line table by its costs, so only the absence
    of a sequential scan is asked of it (bench_bot measures the 10M-line answers)."""
    assert "Seq Scan" not in plan
    if engine.dialect.name == "sqlite":
        assert f"USING INDEX {key_index}" in plan or f"COVERING INDEX {key_index}" in plan
        assert "ix_cost_amounts_org_day_key (org_id=? AND day=? AND key_id=?)" in plan
        assert "SCAN " not in plan


async def test_estimated_days_and_purchases_are_read_through_their_indexes(
        engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        org_id, conn_id = await _org_with_connection(session, "big", "beget")
        for day in DAYS:
            row = line(org_id, conn_id, day, Decimal(60), "RUB", provider="beget",
                       service="VPS", name="web-1")
            row.tags = {ESTIMATED_TAG: "daily_price"} if day.day <= 2 else {"env": "prod"}
            session.add(row)
            licence = line(org_id, conn_id, day, Decimal(900), "RUB", provider="beget",
                           service="Licences", name="lic-1")
            licence.charge_category = "Purchase" if day.day == 5 else "Usage"
            session.add(licence)
        await session.commit()

    with _captured(engine) as seen:
        async with session_factory(engine)() as session:
            found = await estimated_days(session, org_id, DAYS[0], DAYS[-1])
            assert found == {conn_id: {DAYS[0], DAYS[1]}}
            estimated = seen[-1]
            # what the anomaly detector reads: a period's purchases (FOCUS ChargeCategory)
            seen.clear()
            purchases = await costs.daily(session, org_id, DAYS[0], DAYS[-1],
                                          costs.CostFilters(charge_categories=("Purchase",)))
            assert [(d, v) for d, v in purchases if v] == [(DAYS[4], Decimal(900))]
            bought = next(s for s in seen if "charge_category" in s[0])
    # the few keys by their partial index, then each key's days of the period
    plan = await _plan(engine, *estimated)
    assert_keys_first(engine, plan, "ix_cost_keys_estimated")
    plan = await _plan(engine, *bought)
    assert_keys_first(engine, plan, "ix_cost_keys_org_category")


async def test_top_resources_sum_their_candidates_through_the_day_and_key_index(
        engine: AsyncEngine) -> None:
    """`/top` at 10M lines ranks from resource months, then sums the few candidates' lines: a
    seek per day and resource key, not a read of every line of the period."""
    sessions = session_factory(engine)
    async with sessions() as session:
        org_id, conn_id = await _org_with_connection(session, "top", "focus")
        for day in DAYS:
            for n in range(5):
                session.add(line(org_id, conn_id, day, Decimal(10 * (n + 1)), "RUB",
                                 name=f"vm-{n}"))
        await session.commit()
    assert await resource_months.catch_up(sessions, org_id) == 1

    with _captured(engine) as seen:
        async with sessions() as session:
            ranked = await resource_months.top(session, org_id, DAYS[2], DAYS[-1], 2,
                                               rate=lambda _currency, _day: Decimal(1))
    assert ranked is not None
    assert [(r.key, r.amount) for r in ranked] == [("vm-4", Decimal(400)),
                                                    ("vm-3", Decimal(320))]
    candidates = next((st, p) for st, p in seen if st.lstrip().startswith("SELECT coalesce"))
    assert_keys_first(engine, await _plan(engine, *candidates),
                      "ix_cost_keys_org_resource_key")
