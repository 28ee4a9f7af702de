"""A file import's swap. On SQLite it goes in short steps: a swap the database broke off
mid-way is finished by the next start or the next import, each day shows old or new lines,
never a mix, and the staged lines wait until their days are swapped. On PostgreSQL the whole
import is one transaction: a database failing mid-way changes nothing at all."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.composition import open_app
from connectors.files import BILLING_FILES as FILES
from core.db import cost_store
from core.db.engine import session_factory
from core.db.models import (
    AuditEntry,
    Budget,
    CostLine,
    JobLease,
    Organization,
    SyncSnapshot,
    cost_line_staging,
)
from core.db.models.costs import KEY_COLUMNS, STAGED_AMOUNTS, cost_line_staging_idents
from core.domain.reports import UpdatingDays
from core.query.model import Intent
from core.security.vault import Vault
from core.services import focus_import
from core.services.ask.service import execute
from core.services.ask.types import BudgetsAnswer, Question, SpendAnswer, TopAnswer
from core.services.costs import CostFilters
from core.services.focus_import import import_focus
from core.services.import_recovery import recover_imports
from core.settings import load_settings
from renderers.format import fmt_date
from renderers.messages.answers import render_answer
from tests.support.db import drop_schema, fresh_database
from tests.sync.conftest import NOW, add_connection, make_org_and_connection
from tests.sync.test_focus_import_fast import hourly_file

OLD = hourly_file(3000, price="0.012345").encode()
NEW = hourly_file(3000, price="0.054321").encode()
BREAK_FROM = date(2026, 3, 10)  # the database refuses lines from this day on


async def _import(sessions: async_sessionmaker[AsyncSession], org: int, conn: int,
                  data: bytes) -> None:
    async with sessions() as session, session.begin():
        await import_focus(session, FILES, org, conn, io.BytesIO(data), now=NOW)


async def _per_day(sessions: async_sessionmaker[AsyncSession], conn: int
                   ) -> dict[date, tuple[int, Decimal]]:
    async with sessions() as session:
        rows = (await session.execute(select(CostLine.day, func.count(), func.sum(
            CostLine.billed_cost)).where(CostLine.connection_id == conn)
            .group_by(CostLine.day))).all()
    return {day: (int(n), total) for day, n, total in rows}


async def _count(sessions: async_sessionmaker[AsyncSession], query: object) -> int:
    async with sessions() as session:
        return int((await session.execute(query)).scalar_one())  # type: ignore[call-overload]


async def _break_inserts(sessions: async_sessionmaker[AsyncSession], on: bool) -> None:
    """A database that fails mid-swap (a full disk, say): inserts of late days refused."""
    async with sessions() as session, session.begin():
        sqlite = session.bind.dialect.name == "sqlite"  # type: ignore[union-attr]
        if not on:
            await session.execute(text("DROP TRIGGER refuse_late ON cost_amounts" if not sqlite
                                       else "DROP TRIGGER refuse_late"))
        elif sqlite:
            await session.execute(text(
                "CREATE TRIGGER refuse_late BEFORE INSERT ON cost_amounts "
                f"WHEN NEW.day >= '{BREAK_FROM}' BEGIN SELECT RAISE(ABORT, 'disk full'); END"))
        else:
            await session.execute(text(
                "CREATE OR REPLACE FUNCTION refuse_late() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.day >= DATE '{BREAK_FROM}' THEN RAISE EXCEPTION 'disk full'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"))
            await session.execute(text(
                "CREATE TRIGGER refuse_late BEFORE INSERT ON cost_amounts "
                "FOR EACH ROW EXECUTE FUNCTION refuse_late()"))


async def _broken_swap(sessions: async_sessionmaker[AsyncSession], vault: Vault,
                       monkeypatch: pytest.MonkeyPatch
                       ) -> tuple[int, int, dict[date, tuple[int, Decimal]],
                                  dict[date, tuple[int, Decimal]]]:
    """OLD imported, then NEW broken off mid-swap; (org, connection, OLD's days, NEW's days
    as a clean import stores them)."""
    monkeypatch.setattr(focus_import, "SWAP_ROWS", 20)  # a few days per step on SQLite
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    _, clean = await make_org_and_connection(sessions, vault, kind="focus", name="clean",
                                             org_name="Clean")
    async with sessions() as session:
        clean_org = (await session.execute(text(
            f"SELECT org_id FROM connections WHERE id = {clean}"))).scalar_one()
    await _import(sessions, clean_org, clean, NEW)
    await _import(sessions, org, conn, OLD)
    old = await _per_day(sessions, conn)
    await _break_inserts(sessions, on=True)
    with pytest.raises(DBAPIError, match="disk full"):
        await _import(sessions, org, conn, NEW)
    await _break_inserts(sessions, on=False)
    return org, conn, old, await _per_day(sessions, clean)


async def _stale_staging(sessions: async_sessionmaker[AsyncSession], org: int,
                         conn: int) -> str:
    """Lines a process staged before it died (its lease ran out): their import id."""
    dead = "dead" + "0" * 28
    start = datetime(2026, 3, 1, tzinfo=UTC)
    async with sessions() as session, session.begin():
        session.add(JobLease(name="import:999999", owner=dead,
                             expires_at=datetime.now(UTC) - timedelta(minutes=5)))
        await session.execute(insert(cost_line_staging_idents), [
            {"import_id": dead, "number": i, "org_id": org, "connection_id": conn,
             "billing_currency": "USD", "provider": "other", "provider_name": "Other",
             "charge_category": "Usage", "source": "focus", "resource_external_id": f"r{i}"}
            for i in range(30)])
        await session.execute(insert(cost_line_staging), [
            {"import_id": dead, "ident": i, "day": start.date(), "billed_cost": Decimal(1),
             "effective_cost": Decimal(1)} for i in range(30)])
    return dead


async def _staged_imports(sessions: async_sessionmaker[AsyncSession]) -> set[str]:
    async with sessions() as session:
        return set((await session.execute(select(cost_line_staging.c.import_id).union(
            select(cost_line_staging_idents.c.import_id)))).scalars())


async def _assert_half_swapped(sessions: async_sessionmaker[AsyncSession], conn: int,
                               old: dict[date, tuple[int, Decimal]],
                               new: dict[date, tuple[int, Decimal]]) -> None:
    now = await _per_day(sessions, conn)
    assert set(now) == set(old)
    for day, got in now.items():  # each day wholly old or wholly new
        assert got == (new[day] if day < BREAK_FROM and got != old[day] else old[day])
    assert all(got == old[day] for day, got in now.items() if day >= BREAK_FROM)
    assert await _count(sessions, select(func.count()).select_from(cost_line_staging)) > 0
    assert await _count(sessions, select(func.count()).select_from(SyncSnapshot).where(
        SyncSnapshot.connection_id == conn, SyncSnapshot.status == "swapping")) == 1


@pytest.fixture
def sqlite_sessions(sqlite_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(sqlite_engine)


async def test_a_swap_broken_off_is_finished_at_the_next_start(
        sqlite_engine: AsyncEngine, sqlite_sessions: async_sessionmaker[AsyncSession],
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, session_maker = sqlite_engine, sqlite_sessions
    org, conn, old, new = await _broken_swap(session_maker, vault, monkeypatch)
    await _assert_half_swapped(session_maker, conn, old, new)
    dead = await _stale_staging(session_maker, org, conn)

    async with open_app(load_settings(), migrate=False, engine=engine, vault=vault):
        pass  # the start finishes the swap and drops what a dead import staged

    assert dead not in await _staged_imports(session_maker)

    assert await _per_day(session_maker, conn) == new
    assert await _count(session_maker,
                        select(func.count()).select_from(cost_line_staging)) == 0
    assert await _staged_imports(session_maker) == set()
    async with session_maker() as session:
        statuses = list((await session.execute(select(SyncSnapshot.status).where(
            SyncSnapshot.connection_id == conn).order_by(SyncSnapshot.id))).scalars())
        audited = (await session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.org_id == org,
            AuditEntry.action == "connection.import_focus"))).scalar_one()
    assert statuses == ["success", "success"]
    assert audited == 2
    assert await recover_imports(session_maker) == (0, 0)  # nothing left to do


async def test_a_swap_broken_off_is_finished_by_the_next_import(
        sqlite_sessions: async_sessionmaker[AsyncSession], vault: Vault,
        monkeypatch: pytest.MonkeyPatch) -> None:
    session_maker = sqlite_sessions
    org, conn, old, new = await _broken_swap(session_maker, vault, monkeypatch)
    await _assert_half_swapped(session_maker, conn, old, new)

    await _import(session_maker, org, conn, OLD)  # finishes NEW's swap first, then imports

    assert await _per_day(session_maker, conn) == old
    assert await _count(session_maker,
                        select(func.count()).select_from(cost_line_staging)) == 0
    assert await _staged_imports(session_maker) == set()
    assert await _count(session_maker, select(func.count()).select_from(SyncSnapshot).where(
        SyncSnapshot.connection_id == conn, SyncSnapshot.status == "success")) == 3


async def _ask(sessions: async_sessionmaker[AsyncSession], org: int, intent: Intent,
               start: date, end: date, filters: CostFilters = CostFilters(),
               connections: tuple[str, ...] = ()) -> SpendAnswer | TopAnswer:
    async with sessions() as session:
        answer = await execute(session, org, Question(intent, start, end, filters,
                                                      connections), today=end)
    assert isinstance(answer, SpendAnswer | TopAnswer)
    return answer


async def test_an_answer_over_days_being_swapped_says_so_until_the_swap_ends(
        sqlite_sessions: async_sessionmaker[AsyncSession], vault: Vault,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Half-way through a swap some of the file's days show the new lines and the rest the
    old: each day is whole, but March's total is neither the old figure nor the new one.
    The answer names the connection and the days until the swap is finished."""
    session_maker = sqlite_sessions
    org, conn, old, new = await _broken_swap(session_maker, vault, monkeypatch)
    await _assert_half_swapped(session_maker, conn, old, new)
    first, last = min(old), max(old)
    async with session_maker() as session, session.begin():  # the file's USD, no rate needed
        await session.execute(update(Organization).where(Organization.id == org)
                              .values(currency="USD"))
        session.add(Budget(org_id=org, name="Cloud", amount=Decimal(5000), currency="USD"))

    spend = await _ask(session_maker, org, Intent.SPEND, date(2026, 3, 1), date(2026, 3, 31))
    assert not spend.left_out
    assert spend.total not in (sum(t for _, t in old.values()), sum(t for _, t in new.values()))
    stored = await _per_day(session_maker, conn)  # each day whole, old or new
    assert spend.total == sum(t for _, t in stored.values())
    assert spend.updating == (UpdatingDays("main", first, last),)
    text_ru = render_answer(spend, "ru")
    assert (f"⏳ Идёт загрузка файла в «main»: дни с {fmt_date(first, 'ru')} по "
            f"{fmt_date(last, 'ru')}") in text_ru
    assert "A file is being loaded into «main»" in render_answer(spend, "en")
    top = await _ask(session_maker, org, Intent.TOP, date(2026, 3, 5), date(2026, 3, 6))
    assert top.updating == (UpdatingDays("main", date(2026, 3, 5), date(2026, 3, 6)),)
    after = await _ask(session_maker, org, Intent.SPEND, date(2026, 4, 1), date(2026, 4, 30))
    assert after.updating == ()  # days the file does not touch
    await _assert_told_only_when_narrowed_to_it(session_maker, org, conn, first, last)
    async with session_maker() as session:  # March's budget: spent so far, half-switched
        budgets = await execute(session, org, Question(Intent.BUDGET, date(2026, 3, 1),
                                                       date(2026, 3, 31)), today=date(2026, 3, 20))
    assert isinstance(budgets, BudgetsAnswer)
    assert budgets.updating == (UpdatingDays("main", first, last),)
    assert "⏳ Идёт загрузка файла в «main»" in render_answer(budgets, "ru")

    assert await recover_imports(session_maker) == (1, 0)  # the swap is finished
    spend = await _ask(session_maker, org, Intent.SPEND, date(2026, 3, 1), date(2026, 3, 31))
    assert spend.total == sum(t for _, t in new.values())
    assert spend.updating == ()
    assert "⏳" not in render_answer(spend, "ru")


