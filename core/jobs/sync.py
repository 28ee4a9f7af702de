"""Syncs of due connections: leased per connection, bounded concurrency, jitter, pausing.

Each tick claims up to `sync_batch` due connections under a lease (two workers never sync one
connection at once; a dead worker's claim expires after `LEASE`) and runs `run_sync` for them,
at most `sync_concurrency` at a time. `run_sync` records a failure and backs the next attempt
off (15 min, 30, 60 … never past the interval); after `PAUSE_AFTER` credential failures in a
row the connection is paused and its admins get a notice, instead of hammering a provider
with a dead password. A successful sync's next run gets a little jitter so connections added
together do not stay in lockstep. Alerts are evaluated after every sync.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from sqlalchemy import or_, select

from core.db.errors import log_failure
from core.db.models import Connection
from core.jobs.alerts import evaluate_org
from core.jobs.notices import notify_admins
from core.jobs.runtime import JobRuntime
from core.services.errors import ServiceError
from core.services.leases import claim_rows
from core.services.sync.run import SYNCABLE, SyncResult
from core.tasks import gather_limited

__all__ = ["CREDENTIAL_CODES", "LEASE", "PAUSE_AFTER", "claim_due", "sync_due"]

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=30)
PAUSE_AFTER = 3
CREDENTIAL_CODES = frozenset({"bad_credentials", "no_permission", "vault"})
JITTER_SHARE = 0.1


async def claim_due(rt: JobRuntime) -> list[int]:
    """Lease the due connections to this worker (committed before any sync starts)."""
    now = rt.clock.now()
    async with rt.sessions() as session, session.begin():
        return await claim_rows(
            session, Connection, owner=rt.owner, now=now, ttl=LEASE, limit=rt.sync_batch,
            where=[Connection.status.in_(SYNCABLE),
                   or_(Connection.next_sync_at.is_(None), Connection.next_sync_at <= now)],
            order_by=[Connection.next_sync_at])


async def sync_due(rt: JobRuntime) -> list[SyncResult]:
    """Sync every due connection this worker could claim; returns the results."""
    ids = await claim_due(rt)
    results = await gather_limited(rt.sync_concurrency,
                                   [partial(_sync_one, rt, cid) for cid in ids])
    return [r for r in results if r is not None]


async def _sync_one(rt: JobRuntime, connection_id: int) -> SyncResult | None:
    result: SyncResult | None = None
    try:
        result = await rt.sync_one(rt.deps, connection_id, trigger="schedule")
    except ServiceError as exc:
        log.warning("scheduled sync of connection %s skipped: %s", connection_id, exc)
    except Exception:
        log_failure(log, "scheduled sync of connection %s crashed", connection_id)
    org_id = await _after(rt, connection_id, result)
    if org_id is not None:
        try:
            await evaluate_org(rt, org_id)
        except Exception:
            log_failure(log, "alert evaluation after the sync of connection %s failed",
                          connection_id)
    return result


async def _after(rt: JobRuntime, connection_id: int, result: SyncResult | None) -> int | None:
    """Release the lease, add jitter or pause; one transaction with the pause notice."""
    now = rt.clock.now()
    async with rt.sessions() as session, session.begin():
        conn = (await session.execute(select(Connection).where(
            Connection.id == connection_id, Connection.lease_owner == rt.owner)
        )).scalar_one_or_none()
        if conn is None:
            return None
        conn.lease_owner, conn.lease_expires_at = None, None
        if result is None:
            conn.next_sync_at = now + timedelta(minutes=15)
        elif result.status != "failed" and conn.next_sync_at is not None:
            spread = conn.sync_interval_minutes * 60 * JITTER_SHARE
            conn.next_sync_at += timedelta(seconds=rt.jitter(spread))
        elif (result.error_code in CREDENTIAL_CODES
              and conn.consecutive_failures >= PAUSE_AFTER):
            conn.status = "paused"
            await notify_admins(session, rt.render, conn.org_id, "connection_paused", now=now,
                                dedup=f"paused:{conn.id}:{conn.last_sync_at:%Y%m%dT%H%M}",
                                name=conn.name, error=result.error_code or "",
                                failures=conn.consecutive_failures)
        return conn.org_id
