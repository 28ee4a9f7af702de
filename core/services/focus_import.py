"""File imports (FOCUS exports, manual CSV): stream rows into daily cost lines, replace the period.

Rows are parsed and aggregated in a worker thread in slices (the event loop stays free), then
written in batches whenever enough daily buckets have piled up, so memory stays bounded by the
number of distinct (day, resource, SKU, …) buckets per batch, not by the file. FOCUS files go
through the columnar reader (`connectors.focus.arrow_reader`, ~3x less CPU); when it gives up
(a bad cell to locate, a money format only the lenient parser reads) what it stored is cleared
and the row-by-row reader reads the file again, so results and error messages are the same.
Re-importing replaces the stored lines of that connection for every day from the file's first
to its last (idempotent); the whole import is one transaction, so a bad row stores nothing.
One-time charges (ChargeFrequency `One-Time`) land on their first day; every other row is
spread over its charge period by `core.services.sync_rules.split_daily`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.focus.arrow_reader import ArrowFocusReader, FastPathUnavailable
from connectors.focus.reader import IDENTITY_FIELDS, FocusReader, FocusRecord
from connectors.manual_csv.reader import ManualCsvReader
from core.clock import SystemClock
from core.db.models import Connection, SyncSnapshot
from core.db.models import CostLine as CostLineRow
from core.domain.providers import canonical_provider
from core.domain.roles import Role
from core.services.audit import audit
from core.services.connections import Actor
from core.services.errors import NotFound, ServiceError
from core.services.orgs import require_role
from core.services.sync_costs import (
    BATCH,
    KEY_FIELDS,
    DailyAggregator,
    DayRange,
    clear_days,
    core_table,
    write_rows,
)

__all__ = ["ImportResult", "import_file", "import_focus", "import_manual_csv"]

assert (*KEY_FIELDS, "tags") == IDENTITY_FIELDS, "reader and aggregator identity differ"

log = logging.getLogger(__name__)

SLICE = 20_000  # rows parsed per trip to the worker thread
FLUSH_BUCKETS = 50_000  # daily buckets held before a batch is written
Source = str | Path | IO[bytes]


@dataclass(frozen=True)
class ImportResult:
    connection_id: int
    snapshot_id: int
    rows: int
    lines_stored: int
    days: int
    first_day: date | None
    last_day: date | None
    totals: dict[str, Decimal]


def _consume(records: Iterator[FocusRecord], agg: DailyAggregator, limit: int) -> bool:
    """Feed up to `limit` records; False when the file is exhausted.

    The cyclic GC is paused for the slice: parsing allocates millions of short-lived tuples
    and no cycles, and the collector's passes cost a quarter of the import's time.
    """
    add = agg.add_raw
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for count, rec in enumerate(records, 1):
            add(*rec)
            if count >= limit:
                return True
        return False
    finally:
        if was_enabled:
            gc.enable()


async def _flush(session: AsyncSession, conn: Connection, agg: DailyAggregator,
                 cleared: DayRange, source: str) -> int:
    rows = agg.drain(org_id=conn.org_id, connection_id=conn.id, source=source)
    if not rows:
        return 0
    lo, hi = min(r["day"] for r in rows), max(r["day"] for r in rows)
    one = timedelta(days=1)
    if cleared.lo is None or cleared.hi is None:
        await clear_days(session, org_id=conn.org_id, connection_id=conn.id, start=lo,
                         end=hi + one)
        cleared.lo, cleared.hi = lo, hi
    else:
        if lo < cleared.lo:
            await clear_days(session, org_id=conn.org_id, connection_id=conn.id, start=lo,
                             end=cleared.lo)
            cleared.lo = lo
        if hi > cleared.hi:
            await clear_days(session, org_id=conn.org_id, connection_id=conn.id,
                             start=cleared.hi + one, end=hi + one)
            cleared.hi = hi
    return await _insert(session, rows)


async def _insert(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """`write_rows`, minus SQLAlchemy's per-row parameter bookkeeping (~40% of an import's
    write time): the statement is compiled once for the dialect, each value goes through its
    column type's own bind processor, and the driver's executemany gets plain tuples."""
    conn = await session.connection()
    dialect = conn.dialect
    table = core_table(CostLineRow)
    compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup or ())
    if not names or any(name not in rows[0] for name in names):  # a default to fill: the slow way
        return await write_rows(session, rows)
    plan = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names]
    sql = str(compiled)
    for i in range(0, len(rows), BATCH):
        await conn.exec_driver_sql(sql, [
            tuple(value if process is None else process(value)
                  for name, process in plan for value in (row[name],))
            for row in rows[i:i + BATCH]])
    return len(rows)


async def _load(session: AsyncSession, org_id: int, connection_id: int, kind: str,
                actor: Actor | None) -> Connection:
    if actor is not None and actor.user_id is not None and not actor.superadmin:
        await require_role(session, org_id, actor.user_id, Role.ADMIN)
    conn = (await session.execute(select(Connection).where(
        Connection.id == connection_id, Connection.org_id == org_id))).scalar_one_or_none()
    if conn is None:
        raise NotFound(f"connection {connection_id} not found")
    if conn.kind != kind:
        raise ServiceError(f"connection {connection_id} is a {conn.kind} connection; "
                           f"this file needs a {kind} connection")
    return conn


async def _aggregate(session: AsyncSession, conn: Connection, records: Iterable[FocusRecord],
                     agg: DailyAggregator, cleared: DayRange, source: str) -> int:
    """Feed every record through the aggregator, writing whenever enough buckets pile up."""
    stored = 0
    iterator = iter(records)
    more = True
    while more:
        more = await asyncio.to_thread(_consume, iterator, agg, SLICE)
        if len(agg.buckets) >= FLUSH_BUCKETS or not more:
            stored += await _flush(session, conn, agg, cleared, source)
    return stored


async def _import(session: AsyncSession, conn: Connection, records: Iterable[FocusRecord],
                  counter: Any, source: str, actor: Actor | None, now: datetime | None,
                  fallback: FocusReader | None = None) -> ImportResult:
    """Import `records`; if they raise FastPathUnavailable, undo and import `fallback`."""
    now = now or SystemClock().now()
    provider = canonical_provider(conn.kind, fallback="other")
    agg, cleared = DailyAggregator(provider=provider), DayRange()
    try:
        stored = await _aggregate(session, conn, records, agg, cleared, source)
    except FastPathUnavailable as exc:
        if fallback is None:
            raise
        log.info("connection %s: row-by-row import (%s)", conn.id, exc)
        if cleared.lo is not None and cleared.hi is not None:
            await clear_days(session, org_id=conn.org_id, connection_id=conn.id,
                             start=cleared.lo, end=cleared.hi + timedelta(days=1))
        if isinstance(records, ArrowFocusReader):
            records.rewind()
        records = counter = fallback
        agg, cleared = DailyAggregator(provider=provider), DayRange()
        stored = await _aggregate(session, conn, records, agg, cleared, source)
    totals = dict(sorted(agg.totals.items()))
    snap = SyncSnapshot(org_id=conn.org_id, connection_id=conn.id, started_at=now,
                        finished_at=SystemClock().now(), status="success", trigger="import",
                        cost_lines=stored,
                        cost_total=max(totals.values(), key=abs) if totals else Decimal(0),
                        totals={"rows": counter.rows, "days": len(agg.days_seen),
                                "cost_by_currency": {k: str(v) for k, v in totals.items()}},
                        warnings=[])
    session.add(snap)
    conn.last_sync_at = conn.last_success_at = now
    conn.last_error = conn.last_error_code = None
    conn.consecutive_failures = 0
    await session.flush()
    await audit(session, f"connection.import_{source}", org_id=conn.org_id,
                actor_telegram_id=actor.telegram_id if actor else None,
                object_type="connection", object_id=conn.id, rows=counter.rows,
                days=len(agg.days_seen))
    days = sorted(agg.days_seen)
    return ImportResult(connection_id=conn.id, snapshot_id=snap.id, rows=counter.rows,
                        lines_stored=stored, days=len(days),
                        first_day=days[0] if days else None,
                        last_day=days[-1] if days else None, totals=totals)


async def import_focus(session: AsyncSession, org_id: int, connection_id: int, source: Source,
                       *, default_currency: str | None = None, actor: Actor | None = None,
                       now: datetime | None = None) -> ImportResult:
    """Import a FOCUS CSV / CSV.gz into a `focus` connection (raises InvalidInput on bad rows)."""
    conn = await _load(session, org_id, connection_id, "focus", actor)
    currency = default_currency or (conn.options or {}).get("default_currency")
    code = str(currency) if currency else None
    reader = FocusReader(source, default_currency=code)
    if not ArrowFocusReader.usable(source):
        return await _import(session, conn, reader, reader, "focus", actor, now)
    fast = ArrowFocusReader(source, default_currency=code)
    return await _import(session, conn, fast, fast, "focus", actor, now, fallback=reader)


async def import_manual_csv(session: AsyncSession, org_id: int, connection_id: int,
                            source: Source, *, actor: Actor | None = None,
                            now: datetime | None = None) -> ImportResult:
    """Import a manual `date,service,resource,cost[,tags][,currency]` CSV."""
    conn = await _load(session, org_id, connection_id, "manual_csv", actor)
    options = conn.options or {}
    reader = ManualCsvReader(source, currency=str(options.get("currency") or "RUB"),
                             provider_name=str(options.get("provider_name") or "") or None)
    return await _import(session, conn, reader, reader, "manual", actor, now)


async def import_file(session: AsyncSession, org_id: int, connection_id: int, source: Source,
                      *, default_currency: str | None = None, actor: Actor | None = None,
                      now: datetime | None = None) -> ImportResult:
    """Import into a FOCUS or manual CSV connection, whichever kind it is."""
    kind = (await session.execute(select(Connection.kind).where(
        Connection.id == connection_id, Connection.org_id == org_id))).scalar_one_or_none()
    if kind == "manual_csv":
        return await import_manual_csv(session, org_id, connection_id, source, actor=actor,
                                       now=now)
    return await import_focus(session, org_id, connection_id, source,
                              default_currency=default_currency, actor=actor, now=now)
