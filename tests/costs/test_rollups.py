"""Daily rollups on SQLite and PostgreSQL: after every write that changes cost lines or how
they group (sync, import, partial re-import, allocation rules, connection deletion) the rollup
equals a fresh GROUP BY over the lines, and every spend answer reads the same from it as
from the lines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.files import BILLING_FILES as FILES
from core.db.migrate import upgrade
from core.db.models import Connection, CostLine, CostRollup, CurrencyRate, Organization
from core.domain.collection import AccountInfo, Collection, ResourceRecord, Window
from core.domain.collection import CostLine as Line
from core.domain.collection import ResourceKind as K
from core.domain.collection import ResourceStatus as S
from core.security.vault import Vault
from core.services import allocation, costs, focus_import, rollups
from core.services.connections import delete_connection
from core.services.costs import CostFilters, Dimension
from core.services.focus_import import import_focus
from core.services.sync.apply import apply_collection
from core.services.sync.costs import core_table
from tests.support.db import drop_schema
from tests.sync.conftest import NOW, make_org_and_connection

NOV = Window(date(2026, 11, 1), date(2026, 11, 21))
FOCUS_HEADER = ("BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,"
                "ProviderName,ServiceName,ServiceCategory,ResourceId,ResourceName,RegionId,"
                "SubAccountId,SubAccountName\n")


async def assert_rollup_matches(sessions: async_sessionmaker[AsyncSession],
                                org_id: int | None = None) -> int:
    """The one checker: the rollup equals a fresh GROUP BY over the lines (and summarises
    every line); returns how many rollup rows there are."""
    async with sessions() as session:
        assert await rollups.differences(session, org_id) == {}
        scope_l = [CostLine.org_id == org_id] if org_id is not None else []
        scope_r = [CostRollup.org_id == org_id] if org_id is not None else []
        lines = (await session.execute(
            select(func.count()).select_from(CostLine).where(*scope_l))).scalar_one()
        summarised = (await session.execute(
            select(func.coalesce(func.sum(CostRollup.lines), 0)).where(*scope_r))).scalar_one()
        rows = (await session.execute(
            select(func.count()).select_from(CostRollup).where(*scope_r))).scalar_one()
    assert int(summarised) == lines
    return int(rows)


def server(ext: str, *, tags: dict[str, str] | None = None, project: str | None = None,
           cost: str = "10") -> ResourceRecord:
    return ResourceRecord(external_id=ext, name=f"name-{ext}", kind=K.SERVER, status=S.RUNNING,
                          region="ru-1", daily_cost=Decimal(cost), tags=tags or {},
                          project=project)


def daily(ext: str, day: date, amount: str, *, service: str = "Compute",
          currency: str = "RUB") -> Line:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return Line(charge_period_start=start, charge_period_end=start + timedelta(days=1),
                billed_cost=Decimal(amount), resource_id=ext, sku_id=f"{service}-sku",
                service_name=service, billing_currency=currency, region_id="ru-1")


def lines_for(window: Window, scale: str = "1") -> list[Line]:
    out: list[Line] = []
    day = window.start
    while day < window.end:
        n = Decimal(day.day) * Decimal(scale)
        out += [daily("vm-a", day, str(n)), daily("vm-a", day, str(n / 4), service="Storage"),
                daily("vm-b", day, str(n * 2)),
                daily("vm-b", day, str(n / 10), service="Network", currency="USD")]
        day += timedelta(days=1)
    return out


async def sync(sessions: async_sessionmaker[AsyncSession], org: int, conn: int,
               resources: list[ResourceRecord], lines: list[Line], window: Window) -> None:
    async with sessions() as session, session.begin():
        await apply_collection(session, org_id=org, connection_id=conn,
                               collection=Collection(account=AccountInfo("acc-1"),
                                                     resources=resources, cost_lines=lines),
                               window=window, started_at=NOW, now=NOW)


async def test_sync_rules_and_connection_deletion_keep_the_rollup(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    _, other = await make_org_and_connection(session_maker, vault, name="second",
                                             org_name="Other")
    inventory = [server("vm-a", tags={"team": "web"}), server("vm-b", project="p1")]
    await sync(session_maker, org, conn, inventory, lines_for(NOV), NOV)
    assert await assert_rollup_matches(session_maker) > 0

    # a re-sync of part of the window with other amounts replaces those days only
    late = Window(date(2026, 11, 15), date(2026, 11, 21))
    await sync(session_maker, org, conn, inventory, lines_for(late, "3"), late)
    await assert_rollup_matches(session_maker)

    # the inventory moves vm-b to another project: its earlier days regroup too
    moved = [server("vm-a", tags={"team": "web"}), server("vm-b", project="p2", cost="11")]
    await sync(session_maker, org, conn, moved, lines_for(late, "3"), late)
    await assert_rollup_matches(session_maker)
    async with session_maker() as session:
        by_project = {r.key for r in await costs.breakdown(
            session, org, NOV.start, date(2026, 11, 5), Dimension.PROJECT)}
    assert by_project == {"p2", ""}

    # allocation rules give vm-b a team, change it, then take it back
    async with session_maker() as session, session.begin():
        rule = await allocation.create_rule(session, org, None, name="data",
                                            match={"name": "name-vm-b"}, team="data")
    await assert_rollup_matches(session_maker)
    async with session_maker() as session:
        teams = {r.key: r.amount for r in await costs.breakdown(
            session, org, NOV.start, NOV.end, Dimension.TEAM)}
    assert set(teams) == {"web", "data"}
    async with session_maker() as session, session.begin():
        await allocation.update_rule(session, org, None, rule, team="platform")
    await assert_rollup_matches(session_maker)
    async with session_maker() as session, session.begin():
        await allocation.delete_rule(session, org, None, rule)
    await assert_rollup_matches(session_maker)
    async with session_maker() as session:
        teams_after = {r.key for r in await costs.breakdown(
            session, org, NOV.start, NOV.end, Dimension.TEAM)}
    assert teams_after == {"web", ""}

    # the other org's lines are untouched by all of this; deleting a connection drops its rollup
    await sync(session_maker, org + 1, other, [server("x")],
               [daily("x", date(2026, 11, 2), "5")], NOV)
    await assert_rollup_matches(session_maker)
    async with session_maker() as session, session.begin():
        await delete_connection(session, org, conn)
    assert await assert_rollup_matches(session_maker) == 1
    async with session_maker() as session:
        assert await costs.total(session, org, NOV.start, NOV.end) == 0
        assert await costs.data_range(session, org) is None


def focus_day_rows(day: date, index: int, scale: int = 1,
                   accounts: tuple[str, ...] = ("acc-1", "acc-2"),
                   changes: dict[tuple[str, int], str] | None = None) -> list[str]:
    """The rows of `focus_file`'s day number `index`: three services per account; `changes`:
    (account, service index) → that row's `cost,resource name` in place of its own."""
    start = f"{day.isoformat()}T00:00:00Z"
    end = f"{(day + timedelta(1)).isoformat()}T00:00:00Z"
    rows = []
    for account in accounts:
        for n, service in enumerate(("Amazon EC2", "Amazon S3", "AWS Lambda")):
            own = f"{Decimal(scale * (index + 1) * (n + 1)) / 7:.9f},res {n}"
            cost, name = (changes or {}).get((account, n), own).split(",")
            rows.append(f"{cost},{cost},USD,{start},{end},AWS,{service},Compute,"
                        f"r-{account}-{n},{name},us-east-1,{account},Team {account}\n")
    return rows


