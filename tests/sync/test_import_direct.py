"""A first import into a connection that holds no line (SQLite) is written while the file is
read: no staging, no swap. It stores what a staged import stores; whatever stops it leaves
the connection as it was, empty (in the process, or at the next start after a crash), and
answers say the connection is being loaded until it ends."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.files import BILLING_FILES as FILES
from core.db.models import CostAmount, CostKey, CostLine, JobLease, SyncSnapshot
from core.domain.reports import UpdatingDays
from core.security.vault import Vault
from core.services.focus_import import import_focus
from core.services.import_recovery import recover_imports
from core.services.updating import days_updating
from tests.sync.conftest import NOW, add_connection, make_org_and_connection
from tests.sync.test_import_swap import NEW, OLD, _break_inserts, _import, sqlite_sessions

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
__all__ = ["sqlite_sessions"]  # the fixture, from the swap's tests


async def _stored(sessions: async_sessionmaker[AsyncSession], conn: int) -> list[tuple[Any, ...]]:
    """The connection's lines as readers see them, less their ids and keys."""
    names = [c for c in CostLine.__table__.columns
             if c.name not in ("id", "key_id", "connection_id")]
    async with sessions() as session:
        rows = (await session.execute(select(*names).where(CostLine.connection_id == conn)))
    return sorted((tuple(r) for r in rows.all()), key=repr)


async def _left(sessions: async_sessionmaker[AsyncSession], conn: int) -> tuple[int, int, int]:
    """(lines, keys, snapshots under way) of the connection."""
    async with sessions() as session:
        lines = (await session.execute(select(func.count()).select_from(CostAmount).where(
            CostAmount.connection_id == conn))).scalar_one()
        keys = (await session.execute(select(func.count()).select_from(CostKey).where(
            CostKey.connection_id == conn))).scalar_one()
        loading = (await session.execute(select(func.count()).select_from(SyncSnapshot).where(
            SyncSnapshot.connection_id == conn, SyncSnapshot.status == "swapping")))
    return int(lines), int(keys), int(loading.scalar_one())


async def test_a_first_import_is_written_while_read_and_stores_what_a_staged_one_stores(
        sqlite_sessions: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    sessions = sqlite_sessions
    org, direct = await make_org_and_connection(sessions, vault, kind="focus")
    staged = await add_connection(sessions, org, kind="focus", name="staged")
    await _import(sessions, org, staged, OLD)  # then NEW replaces it: staged and swapped
    engine = sessions.kw["bind"]
    statements: list[str] = []

    def seen(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        await _import(sessions, org, direct, NEW)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert statements
    assert not any("INSERT INTO cost_line_staging" in s for s in statements)
    await _import(sessions, org, staged, NEW)

    assert await _stored(sessions, direct) == await _stored(sessions, staged)
    assert (await _left(sessions, direct))[2] == 0
    async with sessions() as session:
        snap = (await session.execute(select(SyncSnapshot).where(
            SyncSnapshot.connection_id == direct))).scalar_one()
    assert snap.status == "success"
    assert "swap" not in snap.totals
    assert snap.cost_lines == len(await _stored(sessions, direct))
    # the next import of the same file finds the days it repeats, as after a swap
    async with sessions() as session, session.begin():
        again = await import_focus(session, FILES, org, direct, io.BytesIO(NEW), now=NOW)
    assert again.unchanged_days == again.days > 0


async def test_a_first_import_failing_mid_way_leaves_the_connection_empty(
        sqlite_sessions: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """A database refusing the file's late days (a full disk, say) after its early days were
    written: the import fails, and what it wrote is gone, keys and all."""
    sessions = sqlite_sessions
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    await _break_inserts(sessions, on=True)
    with pytest.raises(DBAPIError, match="disk full"):
        await _import(sessions, org, conn, NEW)
    assert await _left(sessions, conn) == (0, 0, 0)
    await _break_inserts(sessions, on=False)
    await _import(sessions, org, conn, NEW)  # the lease was given back
    assert (await _left(sessions, conn))[0] > 0


async def test_a_first_import_a_dead_process_left_is_said_then_undone_at_the_next_start(
        sqlite_sessions: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """A process dies while writing a first import: its lines are in, its snapshot says it
    is loading, its lease runs out. Answers meanwhile name the connection over the whole
    period asked; the next start deletes the lines and keys, and the connection is empty."""
    sessions = sqlite_sessions
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    other = await add_connection(sessions, org, kind="focus", name="other")
    await _import(sessions, org, other, OLD)
    kept = await _stored(sessions, other)
    async with sessions() as session:
        above = int((await session.execute(select(func.max(CostAmount.id)))).scalar_one())
    await _import(sessions, org, conn, NEW)  # then made to look as a dead process left it
    dead = "dead" + "0" * 28
    async with sessions() as session, session.begin():
        await session.execute(update(SyncSnapshot).where(SyncSnapshot.connection_id == conn)
                              .values(status="swapping", totals={"swap": {
                                  "import_id": dead, "loading": True, "above": above,
                                  "scope": [], "chunks": [], "done": 0}}))
        await session.execute(update(JobLease).where(JobLease.name == f"import:{conn}")
                              .values(owner=dead,
                                      expires_at=datetime.now(UTC) - timedelta(minutes=5)))
    assert (await _left(sessions, conn))[0] > 0
    async with sessions() as session:
        assert await days_updating(session, org, *MARCH) == (UpdatingDays("main", *MARCH),)

    assert (await recover_imports(sessions))[0] == 1
    assert await _left(sessions, conn) == (0, 0, 0)
    assert await _stored(sessions, other) == kept
    async with sessions() as session:
        assert await days_updating(session, org, *MARCH) == ()
