"""A re-import of a month-to-date export leaves the days it repeats exactly as they are (on
SQLite: no delete, no insert, the same line ids) and rewrites every day that differs in any
column, whatever changed it: the file, another import with another scope, or the stored
lines themselves. Whatever it skips, the stored lines are the file's, and the rollup theirs.
PostgreSQL imports rewrite everything in their one transaction, with the same result."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.files import BILLING_FILES as FILES
from connectors.focus import arrow_reader
from core.db import cost_store
from core.db.models import CostAmount, CostKey, CostLine
from core.db.models.costs import KEY_COLUMNS, cost_line_staging, cost_line_staging_idents
from core.domain.limits import ReadLimits
from core.security.vault import Vault
from core.services.focus_import import ImportResult, import_focus
from core.services.updating import UpdatingDays, days_updating
from renderers.messages.imports import import_summary_lines
from tests.costs.test_rollups import FOCUS_HEADER, assert_rollup_matches, focus_day_rows
from tests.support.swaps import end_swap, swapping
from tests.sync.conftest import NOW, make_org_and_connection

FIRST = date(2026, 11, 1)
DAYS = 6


def _file(path: Path, *, accounts: tuple[str, ...] = ("acc-1", "acc-2"),
          changes: dict[tuple[int, str, int], str] | None = None,
          spread: bool = False, days: int = DAYS, twice: bool = False) -> Path:
    """Three services per account and day; `changes`: (day index, account, service index) →
    a replacement for that row's `cost,resource name` columns; `twice`: each line of a day
    in two rows, the second after all of the day's first ones."""
    rows = [FOCUS_HEADER]
    for i in range(days):
        day_rows = focus_day_rows(FIRST + timedelta(days=i), i, accounts=accounts, changes={
            (account, n): value for (d, account, n), value in (changes or {}).items()
            if d == i})
        rows += day_rows
        if twice:  # a second row of each of the day's lines (as hours of it are)
            rows.extend(row.replace(row.split(",")[0], "0.5", 2) for row in day_rows)
    if spread:  # a charge over the first three days: spread by day, the record path
        rows.append(f"9,9,USD,{FIRST.isoformat()}T00:00:00Z,"
                    f"{(FIRST + timedelta(3)).isoformat()}T00:00:00Z,AWS,Amazon RDS,Databases,"
                    "db-1,db,us-east-1,acc-1,Team acc-1\n")
    path.write_text("".join(rows), encoding="utf-8")
    return path


async def _import(sessions: async_sessionmaker[AsyncSession], org: int, conn: int,
                  path: Path, limits: ReadLimits | None = None) -> ImportResult:
    async with sessions() as session:
        return await import_focus(session, FILES, org, conn, path, now=NOW, limits=limits)


async def _lines(sessions: async_sessionmaker[AsyncSession], conn: int
                 ) -> dict[tuple[date, str | None, str | None], tuple[int, object, str | None]]:
    """(day, sub-account, resource) → (line id, billed, name)."""
    async with sessions() as session:
        rows = (await session.execute(select(
            CostLine.day, CostLine.sub_account_id, CostLine.resource_external_id, CostLine.id,
            CostLine.billed_cost, CostLine.resource_name).where(
                CostLine.connection_id == conn))).all()
    return {(d, a, r): (i, b, n) for d, a, r, i, b, n in rows}


async def _count(sessions: async_sessionmaker[AsyncSession], conn: int) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(CostLine).where(
            CostLine.connection_id == conn))).scalar_one())


