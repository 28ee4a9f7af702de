"""Retention: delivered outbox rows, old resource history and usage samples are pruned nightly.

Cost lines, snapshots, alert events and feedback stay: they are the record users ask about.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from core.db.models import OutboxMessage, ResourceState, SyncSnapshot, UsageMetric
from core.jobs.runtime import JobRuntime
from core.services.leases import acquire_job

__all__ = ["KEEP", "prune"]

KEEP = {"outbox": timedelta(days=30), "resource_states": timedelta(days=400),
        "usage_metrics": timedelta(days=90)}
DONE = ("sent", "failed", "blocked")


async def prune(rt: JobRuntime) -> dict[str, int]:
    """Delete what is past its keep period; returns rows removed per table."""
    now = rt.clock.now()
    removed: dict[str, int] = {}
    async with rt.sessions() as session, session.begin():
        if not await acquire_job(session, "retention", owner=rt.owner, now=now,
                                 ttl=timedelta(hours=6)):
            return removed
        result = await session.execute(delete(OutboxMessage).where(
            OutboxMessage.status.in_(DONE), OutboxMessage.created_at < now - KEEP["outbox"]))
        removed["outbox"] = int(getattr(result, "rowcount", 0) or 0)
        old = select(SyncSnapshot.id).where(
            SyncSnapshot.started_at < now - KEEP["resource_states"]).scalar_subquery()
        result = await session.execute(delete(ResourceState).where(
            ResourceState.snapshot_id.in_(old)))
        removed["resource_states"] = int(getattr(result, "rowcount", 0) or 0)
        result = await session.execute(delete(UsageMetric).where(
            UsageMetric.ts < now - KEEP["usage_metrics"]))
        removed["usage_metrics"] = int(getattr(result, "rowcount", 0) or 0)
    return removed
