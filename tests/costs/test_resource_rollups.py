"""Top resources from the resource-month rollup on SQLite and PostgreSQL: after syncs over
several months (and a re-sync of a late window) the rollup equals a fresh GROUP BY, and every
breakdown by resource reads the same from it as from the lines, whatever the period (whole
months, months with edges, a day), the filters and the currencies (the org's, one at a
constant rate, one whose rate changes inside the period, one without a rate)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import CurrencyRate, ResourceMonthRollup
from core.domain.collection import CostLine as Line
from core.domain.collection import Window
from core.security.vault import Vault
from core.services import costs
from core.services.costs import CostFilters, Dimension
from tests.costs.test_rollups import FILTERS, assert_rollup_matches, daily, server, sync
from tests.sync.conftest import make_org_and_connection

SPAN = Window(date(2026, 9, 20), date(2026, 12, 11))
PERIODS = ((date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 10, 1), date(2026, 11, 30)),
           (date(2026, 9, 25), date(2026, 12, 3)), (date(2026, 10, 5), date(2026, 11, 30)),
           (date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 11, 7), date(2026, 11, 7)),
           (date(2026, 11, 1), date(2026, 11, 29)))


def months_of_lines(window: Window, scale: int = 1) -> list[Line]:
    out: list[Line] = []
    day = window.start
    while day < window.end:
        n = Decimal(day.day + day.month) * scale
        out += [daily("vm-a", day, str(n)), daily("vm-a", day, str(n / 3), service="Storage"),
                daily("vm-b", day, str(n * 2)),
                daily("vm-b", day, str(n / 10), service="Network", currency="USD"),
                daily("vm-c", day, str(n / 7), currency="EUR"),
                daily("vm-d", day, str(n / 9), currency="CNY")]
        day += timedelta(days=1)
    return out


async def test_top_resources_read_the_same_from_the_monthly_rollup_and_the_lines(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    inventory = [server("vm-a", tags={"team": "web", "env": "prod"}),
                 server("vm-b", project="p1"), server("vm-c"), server("vm-d")]
    await sync(session_maker, org, conn, inventory, months_of_lines(SPAN), SPAN)
    await assert_rollup_matches(session_maker)
    # a re-sync of a late window across a month's end recomputes both months
    late = Window(date(2026, 11, 28), date(2026, 12, 11))
    await sync(session_maker, org, conn, inventory, months_of_lines(late, 3), late)
    await assert_rollup_matches(session_maker)
    async with session_maker() as session, session.begin():
        # USD changes rate inside the periods (per day); EUR is constant; CNY has no rate
        session.add_all([CurrencyRate(org_id=org, currency=c, rate=Decimal(r), valid_from=d,
                                      base_currency="RUB")
                         for c, d, r in (("USD", date(2026, 1, 1), "90.1"),
                                         ("USD", date(2026, 10, 17), "92.35"),
                                         ("USD", date(2026, 11, 12), "91.0001"),
                                         ("EUR", date(2026, 1, 1), "101.12345678"))])
    async with session_maker() as session:
        for start, end in PERIODS:
            for f in (*FILTERS, CostFilters(resource_names=("VM-C",)),
                      CostFilters(services=("network",))):
                monthly = await costs.breakdown(session, org, start, end, Dimension.RESOURCE, f)
                top = await costs.breakdown(session, org, start, end, Dimension.RESOURCE, f,
                                            limit=2)
                with costs.lines_only():
                    assert monthly == await costs.breakdown(
                        session, org, start, end, Dimension.RESOURCE, f), (start, end, f)
                assert top == monthly[:2]
        everything = {r.key for r in await costs.breakdown(
            session, org, SPAN.start, SPAN.end, Dimension.RESOURCE)}
        assert everything == {"vm-a", "vm-b", "vm-c"}  # CNY: no rate


async def test_a_whole_month_is_read_from_the_monthly_rollup(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """The rollup is what answers a whole month (a row changed behind the lines' back shows),
    and the lines what answer a part of one."""
    org, conn = await make_org_and_connection(session_maker, vault)
    await sync(session_maker, org, conn, [server("vm-a"), server("vm-b")],
               months_of_lines(SPAN), SPAN)
    async with session_maker() as session, session.begin():
        await session.execute(update(ResourceMonthRollup)
                              .where(ResourceMonthRollup.resource == "vm-a")
                              .values(billed_cost=0))
    async with session_maker() as session:
        month = {r.key: r.amount for r in await costs.breakdown(
            session, org, date(2026, 10, 1), date(2026, 10, 31), Dimension.RESOURCE)}
        part = {r.key: r.amount for r in await costs.breakdown(
            session, org, date(2026, 10, 1), date(2026, 10, 30), Dimension.RESOURCE)}
        with costs.lines_only():
            lines = {r.key: r.amount for r in await costs.breakdown(
                session, org, date(2026, 10, 1), date(2026, 10, 31), Dimension.RESOURCE)}
    assert month["vm-a"] == 0 < part["vm-a"] < lines["vm-a"]
    assert month["vm-b"] == lines["vm-b"]