def focus_file(path: Path, first: date, days: int, scale: int, accounts: tuple[str, ...] = (
        "acc-1", "acc-2")) -> Path:
    rows = [FOCUS_HEADER]
    for i in range(days):
        rows += focus_day_rows(first + timedelta(days=i), i, scale, accounts)
    path.write_text("".join(rows), encoding="utf-8")
    return path


async def test_imports_and_partial_reimports_keep_the_rollup(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault, tmp_path: Path) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    async with session_maker() as session:
        await import_focus(session, FILES, org, conn, focus_file(tmp_path / "a.csv",
                                                           date(2026, 10, 1), 31, 1), now=NOW)
    assert await assert_rollup_matches(session_maker) == 31 * 2 * 3
    # days 10–15 again, other amounts, one sub-account only: the rest stays
    async with session_maker() as session:
        await import_focus(session, FILES, org, conn, focus_file(tmp_path / "b.csv",
                                                           date(2026, 10, 10), 6, 5,
                                                           ("acc-1",)), now=NOW)
    await assert_rollup_matches(session_maker)
    async with session_maker() as session:
        session.add(CurrencyRate(org_id=org, currency="USD", rate=Decimal("90"),
                                 valid_from=date(2026, 1, 1), base_currency="RUB"))
        await session.flush()
        by_project = {r.key: r.amount for r in await costs.breakdown(
            session, org, date(2026, 10, 10), date(2026, 10, 10), Dimension.PROJECT)}
        assert by_project.keys() == {"Team acc-1", "Team acc-2"}
        rebuilt = await rollups.rebuild(session, org)
        await session.commit()
    assert rebuilt == await assert_rollup_matches(session_maker)


