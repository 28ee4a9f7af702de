"""The billing-first sync engine: apply one Collection to the database in one transaction.

Steps, in the manner of CloudKitty's worker (collect happens before, in `sync_run`):
1. a SyncSnapshot row is opened for the run;
2. resources are upserted by content hash (`sync_resources`): created / updated / deleted /
   unchanged, with ResourceState rows and cost / status / configuration change flags;
   `Collection.complete_inventory=False` never marks absent resources deleted;
3. cost lines are normalised to UTC days (rule in `sync_rules`) and REPLACE the stored lines of
   this connection for the collection window (re-syncing a window is idempotent); parts of a
   line falling outside the window are dropped, the sync that covers those days stores them;
4. cost lines are linked to resources by external id; what billing names and inventory does
   not (checked only when the collection carries an inventory), plus what the connector put in
   `Collection.unrecognized`, becomes an UnrecognizedItem with its type inferred from the
   billing metric name and the raw billing data kept;
5. usage metrics replace the samples of the window; balance and account info go on the
   connection; the snapshot gets counts, totals and warnings (status `partial` with warnings).

A failed collection is recorded by `record_failure` in its own transaction: the snapshot says
`failed` with the error code, the connection's error fields are set, and nothing that the last
good sync stored is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import Connection, SyncSnapshot, UnrecognizedItem, UsageMetric
from core.domain.collection import Collection, CostLine, Window
from core.domain.providers import canonical_provider
from core.services import price_lists, rollups
from core.services.errors import NotFound
from core.services.sync.costs import DailyAggregator, core_table, replace_window
from core.services.sync.estimates import apply_observed
from core.services.sync.resources import ResourceChanges, upsert_resources
from core.services.sync.rules import infer_kind

__all__ = ["ApplyResult", "apply_collection", "record_failure", "retry_delay"]

IN_BATCH = 500
MAX_WARNINGS = 200


@dataclass(frozen=True)
class ApplyResult:
    """What one applied sync did; the bot shows it and the scheduler logs it."""

    snapshot_id: int
    status: str
    created: int
    updated: int
    deleted: int
    unchanged: int
    cost_lines: int
    unrecognized: int
    totals_by_currency: dict[str, Decimal]
    warnings: tuple[str, ...]


def retry_delay(failures: int, interval_minutes: int) -> timedelta:
    """Back off after failures (15 min, 30, 60 …) but never wait longer than the interval."""
    minutes = min(interval_minutes, 15 * 2 ** max(0, min(failures, 10) - 1))
    return timedelta(minutes=max(1, minutes))


async def _connection(session: AsyncSession, org_id: int, connection_id: int) -> Connection:
    conn = (await session.execute(select(Connection).where(
        Connection.id == connection_id, Connection.org_id == org_id))).scalar_one_or_none()
    if conn is None:
        raise NotFound(f"connection {connection_id} not found")
    return conn


async def apply_collection(session: AsyncSession, *, org_id: int, connection_id: int,
                           collection: Collection, window: Window, started_at: datetime,
                           now: datetime, trigger: str = "schedule",
                           clock: Clock | None = None) -> ApplyResult:
    """Apply `collection` for `window` (see the module doc); the caller commits.

    `now` stamps what was seen; `clock` (when given) times the end of the run.
    """
    conn = await _connection(session, org_id, connection_id)
    snap = SyncSnapshot(org_id=org_id, connection_id=connection_id, started_at=started_at,
                        trigger=trigger, status="running")
    session.add(snap)
    await session.flush()
    changes = await upsert_resources(
        session, org_id=org_id, connection_id=connection_id, snapshot_id=snap.id,
        records=collection.resources, complete=collection.complete_inventory, now=now)
    agg = DailyAggregator(provider=canonical_provider(conn.kind, fallback=conn.kind),
                          window=(window.start, window.end))
    for line in collection.cost_lines:
        agg.add(line)
    rows = agg.drain(org_id=org_id, connection_id=connection_id, source="sync",
                     resource_ids=changes.ids)
    if collection.observed_days is None:
        stored, _written = await replace_window(
            session, org_id=org_id, connection_id=connection_id, start=window.start,
            end=window.end, rows=rows, source="sync")
    else:  # a provider without history: keep recorded days, estimate only unseen ones
        stored = await apply_observed(
            session, org_id=org_id, connection_id=connection_id, start=window.start,
            end=window.end, rows=rows, observed=collection.observed_days)
    await rollups.refresh_resources(session, org_id, changes.regrouped)
    await rollups.refresh(session, org_id, connection_id=connection_id, first=window.start,
                          last=window.end - timedelta(days=1))
    unrecognized = await _unrecognized(session, conn, snap.id, collection, changes, now)
    warnings = list(collection.warnings)
    warnings.extend(await _usage(session, org_id, collection, changes.ids, window))
    previous_prices = price_lists.cached(conn.account_info)
    _account(conn, collection, now)
    price_lists.remember(conn, collection.prices, previous_prices, now)
    conn.last_sync_at = now
    conn.last_success_at = now
    conn.last_error = None
    conn.last_error_code = None
    conn.consecutive_failures = 0
    conn.next_sync_at = now + timedelta(minutes=conn.sync_interval_minutes)
    totals = {cur: amount for cur, amount in sorted(agg.totals.items())}
    snap.finished_at = clock.now() if clock is not None else now
    snap.status = "partial" if warnings else "success"
    snap.resources_total = sum(changes.by_kind.values())
    snap.created, snap.updated = changes.created, changes.updated
    snap.deleted, snap.unchanged = changes.deleted, changes.unchanged
    snap.cost_lines = stored
    snap.cost_total = _main_total(totals, conn.balance_currency)
    snap.totals = _totals_json(changes, totals, unrecognized, agg.lines_in)
    snap.warnings = warnings[:MAX_WARNINGS]
    await session.flush()
    return ApplyResult(snapshot_id=snap.id, status=snap.status, created=changes.created,
                       updated=changes.updated, deleted=changes.deleted,
                       unchanged=changes.unchanged, cost_lines=stored,
                       unrecognized=unrecognized, totals_by_currency=totals,
                       warnings=tuple(warnings))


async def record_failure(session: AsyncSession, *, org_id: int, connection_id: int,
                         code: str, message: str, started_at: datetime, now: datetime,
                         trigger: str = "schedule") -> int:
    """A failed SyncSnapshot and the connection's error state; stored data stays as it was."""
    conn = await _connection(session, org_id, connection_id)
    snap = SyncSnapshot(org_id=org_id, connection_id=connection_id, started_at=started_at,
                        finished_at=now, trigger=trigger, status="failed", error=message[:2000],
                        error_code=code[:32], totals={}, warnings=[])
    session.add(snap)
    conn.last_sync_at = now
    conn.last_error = message[:2000]
    conn.last_error_code = code[:32]
    conn.consecutive_failures = (conn.consecutive_failures or 0) + 1
    conn.next_sync_at = now + retry_delay(conn.consecutive_failures, conn.sync_interval_minutes)
    await session.flush()
    return snap.id