async def _assert_told_only_when_narrowed_to_it(
        sessions: async_sessionmaker[AsyncSession], org: int, conn: int, first: date,
        last: date) -> None:
    """A question narrowed to the file's connection or provider is told; one narrowed to
    another connection or provider is not (its figures do not change)."""
    async with sessions() as session:
        provider = (await session.execute(select(CostLine.provider).where(
            CostLine.connection_id == conn).limit(1))).scalar_one()
    other = await add_connection(sessions, org, name="other")
    march = (date(2026, 3, 1), date(2026, 3, 31))
    told = (UpdatingDays("main", first, last),)
    for filters, names, expected in (
            (CostFilters(providers=(provider.upper(),)), (), told),
            (CostFilters(connection_ids=(conn,)), (), told),
            (CostFilters(), ("main",), told),
            (CostFilters(providers=("selectel",)), (), ()),
            (CostFilters(connection_ids=(other,)), (), ()),
            (CostFilters(), ("other",), ()),
            (CostFilters(providers=("selectel", provider)), ("other", "main"), told)):
        for intent in (Intent.SPEND, Intent.TOP):
            answer = await _ask(sessions, org, intent, *march, filters, names)
            assert answer.updating == expected, (intent, filters, names)


@pytest.fixture
async def pg_sessions(pg_url: str | None, tmp_path: Path
                      ) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    if pg_url is None:
        pytest.skip("PostgreSQL not available on this machine (required under CI=true)")
    async with fresh_database("postgres", tmp_path, pg_url) as engine:
        yield session_factory(engine)