async def test_an_import_writes_its_own_rollup_as_a_group_by_would(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An import writes its days' rollup from the sums it made while staging, not by reading
    its lines again: a charge spread over several days, lines of an account it does not
    replace whose name is the same project, and an import past the sums' limit (summed in
    SQL instead) all come out as a GROUP BY over the lines."""
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")

    def with_extras(path: Path, first: date, days: int, scale: int,
                    accounts: tuple[str, ...] = ("acc-1", "acc-2")) -> Path:
        focus_file(path, first, days, scale, accounts)
        with path.open("a", encoding="utf-8") as out:
            # a three-day charge (spread by day) and a third account named like the first
            out.write(f"{scale * 9},{scale * 9},USD,{first.isoformat()}T00:00:00Z,"
                      f"{(first + timedelta(3)).isoformat()}T00:00:00Z,AWS,Amazon RDS,"
                      "Databases,db-1,db,us-east-1,acc-1,Team acc-1\n")
            if "acc-1" not in accounts or len(accounts) > 1:
                out.write(f"{scale},{scale},USD,{first.isoformat()}T00:00:00Z,"
                          f"{(first + timedelta(1)).isoformat()}T00:00:00Z,AWS,Amazon EC2,"
                          "Compute,r-x,res x,us-east-1,acc-3,Team acc-1\n")
        return path

    async def imported(path: Path) -> None:
        async with session_maker() as session:
            await import_focus(session, FILES, org, conn, path, now=NOW)
        await assert_rollup_matches(session_maker)

    await imported(with_extras(tmp_path / "a.csv", date(2026, 10, 1), 31, 1))
    await imported(with_extras(tmp_path / "b.csv", date(2026, 10, 10), 6, 5, ("acc-1",)))
    monkeypatch.setattr(focus_import, "SUMS_LIMIT", 3)
    await imported(with_extras(tmp_path / "c.csv", date(2026, 10, 12), 4, 7, ("acc-2",)))
    async with session_maker() as session:  # the three-day charges, spread by day
        rds = (await session.execute(select(func.count(), func.sum(CostLine.billed_cost))
                                     .where(CostLine.service_name == "Amazon RDS"))).one()
    # 9 on Oct 1–3; 45 on Oct 10–12 of which c replaced the 12th; 63 on Oct 12–14
    assert tuple(rds) == (8, Decimal(9 + 30 + 63))


FILTERS = (
    CostFilters(), CostFilters(providers=("AWS",)), CostFilters(services=("compute",)),
    CostFilters(teams=("web",)), CostFilters(projects=("p1", "Team acc-2")),
    CostFilters(regions=("RU-1",)), CostFilters(environments=("prod",)),
    CostFilters(connection_ids=(1, 2, 3)), CostFilters(tags=(("team", "web"),)),
    CostFilters(resource_names=("name-vm-a", "res 1")),
)


async def test_every_answer_reads_the_same_from_rollups_and_lines(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault, tmp_path: Path) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    await sync(session_maker, org, conn,
               [server("vm-a", tags={"team": "web", "env": "prod"}), server("vm-b", project="p1")],
               lines_for(NOV) + [daily("vm-a", date(2026, 11, 3), "4", currency="EUR")], NOV)
    async with session_maker() as session, session.begin():
        focus = Connection(org_id=org, kind="focus", name="aws", credentials=b"x", options={})
        session.add(focus)
        await session.flush()
        focus_id = focus.id
        # USD changes rate inside the period (per-day conversion); EUR has no rate at all
        session.add_all([CurrencyRate(org_id=org, currency="USD", rate=Decimal(r),
                                      valid_from=d, base_currency="RUB")
                         for d, r in ((date(2026, 10, 1), "90.1"), (date(2026, 11, 7), "92.35"),
                                      (date(2026, 11, 12), "91"))])
    async with session_maker() as session:
        await import_focus(session, FILES, org, focus_id,
                           focus_file(tmp_path / "f.csv", date(2026, 11, 1), 20, 2), now=NOW)
    await assert_rollup_matches(session_maker)
    periods = ((date(2026, 11, 1), date(2026, 11, 20)), (date(2026, 11, 8), date(2026, 11, 11)),
               (date(2026, 10, 1), date(2026, 12, 31)))
    dims: list[Dimension] = [d for d in Dimension if d is not Dimension.RESOURCE]
    async with session_maker() as session:
        for start, end in periods:
            for f in FILTERS:
                with_rollups = await _answers(session, org, start, end, f, dims)
                with costs.lines_only():
                    from_lines = await _answers(session, org, start, end, f, dims)
                assert with_rollups == from_lines, (start, end, f)
                assert with_rollups[0] or f.environments or f.resource_names
        assert await costs.data_range(session, org) == (date(2026, 11, 1), date(2026, 11, 20))
        with costs.lines_only():
            assert await costs.data_range(session, org) == (date(2026, 11, 1),
                                                           date(2026, 11, 20))
        # EUR has no rate: left out on both paths alike, with its own amount
        left = await costs.left_out(session, org, NOV.start, NOV.end)
        assert [x.currency for x in left] == ["EUR"]
        assert left[0].amount == Decimal("4")


async def _answers(session: AsyncSession, org: int, start: date, end: date, f: CostFilters,
                   dims: list[Dimension]) -> tuple[object, ...]:
    return (await costs.total(session, org, start, end, f),
            [await costs.breakdown(session, org, start, end, d, f) for d in dims],
            await costs.daily(session, org, start, end, f),
            [await costs.daily_by(session, org, start, end, d, f) for d in dims],
            await costs.left_out(session, org, start, end, f))


async def test_the_migration_fills_the_rollup_from_stored_lines(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await drop_schema(conn)
    await upgrade(engine, "0006")
    async with engine.begin() as conn:
        org = (await conn.execute(insert(core_table(Organization)).values(
            slug="old", name="Old").returning(core_table(Organization).c.id))).scalar_one()
        cid = (await conn.execute(insert(core_table(Connection)).values(
            org_id=org, kind="focus", name="aws", credentials=b"x", options={},
            created_at=NOW).returning(core_table(Connection).c.id))).scalar_one()
        start = datetime(2026, 11, 1, tzinfo=UTC)
        await conn.execute(insert(core_table(CostLine)), [
            {"org_id": org, "connection_id": cid, "day": date(2026, 11, 1 + i % 3),
             "charge_period_start": start, "charge_period_end": start,
             "billed_cost": Decimal("1.000000001") * i, "effective_cost": Decimal(i),
             "billing_currency": "USD", "provider": "aws", "provider_name": "AWS",
             "service_name": f"s{i % 2}", "sub_account_name": "acc", "source": "file"}
            for i in range(1, 13)])
    await upgrade(engine)
    from core.db.engine import session_factory
    assert await assert_rollup_matches(session_factory(engine)) == 6


def _tables_read(engine: AsyncEngine) -> tuple[list[str], Callable[..., None]]:
    """The FROM tables of the statements the engine runs (listener returned for removal)."""
    seen: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", listen)
    return seen, listen


async def test_answers_read_the_smallest_table_that_holds_them(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """Totals, provider/service splits and daily series come from the service rollup (25×
    fewer rows than the rollup on a large account); a project split from the rollup; a
    resource split from the lines. Each gives what the lines give."""
    org, conn = await make_org_and_connection(session_maker, vault)
    await sync(session_maker, org, conn, [server("vm-a"), server("vm-b", project="p1")],
               lines_for(NOV), NOV)
    async with session_maker() as session:
        engine = session.bind
        assert isinstance(engine, AsyncEngine)
        seen, listen = _tables_read(engine)
        cases = (
            (lambda: costs.total(session, org, NOV.start, NOV.end), "cost_service_rollups"),
            (lambda: costs.breakdown(session, org, NOV.start, NOV.end, Dimension.SERVICE,
                                     CostFilters(providers=("selectel",))),
             "cost_service_rollups"),
            (lambda: costs.daily_by(session, org, NOV.start, NOV.end, Dimension.PROVIDER),
             "cost_service_rollups"),
            (lambda: costs.breakdown(session, org, NOV.start, NOV.end, Dimension.PROJECT),
             "cost_rollups"),
            (lambda: costs.breakdown(session, org, NOV.start, NOV.end, Dimension.SERVICE,
                                     CostFilters(regions=("ru-1",))), "cost_rollups"),
            (lambda: costs.breakdown(session, org, NOV.start, NOV.end, Dimension.RESOURCE),
             "cost_lines"),
        )
        try:
            for ask, table in cases:
                seen.clear()
                answer = await ask()
                costs_reads = [s for s in seen if "cost_" in s and "currency_rates" not in s]
                with costs.lines_only():
                    assert await ask() == answer
                assert costs_reads, table
                assert all(f"FROM {table} " in s or f"FROM {table}\n" in s
                           for s in costs_reads), (table, costs_reads)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", listen)