def _main_total(totals: dict[str, Decimal], preferred: str | None) -> Decimal | None:
    if not totals:
        return Decimal(0)
    if preferred and preferred in totals:
        return totals[preferred]
    return max(totals.items(), key=lambda kv: abs(kv[1]))[1]


def _totals_json(changes: ResourceChanges, totals: dict[str, Decimal], unrecognized: int,
                 lines_in: int) -> dict[str, object]:
    return {"by_kind": dict(sorted(changes.by_kind.items())),
            "by_status": dict(sorted(changes.by_status.items())),
            "cost_by_currency": {k: str(v) for k, v in totals.items()},
            "zombies": changes.zombies, "orphans": changes.orphans,
            "unrecognized": unrecognized, "cost_lines_in": lines_in}


def _account(conn: Connection, collection: Collection, now: datetime) -> None:
    acc = collection.account
    conn.account_info = {"account_id": acc.account_id, "display_name": acc.display_name,
                         "plan": acc.plan, "extra": _jsonable(acc.extra)}
    if acc.balance is not None:
        conn.balance = acc.balance
        conn.balance_currency = acc.currency
        conn.daily_rate = acc.daily_rate
        conn.days_to_block = acc.days_to_block
        conn.balance_updated_at = now


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _billing_items(collection: Collection,
                   known: dict[str, int]) -> dict[tuple[str, str], dict[str, Any]]:
    """Billing lines naming a resource the inventory lacks, plus what the connector flagged."""
    items: dict[tuple[str, str], dict[str, Any]] = {}
    if collection.resources:
        for line in collection.cost_lines:
            ext = line.resource_id
            if not ext or ext in known:
                continue
            _merge(items, ext, line)
    for raw in collection.unrecognized:
        ext = str(raw.get("external_id") or raw.get("resource_id") or raw.get("id") or "")
        if not ext:
            continue
        metric = str(raw.get("metric_id") or raw.get("metric") or raw.get("sku_id") or "")
        item = items.setdefault((ext, metric), {"name": str(raw.get("name") or ""),
                                                "metric_id": metric, "raw": {}})
        item["raw"].update(_jsonable(raw))
    return items


