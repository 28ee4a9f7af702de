"""Top resources from monthly bounds on SQLite and PostgreSQL: the same answer as a GROUP BY
over the lines for every period, limit and filter (rates that change by the day, credits,
lines without a rate, file imports without resource ids), never from a stale month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.files import BILLING_FILES as FILES
from core.db.models import Connection, CurrencyRate, ResourceMonthState
from core.domain.collection import Window
from core.security.vault import Vault
from core.services import costs, resource_months
from core.services.costs import CostFilters, Dimension
from core.services.focus_import import import_focus
from tests.costs.test_rollups import daily, focus_file, lines_for, server, sync
from tests.sync.conftest import NOW, make_org_and_connection

OCT = Window(date(2026, 10, 1), date(2026, 11, 1))
NOV = Window(date(2026, 11, 1), date(2026, 11, 21))
PERIODS = ((date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 10, 20), date(2026, 11, 12)),
           (date(2026, 11, 7), date(2026, 11, 7)), (date(2026, 9, 1), date(2026, 12, 31)),
           (date(2026, 11, 10), date(2026, 11, 20)),
           (date(2025, 6, 1), date(2026, 12, 31)))  # more days than one read of the lines lists


async def _seed(sessions: async_sessionmaker[AsyncSession], vault: Vault,
                tmp_path: Path) -> tuple[int, int, int]:
    """A synced connection over two months (RUB and USD lines, a credit, a EUR line with no
    rate) and a FOCUS import (USD, no resource ids); USD's rate changes inside November."""
    org, conn = await make_org_and_connection(sessions, vault)
    extra = [daily("vm-a", date(2026, 11, 3), "4", currency="EUR"),
             daily("vm-c", date(2026, 11, 9), "-250"),  # a credit bigger than its charges
             daily("vm-c", date(2026, 11, 2), "30"), daily("vm-c", date(2026, 10, 30), "7")]
    inventory = [server("vm-a"), server("vm-b", project="p1"), server("vm-c")]
    await sync(sessions, org, conn, inventory, lines_for(OCT, "2") + lines_for(NOV) + extra,
               Window(OCT.start, NOV.end))
    async with sessions() as session, session.begin():
        focus = Connection(org_id=org, kind="focus", name="aws", credentials=b"x", options={})
        session.add(focus)
        await session.flush()
        focus_id = focus.id
        session.add_all([CurrencyRate(org_id=org, currency="USD", rate=Decimal(r),
                                      valid_from=d, base_currency="RUB")
                         for d, r in ((date(2026, 9, 1), "90.1"), (date(2026, 11, 7), "92.35"),
                                      (date(2026, 11, 12), "91"))])
    async with sessions() as session:
        await import_focus(session, FILES, org, focus_id,
                           focus_file(tmp_path / "f.csv", date(2026, 10, 25), 20, 2), now=NOW)
    return org, conn, focus_id


async def _both_ways(session: AsyncSession, org: int, start: date, end: date, limit: int,
                     f: CostFilters | None) -> list[costs.CostRow]:
    fast = await costs.breakdown(session, org, start, end, Dimension.RESOURCE, f, limit=limit)
    with costs.lines_only():
        slow = await costs.breakdown(session, org, start, end, Dimension.RESOURCE, f,
                                     limit=limit)
    assert fast == slow, (start, end, limit, f)
    return fast