async def test_on_postgresql_a_database_failing_mid_import_changes_nothing(
        pg_sessions: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """The import's one transaction rolls back: every day keeps its old lines, nothing is
    left staged or half-recorded, the lease is free, and sending the file again works."""
    session_maker = pg_sessions
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    await _import(session_maker, org, conn, OLD)
    old = await _per_day(session_maker, conn)
    async with session_maker() as session:
        audited = (await session.execute(select(func.count()).select_from(AuditEntry))
                   ).scalar_one()
    await _break_inserts(session_maker, on=True)
    with pytest.raises(DBAPIError, match="disk full"):
        await _import(session_maker, org, conn, NEW)

    assert await _per_day(session_maker, conn) == old
    assert await _staged_imports(session_maker) == set()
    async with session_maker() as session:
        statuses = list((await session.execute(select(SyncSnapshot.status).where(
            SyncSnapshot.connection_id == conn))).scalars())
        assert statuses == ["success"]
        assert (await session.execute(select(func.count()).select_from(AuditEntry))
                ).scalar_one() == audited
    assert await recover_imports(session_maker) == (0, 0)  # nothing to finish or sweep

    await _break_inserts(session_maker, on=False)
    await _import(session_maker, org, conn, NEW)  # at once: the lease was given back
    new = await _per_day(session_maker, conn)
    assert set(new) == set(old)
    assert new != old
    assert sum(n for n, _ in new.values()) == sum(n for n, _ in old.values())


async def test_on_postgresql_an_id_sequence_behind_the_lines_refuses_the_import(
        pg_sessions: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """A line stored with an id the sequence never gave (a restore without setval): the
    import's new lines could then get ids below the stored ones and be deleted as old lines
    at its end. It refuses instead, naming the fix, and changes nothing."""
    session_maker = pg_sessions
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    await _import(session_maker, org, conn, OLD)
    async with session_maker() as session, session.begin():
        await session.execute(text(
            "INSERT INTO cost_amounts (id, org_id, connection_id, key_id, resource_id, day, "
            "charge_period_start, charge_period_end, billed_cost, effective_cost, list_cost, "
            "contracted_cost, pricing_quantity, row_hash) SELECT 1000000000, org_id, "
            "connection_id, key_id, resource_id, day, charge_period_start, "
            "charge_period_end, billed_cost, effective_cost, list_cost, contracted_cost, "
            "pricing_quantity, row_hash FROM cost_amounts ORDER BY id LIMIT 1"))
    before = await _per_day(session_maker, conn)
    with pytest.raises(RuntimeError, match="setval"):
        await _import(session_maker, org, conn, NEW)
    assert await _per_day(session_maker, conn) == before

    async with session_maker() as session, session.begin():
        await session.execute(text("SELECT setval(pg_get_serial_sequence('cost_amounts', "
                                   "'id'), (SELECT max(id) FROM cost_amounts))"))
    await _import(session_maker, org, conn, NEW)  # the lease was given back
    assert await _per_day(session_maker, conn) != before


async def test_lines_staged_before_the_narrow_staging_are_swapped_as_they_were(
        engine: AsyncEngine) -> None:
    """A swap a dead process left half done across the upgrade to 0013: its staged lines
    (then whole cost lines) become narrow lines with an identity each, and move into
    `cost_lines` with the same values."""
    from sqlalchemy import Column, MetaData, String, Table

    from core.db.migrate import upgrade

    async with engine.begin() as conn:
        await drop_schema(conn)
    await upgrade(engine, "0012")
    old = {"org_id": 7, "connection_id": 9, "resource_id": None, "day": date(2026, 3, 1),
           "charge_period_start": datetime(2026, 3, 1, tzinfo=UTC),
           "charge_period_end": datetime(2026, 3, 2, tzinfo=UTC),
           "billed_cost": Decimal("1.234567891"), "effective_cost": Decimal(1),
           "list_cost": None, "contracted_cost": Decimal("0.000000005"),
           "billing_currency": "USD", "provider": "aws", "provider_name": "AWS",
           "service_name": "Amazon EC2", "service_category": "Compute",
           "charge_category": "Usage", "resource_external_id": "i-1", "resource_name": "web",
           "resource_type": "vm", "region_id": "us-east-1", "sub_account_id": "123",
           "sub_account_name": "prod", "pricing_quantity": Decimal("2.500000"),
           "pricing_unit": "Hours", "sku_id": "sku", "tags": {"team": "web"},
           "source": "focus", "row_hash": None}
    before = Table("cost_line_staging", MetaData(), Column("import_id", String(32)),
                   *(Column(c.name, c.type) for c in CostLine.__table__.columns
                     if c.name != "id"))
    async with engine.begin() as conn:
        await conn.execute(insert(before), [{"import_id": "dead", **old}])
    await upgrade(engine)
    async with engine.connect() as conn:
        ident = (await conn.execute(select(cost_line_staging_idents).where(
            cost_line_staging_idents.c.import_id == "dead"))).mappings().one()
        line = (await conn.execute(select(cost_line_staging).where(
            cost_line_staging.c.import_id == "dead"))).mappings().one()
    # the identity as it was, with the digest its key is found or made by (0018)
    assert {c: ident[c] for c in KEY_COLUMNS} == {c: old[c] for c in KEY_COLUMNS}
    assert ident["digest"] == cost_store.key_digest([old[c] for c in KEY_COLUMNS])
    assert line["ident"] == ident["number"]
    assert {c: line[c] for c in ("day", *STAGED_AMOUNTS)} == {
        c: old[c] for c in ("day", *STAGED_AMOUNTS)}
