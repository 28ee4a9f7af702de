"""File imports in short transactions: one import per connection, side by side on PostgreSQL and
in turns on SQLite, and nothing left behind by an import that failed or died (both engines)."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.errors import InvalidInput
from connectors.files import BILLING_FILES as FILES
from core.db.models import CostLine, JobLease, SyncSnapshot, cost_line_staging
from core.db.models.costs import cost_line_staging_idents
from core.security.vault import Vault
from core.services.focus_import import ImportBusy, ImportResult, import_focus
from core.tasks import spawn
from tests.sync.conftest import NOW, add_connection, make_org_and_connection
from tests.sync.test_focus_import_fast import hourly_file

MILLI = Decimal("0.001")
GOOD = hourly_file(3000, price="0.012345").encode()  # 3000 hourly rows, 18 days


class StalledUpload(io.BytesIO):
    """A file that stops arriving mid-way, as a slow disk or upload would: reads in the
    import's worker thread wait until `resume()` (reads on the event loop never do)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reading = threading.Event()
        self._go = threading.Event()

    def read(self, size: int | None = -1, /) -> bytes:
        if threading.current_thread() is not threading.main_thread():
            self.reading.set()
            assert self._go.wait(60), "the test never resumed the upload"
        return super().read(size)

    def resume(self) -> None:
        self._go.set()


async def _import(sessions: async_sessionmaker[AsyncSession], org: int, conn: int,
                  source: Any) -> ImportResult:
    async with sessions() as session, session.begin():
        return await import_focus(session, FILES, org, conn, source, now=NOW)


async def _stalled(sessions: async_sessionmaker[AsyncSession], org: int, conn: int
                   ) -> tuple[StalledUpload, asyncio.Task[ImportResult]]:
    """An import of GOOD into `conn` that has taken its lease and waits for its file."""
    upload = StalledUpload(GOOD)
    task = spawn(_import(sessions, org, conn, upload))
    assert await asyncio.to_thread(upload.reading.wait, 30)
    return upload, task


async def _lines(sessions: async_sessionmaker[AsyncSession], conn: int) -> tuple[int, Decimal]:
    """Stored daily lines and their total (each line kept to micro-units: total to 0.001)."""
    async with sessions() as session:
        count, total = (await session.execute(select(func.count(), func.sum(
            CostLine.billed_cost)).where(CostLine.connection_id == conn))).one()
    return count, (total or Decimal(0)).quantize(MILLI)


def _expected(result: ImportResult) -> tuple[int, Decimal]:
    return result.lines_stored, result.totals["USD"].quantize(MILLI)


async def _staged(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return (await session.execute(
            select(func.count()).select_from(cost_line_staging))).scalar_one()


async def test_a_second_import_into_a_busy_connection_is_told_so(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    upload, first = await _stalled(session_maker, org, conn)
    try:
        with pytest.raises(ImportBusy, match="an import into connection .* is already running"):
            await _import(session_maker, org, conn, io.BytesIO(GOOD))
    finally:
        upload.resume()
    result = await first
    assert result.rows == 3000
    assert await _lines(session_maker, conn) == _expected(result)
    # the lease is given back: the next import goes ahead
    again = await _import(session_maker, org, conn, io.BytesIO(GOOD))
    assert again.totals == result.totals
    assert await _lines(session_maker, conn) == _expected(again)
    assert await _staged(session_maker) == 0


async def test_imports_into_different_connections(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """PostgreSQL: side by side. SQLite (one writer): the second waits its turn, no error."""
    org, first_conn = await make_org_and_connection(session_maker, vault, kind="focus")
    second_conn = await add_connection(session_maker, org)
    upload, first = await _stalled(session_maker, org, first_conn)
    second = spawn(_import(session_maker, org, second_conn, io.BytesIO(GOOD)))
    try:
        if session_maker.kw["bind"].dialect.name == "postgresql":
            result = await asyncio.wait_for(asyncio.shield(second), 60)
            assert not first.done()  # finished while the first was still reading its file
        else:
            await asyncio.sleep(0.5)
            assert not second.done()  # waiting for its turn, not failing
    finally:
        upload.resume()
    result = await second
    done = await first
    assert result.totals == done.totals
    assert await _lines(session_maker, first_conn) == await _lines(session_maker, second_conn)
    assert await _staged(session_maker) == 0


async def test_a_failed_import_keeps_the_lines_and_leaves_nothing_staged(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from core.services import focus_import

    monkeypatch.setattr(focus_import, "FLUSH_BUCKETS", 10)  # batches staged before the bad row
    monkeypatch.setattr(focus_import, "SLICE", 200)
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    await _import(session_maker, org, conn, io.BytesIO(GOOD))
    before = await _lines(session_maker, conn)
    lines = hourly_file(3000).splitlines(keepends=True)
    lines[2500] = lines[2500].replace("USD", "US Dollar", 1)  # after batches were staged
    with pytest.raises(InvalidInput) as err:
        await _import(session_maker, org, conn, io.BytesIO("".join(lines).encode()))
    assert (err.value.row, err.value.column) == (2501, "BillingCurrency")
    assert await _lines(session_maker, conn) == before
    assert await _staged(session_maker) == 0
    async with session_maker() as session:
        snapshots = (await session.execute(select(func.count()).select_from(SyncSnapshot)
                                           .where(SyncSnapshot.connection_id == conn))
                     ).scalar_one()
    assert snapshots == 1  # only the good import recorded one


async def test_what_a_dead_import_staged_is_swept_by_the_next(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    now = datetime.now(UTC)
    day = date(2026, 3, 1)

    async def stage(session: AsyncSession, import_id: str, n: int) -> None:
        await session.execute(insert(cost_line_staging_idents), [
            {"import_id": import_id, "number": i, "org_id": org, "connection_id": conn,
             "billing_currency": "USD", "provider": "other", "provider_name": "Other",
             "charge_category": "Usage", "source": "focus", "resource_external_id": f"r{i}"}
            for i in range(n)])
        await session.execute(insert(cost_line_staging), [
            {"import_id": import_id, "ident": i, "day": day, "billed_cost": Decimal(1),
             "effective_cost": Decimal(1)} for i in range(n)])

    async with session_maker() as session, session.begin():
        # a process died mid-import (its lease ran out) and another one is importing now
        session.add_all([JobLease(name=f"import:{conn}", owner="dead" + "0" * 28,
                                  expires_at=now - timedelta(minutes=1)),
                         JobLease(name="import:999999", owner="live" + "0" * 28,
                                  expires_at=now + timedelta(minutes=1))])
        await stage(session, "dead" + "0" * 28, 120)
        await stage(session, "live" + "0" * 28, 5)
    result = await _import(session_maker, org, conn, io.BytesIO(GOOD))  # the dead lease: taken
    assert result.rows == 3000
    assert await _lines(session_maker, conn) == _expected(result)
    async with session_maker() as session:
        left = set((await session.execute(select(cost_line_staging.c.import_id))).scalars())
        idents = set((await session.execute(
            select(cost_line_staging_idents.c.import_id))).scalars())
    assert left == idents == {"live" + "0" * 28}  # the running import's rows are not touched
