"""Balance runway: which burn rate wins, days and date, top-up, statuses, foreign currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import FrozenClock
from core.db.engine import session_factory
from core.domain.roles import Role
from core.services import currency
from core.services.runway import runway
from tests.intelligence.conftest import TODAY, connection, costs, days_before, member, small_org


async def test_spend_burn_days_date_and_top_up(sqlite_engine: AsyncEngine,
                                               clock: FrozenClock) -> None:
    async with session_factory(sqlite_engine)() as session:
        org = await small_org(session)
        conn = await connection(session, org, "Beget", balance=Decimal("10000"),
                                daily_rate=Decimal("900"))
        await costs(session, org, conn, days_before(TODAY, 7, "1000"))
        (row,) = (await runway(session, org, clock)).rows
    assert (row.burn_rate, row.burn_source) == (Decimal("1000.00"), "spend")
    assert row.days_left == 10
    assert row.block_date == date(2026, 12, 2)
    assert row.top_up == Decimal(20000)  # 30 days × 1 000 − 10 000
    assert row.status == "ok"


async def test_the_higher_provider_rate_and_sooner_provider_days_win(
        sqlite_engine: AsyncEngine, clock: FrozenClock) -> None:
    async with session_factory(sqlite_engine)() as session:
        org = await small_org(session)
        a = await connection(session, org, "A", balance=Decimal("5000"),
                             daily_rate=Decimal("1000"))
        await costs(session, org, a, days_before(TODAY, 7, "400"))
        await connection(session, org, "B", balance=Decimal("5000"),
                         daily_rate=Decimal("100"), days_to_block=2)
        view = await runway(session, org, clock, target_days=10)
    rows = {r.name: r for r in view.rows}
    assert (rows["A"].burn_rate, rows["A"].burn_source, rows["A"].days_left) == (
        Decimal("1000.00"), "provider", 5)
    assert rows["A"].status == "low"
    assert rows["A"].top_up == Decimal(5000)
    assert (rows["B"].days_left, rows["B"].status) == (2, "critical")
    assert [r.name for r in view.rows] == ["B", "A"]
    assert view.total_balance == Decimal("10000.00")


async def test_idle_and_empty_accounts(sqlite_engine: AsyncEngine, clock: FrozenClock) -> None:
    async with session_factory(sqlite_engine)() as session:
        org = await small_org(session)
        await connection(session, org, "Idle", balance=Decimal("300"))
        await connection(session, org, "Empty", balance=Decimal("-15"),
                         daily_rate=Decimal("50"))
        await connection(session, org, "Postpaid")  # no balance: not prepaid
        rows = {r.name: r for r in (await runway(session, org, clock)).rows}
    assert set(rows) == {"Idle", "Empty"}
    assert (rows["Idle"].days_left, rows["Idle"].block_date, rows["Idle"].status) == (
        None, None, "ok")
    assert (rows["Empty"].days_left, rows["Empty"].status) == (0, "blocked")
    assert rows["Empty"].top_up == Decimal(1515)


async def test_a_balance_in_another_currency_converts_through_the_rates(
        sqlite_engine: AsyncEngine, clock: FrozenClock) -> None:
    async with session_factory(sqlite_engine)() as session:
        org = await small_org(session)
        admin = await member(session, org, 77, Role.ADMIN)
        await connection(session, org, "AWS", kind="aws", balance=Decimal("100"),
                         balance_currency="USD", daily_rate=Decimal("10"))
        assert (await runway(session, org, clock)).rows == ()  # no rate yet: not guessed
        await currency.set_rate(session, org, admin, "usd", Decimal("92.5"), date(2026, 11, 1))
        (row,) = (await runway(session, org, clock)).rows
    assert (row.balance, row.burn_rate, row.days_left) == (
        Decimal("9250.00"), Decimal("925.00"), 10)