async def test_top_resources_equal_the_lines_and_never_read_a_stale_month(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault, tmp_path: Path) -> None:
    org, conn, focus_id = await _seed(session_maker, vault, tmp_path)
    rate = costs.CostContext(org, "RUB")
    async with session_maker() as session:
        convert = await rate.converter(session, OCT.start, NOV.end)
        # nothing built yet: the answer comes from the lines, and is the same
        assert await resource_months.top(session, org, OCT.start, NOV.end, 3,
                                         rate=convert.rate) is None
        await _both_ways(session, org, OCT.start, NOV.end, 3, None)
        assert len(await resource_months.stale(session, org)) == 4  # 2 connections × 2 months

    assert await resource_months.catch_up(session_maker) == 4
    filters = (None, CostFilters(providers=("AWS",)), CostFilters(connection_ids=(conn,)),
               CostFilters(providers=("selectel", "aws")))
    async with session_maker() as session:
        assert await resource_months.stale(session, org) == []
        for start, end in PERIODS:
            for limit in (1, 3, 5, 50):
                for f in filters:
                    await _both_ways(session, org, start, end, limit, f)
        top = await resource_months.top(session, org, OCT.start, NOV.end, 3, rate=convert.rate)
        assert top is not None
        assert len(top) == 3
        # vm-c's credit outweighs its charges: it ranks last, below zero, on both paths
        everything = await _both_ways(session, org, NOV.start, NOV.end, 50, None)
        assert everything[-1].key == "vm-c"
        assert everything[-1].amount == Decimal(-220)
        assert {"res 0", "res 1", "res 2"} <= {r.key for r in everything}  # the import's

    # a re-sync of some November days with other amounts: November is stale until rebuilt,
    # and the answer stays right meanwhile (from the lines)
    late = Window(date(2026, 11, 15), date(2026, 11, 21))
    await sync(session_maker, org, conn, [server("vm-a"), server("vm-b", project="p1")],
               lines_for(late, "40"), late)
    async with session_maker() as session:
        assert await resource_months.stale(session, org) == [(org, conn, date(2026, 11, 1))]
        assert await resource_months.top(session, org, NOV.start, NOV.end, 3,
                                         rate=convert.rate) is None
        assert await resource_months.top(session, org, OCT.start, date(2026, 10, 31), 3,
                                         rate=convert.rate) is not None
        fresh = await _both_ways(session, org, NOV.start, NOV.end, 2, None)
        assert fresh[0].key == "vm-b"
    assert await resource_months.catch_up(session_maker) == 1
    async with session_maker() as session:
        for start, end in PERIODS:
            await _both_ways(session, org, start, end, 3, None)
        assert await resource_months.top(session, org, NOV.start, NOV.end, 2,
                                         rate=convert.rate) is not None


async def test_a_write_during_a_build_leaves_the_month_stale(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """A build reads the month's version, then its lines, then stores them only if the
    version is unchanged: a sync landing in between leaves the month stale (and right)."""
    org, conn = await make_org_and_connection(session_maker, vault)
    await sync(session_maker, org, conn, [server("vm-a"), server("vm-b")], lines_for(NOV), NOV)
    month = await resource_months.read_month(session_maker, org, conn, NOV.start)
    await sync(session_maker, org, conn, [server("vm-a"), server("vm-b")],
               [daily("vm-a", date(2026, 11, 5), "100000")], Window(date(2026, 11, 5),
                                                                   date(2026, 11, 6)))
    assert not await resource_months.store(session_maker, month)
    state = select(ResourceMonthState.version, ResourceMonthState.built).where(
        ResourceMonthState.org_id == org, ResourceMonthState.connection_id == conn)
    async with session_maker() as session:
        assert (await session.execute(state)).one() == (1, None)
        assert await resource_months.top(session, org, NOV.start, NOV.end, 1,
                                         rate=lambda _c, _d: Decimal(1)) is None
        top = await _both_ways(session, org, NOV.start, NOV.end, 1, None)
    assert top[0].key == "vm-a"
    # the next catch-up builds it from the lines as they are now
    assert await resource_months.catch_up(session_maker) == 1
    async with session_maker() as session:
        assert (await session.execute(state)).one() == (1, 1)
        ranked = await resource_months.top(session, org, NOV.start, NOV.end, 1,
                                           rate=lambda _c, _d: Decimal(1))
    assert ranked is not None
    assert ranked[0].key == "vm-a"