def _merge(items: dict[tuple[str, str], dict[str, Any]], ext: str, line: CostLine) -> None:
    metric = line.sku_id or ""
    item = items.setdefault((ext, metric), {
        "name": line.resource_name or "", "metric_id": metric,
        "raw": {"service_name": line.service_name, "resource_type": line.resource_type,
                "sku_id": line.sku_id, "pricing_unit": line.pricing_unit,
                "region_id": line.region_id, "sub_account_id": line.sub_account_id,
                "currency": line.billing_currency, "billed_cost": "0", "lines": 0}})
    raw = item["raw"]
    raw["billed_cost"] = str(Decimal(raw["billed_cost"]) + line.billed_cost)
    raw["lines"] += 1


async def _unrecognized(session: AsyncSession, conn: Connection, snapshot_id: int,
                        collection: Collection, changes: ResourceChanges,
                        now: datetime) -> int:
    items = _billing_items(collection, changes.ids)
    if not items:
        return 0
    existing = {(r.external_id, r.metric_id): r for r in (await session.execute(
        select(UnrecognizedItem).where(UnrecognizedItem.connection_id == conn.id))).scalars()}
    new_rows = []
    for (ext, metric), item in items.items():
        raw = item["raw"]
        kind = infer_kind([metric, raw.get("metric"), raw.get("resource_type"),
                           raw.get("service_name")])
        row = existing.get((ext[:255], metric[:128]))
        if row is None:
            new_rows.append({"org_id": conn.org_id, "connection_id": conn.id,
                             "snapshot_id": snapshot_id, "external_id": ext[:255],
                             "name": item["name"][:255], "metric_id": metric[:128],
                             "inferred_type": kind.value, "raw": raw,
                             "first_seen_at": now, "last_seen_at": now})
        else:
            row.snapshot_id, row.raw, row.last_seen_at = snapshot_id, raw, now
            row.inferred_type = kind.value
            row.name = item["name"][:255] or row.name
    if new_rows:
        await session.execute(insert(core_table(UnrecognizedItem)), new_rows)
    return len(items)


async def _usage(session: AsyncSession, org_id: int, collection: Collection,
                 ids: dict[str, int], window: Window) -> list[str]:
    """Replace the window's samples of the resources sampled; unknown resources warn once."""
    if not collection.usage:
        return []
    start = datetime.combine(window.start, time(), UTC)
    end = datetime.combine(window.end, time(), UTC)
    rows: list[dict[str, Any]] = []
    unknown: set[str] = set()
    for m in collection.usage:
        if not start <= m.timestamp < end:
            continue
        rid = ids.get(m.resource_id)
        if rid is None:
            unknown.add(m.resource_id)
            continue
        rows.append({"org_id": org_id, "resource_id": rid, "metric": m.metric[:32],
                     "ts": m.timestamp, "value": float(m.value), "unit": m.unit[:16]})
    touched = sorted({int(r["resource_id"]) for r in rows})
    for i in range(0, len(touched), IN_BATCH):
        await session.execute(delete(UsageMetric).where(
            UsageMetric.resource_id.in_(touched[i:i + IN_BATCH]),
            UsageMetric.ts >= start, UsageMetric.ts < end))
    for i in range(0, len(rows), 5000):
        await session.execute(insert(core_table(UsageMetric)), rows[i:i + 5000])
    return [f"usage samples for {len(unknown)} unknown resource(s) skipped"] if unknown else []