async def _staged_left(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return sum([len((await session.execute(select(table.c.import_id))).all())
                    for table in (cost_line_staging, cost_line_staging_idents)])


def _rewritten(before: dict[tuple[date, str | None, str | None], tuple[int, object, str | None]],
               after: dict[tuple[date, str | None, str | None], tuple[int, object, str | None]]
               ) -> set[date]:
    """The days whose lines got new ids."""
    assert before.keys() == after.keys()
    return {key[0] for key in before if before[key][0] != after[key][0]}


async def test_a_reimport_leaves_the_days_it_repeats_and_rewrites_the_rest(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault, tmp_path: Path) -> None:
    sessions = session_maker
    on_sqlite = sessions.kw["bind"].dialect.name == "sqlite"
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    await _import(sessions, org, conn, _file(tmp_path / "a.csv"))
    first = await _lines(sessions, conn)

    same = await _import(sessions, org, conn, _file(tmp_path / "again.csv"))
    again = await _lines(sessions, conn)
    assert same.unchanged_days == (DAYS if on_sqlite else 0)
    # the summary says no line was replaced when none was
    assert sum(same.replaced.values()) == (0 if on_sqlite else DAYS * 6)
    told_replaced = any("Заменены" in line for line in import_summary_lines(same, "ru"))
    assert told_replaced == (not on_sqlite)
    told = [line for line in import_summary_lines(same, "ru") if "без изменений" in line]
    assert told == ([f"Дней без изменений: {DAYS} — файл повторил их строки в точности, они "
                     "оставлены как были."] if on_sqlite else [])
    assert any("Days unchanged: 6." in line for line in import_summary_lines(same, "en")) \
        == on_sqlite
    assert _rewritten(first, again) == (set() if on_sqlite else {FIRST + timedelta(i)
                                                                   for i in range(DAYS)})
    assert {k: v[1:] for k, v in again.items()} == {k: v[1:] for k, v in first.items()}
    assert await _staged_left(sessions) == 0
    await assert_rollup_matches(sessions)

    # one amount on day 3 and one resource name on day 5 differ: those two days rewritten
    changed = await _import(sessions, org, conn, _file(
        tmp_path / "b.csv", changes={(2, "acc-1", 0): "5.000000000,res 0",
                                     (4, "acc-2", 1): "0.714285714,renamed"}))
    now = await _lines(sessions, conn)
    if on_sqlite:
        assert changed.unchanged_days == DAYS - 2
        assert sum(changed.replaced.values()) == 2 * 6  # the two days' lines, no more
        assert _rewritten(again, now) == {FIRST + timedelta(2), FIRST + timedelta(4)}
    assert now[(FIRST + timedelta(2), "acc-1", "r-acc-1-0")][1:] == (5, "res 0")
    assert now[(FIRST + timedelta(4), "acc-2", "r-acc-2-1")][2] == "renamed"
    assert {k: v[1:] for k, v in now.items()
            if k[0] not in (FIRST + timedelta(2), FIRST + timedelta(4))} == {
        k: v[1:] for k, v in first.items() if k[0] not in (FIRST + timedelta(2),
                                                           FIRST + timedelta(4))}
    assert await _staged_left(sessions) == 0
    await assert_rollup_matches(sessions)


async def test_a_month_to_date_file_one_day_longer_rewrites_only_its_new_day(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Yesterday's export had nine days, today's ten: read in windows that fall elsewhere in
    the longer file, the nine days still make the same lines, one per day and resource
    (the reader holds a day's lines until the file moves past it), so only day ten is
    written."""
    monkeypatch.setattr(arrow_reader, "BLOCK", 512)  # ~25 rows a window: days straddle them
    monkeypatch.setattr(arrow_reader, "GROUP_ROWS", 1)
    monkeypatch.setattr(arrow_reader, "EMIT_ROWS", 1)  # lines handed out every window
    small = ReadLimits(max_line_bytes=200)
    sessions = session_maker
    on_sqlite = sessions.kw["bind"].dialect.name == "sqlite"
    accounts = tuple(f"acc-{n}" for n in range(6))
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    nine = _file(tmp_path / "9.csv", accounts=accounts, days=9, twice=True)
    await _import(sessions, org, conn, nine, small)
    before = await _lines(sessions, conn)
    assert await _count(sessions, conn) == len(before) == 9 * 6 * 3  # one a day and resource
    result = await _import(sessions, org, conn,
                           _file(tmp_path / "10.csv", accounts=accounts, days=10, twice=True),
                           small)
    after = await _lines(sessions, conn)
    assert await _count(sessions, conn) == len(after) == 10 * 6 * 3
    assert result.unchanged_days == (9 if on_sqlite else 0)
    kept = {k: v for k, v in after.items() if k in before}
    if on_sqlite:
        assert kept == before  # the same ids: not written again
    assert {k: v[1:] for k, v in kept.items()} == {k: v[1:] for k, v in before.items()}
    await assert_rollup_matches(sessions)


async def test_days_another_scope_or_another_way_changed_are_rewritten(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault, tmp_path: Path) -> None:
    """An import of one sub-account replaces part of the days a full import digested; a
    stored line changed in place keeps the day's line count: a re-import of the full file
    must find both days changed and rewrite them, not trust what was recorded."""
    sessions = session_maker
    on_sqlite = sessions.kw["bind"].dialect.name == "sqlite"
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    full = _file(tmp_path / "full.csv")
    await _import(sessions, org, conn, full)
    expected = {k: v[1:] for k, v in (await _lines(sessions, conn)).items()}
    # acc-1 alone, other amounts: acc-1's lines of every day replaced, acc-2's kept
    await _import(sessions, org, conn, _file(
        tmp_path / "acc1.csv", accounts=("acc-1",),
        changes={(i, "acc-1", n): f"{i + n + 1}.000000000,res {n}"
                 for i in range(DAYS) for n in range(3)}))
    async with sessions() as session, session.begin():  # day 6 (acc-2) changed in place
        edited = (await session.execute(select(CostLine.key_id).where(
            CostLine.connection_id == conn, CostLine.day == FIRST + timedelta(5),
            CostLine.sub_account_id == "acc-2", CostLine.resource_external_id == "r-acc-2-2")
        )).scalar_one()
        key = dict((await session.execute(select(CostKey).where(CostKey.id == edited)))
                   .scalar_one().__dict__)
        fresh = await session.run_sync(lambda s: cost_store.key_ids(
            s.connection(), org, conn, [tuple("edited" if c == "resource_name" else key[c]
                                              for c in KEY_COLUMNS)]))
        await session.execute(update(CostAmount).where(
            CostAmount.connection_id == conn, CostAmount.day == FIRST + timedelta(5),
            CostAmount.key_id == edited).values(key_id=fresh[0]))
    before = await _lines(sessions, conn)

    result = await _import(sessions, org, conn, full)
    after = await _lines(sessions, conn)
    assert {k: v[1:] for k, v in after.items()} == expected
    assert result.unchanged_days == 0
    if on_sqlite:  # acc-1's lines changed on every day: every day rewritten
        assert _rewritten(before, after) == {FIRST + timedelta(i) for i in range(DAYS)}
    await assert_rollup_matches(sessions)

    async with sessions() as session, session.begin():  # an amount changed in place
        await session.execute(update(CostAmount).where(CostAmount.id.in_(
            select(CostLine.id).where(
                CostLine.connection_id == conn, CostLine.day == FIRST + timedelta(1),
                CostLine.resource_external_id == "r-acc-1-0"))).values(billed_cost=99))
    before = await _lines(sessions, conn)
    result = await _import(sessions, org, conn, full)
    after = await _lines(sessions, conn)
    assert {k: v[1:] for k, v in after.items()} == expected
    if on_sqlite:
        assert result.unchanged_days == DAYS - 1
        assert _rewritten(before, after) == {FIRST + timedelta(1)}
    await assert_rollup_matches(sessions)


async def test_days_of_rows_spread_over_several_days_are_always_rewritten(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault, tmp_path: Path) -> None:
    """Rows over several days go the record path, which records no digest: their days are
    rewritten on every import, the others left when repeated."""
    sessions = session_maker
    on_sqlite = sessions.kw["bind"].dialect.name == "sqlite"
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    path = _file(tmp_path / "spread.csv", spread=True)
    await _import(sessions, org, conn, path)
    before = await _lines(sessions, conn)
    result = await _import(sessions, org, conn, path)
    after = await _lines(sessions, conn)
    assert {k: v[1:] for k, v in after.items()} == {k: v[1:] for k, v in before.items()}
    if on_sqlite:
        assert result.unchanged_days == DAYS - 3
        assert _rewritten(before, after) == {FIRST + timedelta(i) for i in range(3)}
    await assert_rollup_matches(sessions)


async def test_answers_are_told_only_of_the_days_a_reimport_switches(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """A re-import that repeats most of the month switches only the days that changed: the
    "being loaded" note names those, and none when it switches none."""
    org, conn = await make_org_and_connection(session_maker, vault, kind="focus")
    march = (date(2026, 3, 1), date(2026, 3, 31))
    steps = [(date(2026, 3, 10), date(2026, 3, 11)), (date(2026, 3, 12), date(2026, 3, 12))]
    async with session_maker() as session, session.begin():
        snap = swapping(org, conn, "aws", *march, started_at=NOW, chunks=steps)
        session.add(snap)
    async with session_maker() as session:
        assert await days_updating(session, org, *march) == (
            UpdatingDays("main", date(2026, 3, 10), date(2026, 3, 12)),)
        assert await days_updating(session, org, date(2026, 3, 1), date(2026, 3, 9)) == ()
    async with session_maker() as session, session.begin():
        await end_swap(session, snap.id)
        session.add(swapping(org, conn, "aws", *march, started_at=NOW, chunks=[]))
    async with session_maker() as session:
        assert await days_updating(session, org, *march) == ()


async def test_an_amount_the_file_now_has_is_not_taken_for_the_one_it_lacked(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault, tmp_path: Path) -> None:
    """Yesterday's export had no ListCost column (stored as none); today's has it, at zero.
    None is not zero: the days are rewritten and the zeros stored."""
    sessions = session_maker
    org, conn = await make_org_and_connection(sessions, vault, kind="focus")
    without = _file(tmp_path / "without.csv")
    await _import(sessions, org, conn, without)
    lines = without.read_text(encoding="utf-8").splitlines(keepends=True)
    with_zero = tmp_path / "with.csv"
    with_zero.write_text("".join(
        [lines[0].replace("EffectiveCost,", "EffectiveCost,ListCost,", 1)]
        + [row.replace(",", ",0,", 2).replace(",0,", ",", 1) for row in lines[1:]]),
        encoding="utf-8")
    result = await _import(sessions, org, conn, with_zero)
    assert result.unchanged_days == 0
    async with sessions() as session:
        listed = (await session.execute(select(CostLine.list_cost).where(
            CostLine.connection_id == conn))).scalars().all()
    assert len(listed) == DAYS * 6
    assert all(value == 0 for value in listed)
