"""`run_sync`: load a connection, collect through its connector, apply, record the outcome.

Network I/O happens with no database session open (SQLite writers are not blocked while a
provider answers slowly); the apply is one transaction; a connector failure is recorded in its
own transaction and leaves the last good state as the truth.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import metrics
from core.clock import Clock, SystemClock
from core.db.models import Connection
from core.domain.collection import Window
from core.domain.connector_errors import ConnectorError
from core.domain.secrets import mask_secrets
from core.ports import AppDeps, ConnectorFactory, ConnectorPort
from core.security.vault import VaultError
from core.services import allocation, price_lists, recommendations
from core.services.errors import NotFound, ServiceError
from core.services.sync.apply import apply_collection, record_failure

__all__ = ["DEFAULT_WINDOW_DAYS", "SyncDeps", "SyncResult", "build_connector", "due_connections",
           "run_sync"]

log = logging.getLogger(__name__)

DEFAULT_WINDOW_DAYS = 35  # the current month and the last one, re-read for late billing fixes
SYNCABLE = ("active", "error")
FILE_KINDS = ("focus", "manual_csv")  # fed by file import, never collected on a schedule


SyncDeps = AppDeps  # what `run_sync` needs; `core.app.AppContext` satisfies it


@dataclass(frozen=True)
class SyncResult:
    """The outcome the bot shows and the scheduler logs."""

    connection_id: int
    status: str  # success | partial | failed
    snapshot_id: int | None
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    cost_lines: int = 0
    totals_by_currency: dict[str, Decimal] | None = None
    warnings: tuple[str, ...] = ()
    error_code: str | None = None
    error: str | None = None


def build_connector(factory: ConnectorFactory, kind: str, http: httpx.AsyncClient, *,
                    endpoint: str | None = None,
                    options: Mapping[str, Any] | None = None) -> ConnectorPort:
    """The connector for `kind` with the connection's endpoint and options; an unknown kind is
    a ServiceError naming the known ones."""
    try:
        return factory(kind, http, endpoint=endpoint, options=options)
    except KeyError as exc:
        raise ServiceError(str(exc.args[0])) from None


async def _load(session: AsyncSession, connection_id: int, org_id: int | None) -> Connection:
    query = select(Connection).where(Connection.id == connection_id)
    if org_id is not None:
        query = query.where(Connection.org_id == org_id)
    conn = (await session.execute(query)).scalar_one_or_none()
    if conn is None:
        raise NotFound(f"connection {connection_id} not found")
    return conn


async def run_sync(deps: SyncDeps, connection_id: int, *, org_id: int | None = None,
                   window: Window | None = None, trigger: str = "manual") -> SyncResult:
    """Sync one connection now; never raises for provider trouble (the result says failed)."""
    clock = getattr(deps, "clock", None) or SystemClock()
    started = clock.now()
    async with deps.sessions() as session:
        conn = await _load(session, connection_id, org_id)
        if conn.kind in FILE_KINDS:
            raise ServiceError(f"connection {connection_id} is fed by file import; "
                               "use import-focus FILE --connection ID")
        if conn.status not in SYNCABLE:
            raise ServiceError(f"connection {connection_id} is {conn.status}; "
                               "resume it before syncing")
        org, kind, endpoint = conn.org_id, conn.kind, conn.endpoint
        options, token = dict(conn.options or {}), conn.credentials
        options.setdefault(price_lists.FETCH_OPTION,
                           price_lists.is_due(conn.account_info, started))
    timer = time.perf_counter()  # wall time for the sync-duration metric
    window = window or Window.last_days(DEFAULT_WINDOW_DAYS, started.date())
    creds = None
    try:
        raw = deps.vault.decrypt(token)
        connector = build_connector(deps.adapters.connectors, kind, deps.http,
                                    endpoint=endpoint, options=options)
        creds = connector.parse_credentials(raw)
        collection = await connector.collect(creds, window)
    except ConnectorError as exc:
        exc = mask_secrets(exc, creds)
        return await _fail(deps, org, connection_id, exc.code, exc.detail or exc.code,
                           started, clock.now(), trigger, kind=kind, timer=timer)
    except VaultError as exc:
        return await _fail(deps, org, connection_id, "vault", str(exc), started, clock.now(),
                           trigger, kind=kind, timer=timer)
    except ValueError as exc:  # pydantic ValidationError: stored credentials no longer fit
        return await _fail(deps, org, connection_id, "bad_credentials",
                           f"stored credentials are invalid: {type(exc).__name__}", started,
                           clock.now(), trigger, kind=kind, timer=timer)
    try:
        async with deps.sessions() as session, session.begin():
            applied = await apply_collection(
                session, org_id=org, connection_id=connection_id, collection=collection,
                window=window, started_at=started, now=clock.now(), trigger=trigger,
                clock=clock)
    except Exception as exc:
        log.exception("sync of connection %s failed while storing", connection_id)
        return await _fail(deps, org, connection_id, "internal", type(exc).__name__, started,
                           clock.now(), trigger, kind=kind, timer=timer)
    await _refresh_intelligence(deps, org, clock)
    metrics.record_sync(kind, applied.status, time.perf_counter() - timer)
    log.info("sync of connection %s: %s (+%d ~%d -%d =%d, %d cost lines)", connection_id,
             applied.status, applied.created, applied.updated, applied.deleted,
             applied.unchanged, applied.cost_lines)
    return SyncResult(connection_id=connection_id, status=applied.status,
                      snapshot_id=applied.snapshot_id, created=applied.created,
                      updated=applied.updated, deleted=applied.deleted,
                      unchanged=applied.unchanged, cost_lines=applied.cost_lines,
                      totals_by_currency=applied.totals_by_currency, warnings=applied.warnings)


async def _refresh_intelligence(deps: SyncDeps, org_id: int, clock: Clock) -> None:
    """New data re-allocates resources (a sync resets team/env from tags, rules then fill the
    rest) and re-evaluates recommendations. Its failure is logged, never the sync's."""
    try:
        async with deps.sessions() as session, session.begin():
            await allocation.apply_rules(session, org_id)
            await recommendations.evaluate(session, org_id, clock)
    except Exception:
        log.exception("allocation / recommendations after the sync of org %s failed", org_id)


async def _fail(deps: SyncDeps, org_id: int, connection_id: int, code: str, message: str,
                started: datetime, now: datetime, trigger: str, *, kind: str,
                timer: float) -> SyncResult:
    log.warning("sync of connection %s failed: %s", connection_id, code)
    metrics.record_sync(kind, "failed", time.perf_counter() - timer, code)
    async with deps.sessions() as session, session.begin():
        snap = await record_failure(session, org_id=org_id, connection_id=connection_id,
                                    code=code, message=message, started_at=started, now=now,
                                    trigger=trigger)
    return SyncResult(connection_id=connection_id, status="failed", snapshot_id=snap,
                      error_code=code, error=message)


async def due_connections(session: AsyncSession, now: datetime) -> list[int]:
    """Ids of active connections whose next sync time has come (or was never set)."""
    rows = await session.execute(select(Connection.id).where(
        Connection.status.in_(SYNCABLE), Connection.kind.not_in(FILE_KINDS),
        or_(Connection.next_sync_at.is_(None), Connection.next_sync_at <= now))
        .order_by(Connection.id))
    return list(rows.scalars())
