"""FOCUS import on every shared sample file, against totals this test computes on its own."""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.errors import InvalidInput
from connectors.files import BILLING_FILES as FILES
from core.db.engine import session_factory
from core.db.models import Connection, CostLine, SyncSnapshot, cost_line_staging
from core.db.models.costs import cost_line_staging_idents
from core.security.vault import Vault
from core.services import focus_import
from core.services.errors import NotFound, ServiceError
from core.services.focus_import import import_focus
from tests.conftest import FOCUS_DIR
from tests.sync.conftest import NOW, fresh_connection, make_org_and_connection

ALL_FILES = sorted(FOCUS_DIR.rglob("*.csv"))
OFFICIAL = FOCUS_DIR / "official-1.0" / "focus_sample.csv"
CENT = Decimal("0.01")
# hostile spec examples: an impossible hour (30:00) → (line, column) of the first bad cell
BAD_TIMES = {"commitment_discount_purchase_scenario_2.csv": (4, "ChargePeriodEnd"),
             "commitment_discount_purchase_scenario_3.csv": (5, "ChargePeriodEnd")}


def independent(path: Path, currency: str) -> tuple[int, dict[str, Decimal],
                                                   dict[tuple[str, str], Decimal]]:
    """Rows, totals per currency and, for one-day rows, per day: plain csv + Decimal."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if any((v or "").strip() for v in r.values())]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    days: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in rows:
        amount = Decimal(r["BilledCost"].strip().lstrip("$").replace(",", ""))
        cur = (r.get("BillingCurrency") or currency).strip()
        totals[cur] += amount
        days[(cur, r["ChargePeriodStart"][:10])] += amount
    return len(rows), dict(totals), dict(days)


async def stored(sessions: async_sessionmaker[AsyncSession], conn: int
                 ) -> tuple[dict[str, Decimal], dict[tuple[str, date], Decimal], int]:
    async with sessions() as session:
        by_cur = dict((await session.execute(
            select(CostLine.billing_currency, func.sum(CostLine.billed_cost))
            .where(CostLine.connection_id == conn).group_by(CostLine.billing_currency))).all())
        by_day = {(c, d): v for c, d, v in (await session.execute(
            select(CostLine.billing_currency, CostLine.day, func.sum(CostLine.billed_cost))
            .where(CostLine.connection_id == conn)
            .group_by(CostLine.billing_currency, CostLine.day))).all()}
        count = (await session.execute(select(func.count()).select_from(CostLine).where(
            CostLine.connection_id == conn))).scalar_one()
    return by_cur, by_day, count


def cents(values: dict[str, Decimal]) -> dict[str, Decimal]:
    return {k: v.quantize(CENT) for k, v in values.items()}


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name[:60])
async def test_every_sample_file_imports_to_its_own_totals(
        shared_sqlite: AsyncEngine, vault: Vault, path: Path) -> None:
    sessions = session_factory(shared_sqlite)
    org, conn = await fresh_connection(shared_sqlite, vault, "focus")
    has_currency = "BillingCurrency" in path.open(encoding="utf-8-sig").readline()
    if not has_currency:  # spec examples without the column need a default currency
        with pytest.raises(InvalidInput) as err:
            async with sessions() as session, session.begin():
                await import_focus(session, FILES, org, conn, path)
        assert (err.value.row, err.value.column) == (1, "BillingCurrency")
    if path.name in BAD_TIMES:
        with pytest.raises(InvalidInput) as err:
            async with sessions() as session, session.begin():
                await import_focus(session, FILES, org, conn, path, default_currency="USD")
        assert (err.value.row, err.value.column) == BAD_TIMES[path.name]
        assert "30:00" in err.value.detail
        assert (await stored(sessions, conn))[2] == 0  # nothing half-imported
        return
    rows, totals, _ = independent(path, "USD")
    async with sessions() as session, session.begin():
        result = await import_focus(session, FILES, org, conn, path, default_currency="USD",
                                    now=NOW)
    assert result.rows == rows
    assert cents(result.totals) == cents(totals)
    by_cur, _, _ = await stored(sessions, conn)
    assert cents(by_cur) == cents(totals)


async def test_official_sample_daily_totals_and_idempotent_reimport(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # SQLite: one day per swap step (its period bound once); PostgreSQL: all days in one
    monkeypatch.setattr(focus_import, "SWAP_ROWS", 1)
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    rows, totals, days = independent(OFFICIAL, "USD")
    assert totals["USD"] == Decimal("20.52022672899")  # SOURCES.md reference total
    for _ in range(2):
        async with session_maker() as session, session.begin():
            result = await import_focus(session, FILES, org, conn, OFFICIAL, now=NOW)
        by_cur, by_day, count = await stored(session_maker, conn)
        assert result.rows == rows == 1000
        assert cents(by_cur) == {"USD": Decimal("20.52")}
        assert {(c, d.isoformat()): v.quantize(CENT) for (c, d), v in by_day.items()} == {
            k: v.quantize(CENT) for k, v in days.items()}
        assert result.days == len(by_day)
        first_count = count
    assert count == first_count
    async with session_maker() as session:
        providers = set((await session.execute(select(CostLine.provider))).scalars())
        snaps = (await session.execute(select(SyncSnapshot.trigger, SyncSnapshot.status))).all()
        c = await session.get(Connection, conn)
        periods = set((await session.execute(select(
            CostLine.day, CostLine.charge_period_start, CostLine.charge_period_end))).all())
        staged = [(await session.execute(select(func.count()).select_from(table))).scalar_one()
                  for table in (cost_line_staging, cost_line_staging_idents)]
    # every stored line is a daily line: its period is its UTC day (worked out by the swap)
    assert {(day, start, end) for day, start, end in periods} == {
        (day, datetime.combine(day, time(), UTC), datetime.combine(day, time(), UTC)
         + timedelta(days=1)) for day, _, _ in periods}
    assert staged == [0, 0]  # the staged lines and their identities are gone
    assert providers == {"aws", "azure", "oci"}
    assert [tuple(s) for s in snaps] == [("import", "success")] * 2
    assert c is not None
    assert c.last_success_at == NOW


async def test_reimport_of_a_period_replaces_it(sqlite_engine: AsyncEngine, vault: Vault,
                                                tmp_path: Path) -> None:
    sessions = session_factory(sqlite_engine)
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    # the same providers, sub-accounts and days, the second half of the rows now costing 0
    rows = list(csv.reader(OFFICIAL.open(newline="", encoding="utf-8")))
    billed = rows[0].index("BilledCost")
    for row in rows[501:]:
        row[billed] = "0"
    first_half = tmp_path / "half.csv.gz"
    with gzip.open(first_half, "wt", newline="") as fh:
        csv.writer(fh).writerows(rows)
    async with sessions() as session, session.begin():
        await import_focus(session, FILES, org, conn, OFFICIAL)
    async with sessions() as session, session.begin():
        result = await import_focus(session, FILES, org, conn, first_half)  # gzipped, same month
    _, expected, _ = independent(OFFICIAL, "USD")
    by_cur, _, _ = await stored(sessions, conn)
    assert result.rows == 1000
    assert cents(by_cur) == cents(result.totals)
    assert cents(by_cur) != cents(expected)  # the half replaced the whole, no doubling


async def test_spread_and_one_time_rules(sqlite_engine: AsyncEngine, vault: Vault) -> None:
    sessions = session_factory(sqlite_engine)
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    text = ("BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeFrequency,"
            "ServiceName,Tags\n"
            '48,USD,4/1/25,5/1/25,Usage-Based,DB,"{""team"": ""web""}"\n'
            "1200,USD,2025-04-01T00:00:00Z,2026-04-01T00:00:00Z,One-Time,Licence,NULL\n")
    async with sessions() as session, session.begin():
        result = await import_focus(session, FILES, org, conn, io.BytesIO(text.encode()))
    assert result.totals == {"USD": Decimal("1248")}
    async with sessions() as session:
        rows = (await session.execute(select(CostLine).order_by(CostLine.day))).scalars().all()
    db = [r for r in rows if r.service_name == "DB"]
    assert len(db) == 30  # April has 30 days: 48 / 30 = 1.6 a day
    assert {r.billed_cost for r in db} == {Decimal("1.6")}
    assert db[0].tags == {"team": "web"}
    licence = [r for r in rows if r.service_name == "Licence"]
    assert [(r.day, r.billed_cost) for r in licence] == [(date(2025, 4, 1), Decimal("1200"))]


@pytest.mark.parametrize(("text", "line", "column", "needle"), [
    ("BilledCost,ChargePeriodStart,ChargePeriodEnd\n1,2025-01-01,2025-01-02\n", 1,
     "BillingCurrency", "missing"),
    ("ServiceName,Foo\nx,y\n", 1, "BilledCost", "FOCUS"),
    ("BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n"
     "1,USD,2025-01-01,2025-01-02\nabc,USD,2025-01-01,2025-01-02\n", 3, "BilledCost",
     "not a number"),
    ("BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n"
     "NULL,USD,2025-01-01,2025-01-02\n", 2, "BilledCost", "empty"),
    ("BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,Tags\n"
     "1,USD,2025-01-01,2025-01-02,{oops}\n", 2, "Tags", "JSON"),
    ("BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n"
     "1,USD,2025-01-01\n", 2, None, "fields"),
    ("BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n"
     "1,US Dollar,2025-01-01,2025-01-02\n", 2, "BillingCurrency", "3-letter"),
    ("BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n"
     "1,USD,2025-01-03,2025-01-02\n", 2, "ChargePeriodEnd", "before"),
    ("", None, None, "empty"),
])
async def test_bad_files_name_the_first_bad_row_and_column(
        shared_sqlite: AsyncEngine, vault: Vault, text: str, line: int | None,
        column: str | None, needle: str) -> None:
    sessions = session_factory(shared_sqlite)
    org, conn = await fresh_connection(shared_sqlite, vault, "focus")
    with pytest.raises(InvalidInput) as err:
        async with sessions() as session, session.begin():
            await import_focus(session, FILES, org, conn, io.BytesIO(text.encode()))
    assert (err.value.row, err.value.column) == (line, column)
    assert needle in err.value.detail


async def test_binary_garbage_and_wrong_connection(sqlite_engine: AsyncEngine,
                                                   vault: Vault) -> None:
    sessions = session_factory(sqlite_engine)
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    _, other_kind = await make_org_and_connection(sessions, vault, kind="beget", name="b",
                                                  org_name="B")
    async with sessions() as session:
        with pytest.raises(InvalidInput, match="UTF-8"):
            await import_focus(session, FILES, org, conn,
                               io.BytesIO(b"\xff\xfe\x00BilledCost\x81"))
        with pytest.raises(NotFound):
            await import_focus(session, FILES, org + 1, conn, OFFICIAL)
        with pytest.raises(ServiceError, match="beget"):
            await import_focus(session, FILES, org + 1, other_kind, OFFICIAL)
