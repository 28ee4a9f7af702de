"""Leases: a sync, a message or a periodic job is owned by one worker at a time.

On PostgreSQL several workers may run at once. A claim is one statement,
`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) AND <lease free> RETURNING id`: rows
another worker is claiming right now are skipped, never waited for, and the outer WHERE is
re-checked against the committed row, so two workers never own the same row. A lease expires:
a worker that died holding one loses it after `ttl`, and the next claim picks the work up.
SQLite ignores `FOR UPDATE` and serialises writers, so the same code is correct in one process.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import JobLease

__all__ = ["acquire_job", "claim_rows", "lease_free", "release_job", "worker_name"]


def worker_name() -> str:
    """A lease owner name unique to this process: host, pid and a random suffix."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def lease_free(model: Any, now: datetime) -> ColumnElement[bool]:
    """Nobody owns the row, or the owner's lease ran out."""
    return or_(model.lease_expires_at.is_(None), model.lease_expires_at < now)


async def claim_rows(session: AsyncSession, model: Any, *, where: Sequence[ColumnElement[bool]],
                     owner: str, now: datetime, ttl: timedelta, limit: int,
                     order_by: Sequence[Any] = (), values: dict[str, Any] | None = None,
                     ) -> list[int]:
    """Lease up to `limit` rows of `model` matching `where` to `owner`; returns their ids.

    `values` are set on the claimed rows in the same statement (a status, attempts + 1).
    The caller commits; until then the claim is invisible to other workers.
    """
    condition = and_(*where, lease_free(model, now))
    lease = {"lease_owner": owner, "lease_expires_at": now + ttl, **(values or {})}
    due = select(model.id).where(condition).order_by(*order_by, model.id).limit(limit)
    if session.get_bind().dialect.name == "sqlite":
        # one statement: SQLite takes its write lock before the subquery reads, so two
        # workers never pick the same rows (a SELECT first reads without the lock: both
        # picked the same due rows, and the second then claimed none of the rest)
        statement = (update(model).where(model.id.in_(due.scalar_subquery()))
                     .values(**lease).returning(model.id)
                     .execution_options(synchronize_session=False))
        return sorted((await session.execute(statement)).scalars())
    # PostgreSQL: two statements, not UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP
    # LOCKED): it may run such a subquery more than once and then claims more than `limit`
    # rows (every due outbox message, measured). The picked rows stay locked until the
    # caller commits, and other workers skip them.
    picked = list((await session.execute(due.with_for_update(skip_locked=True))).scalars())
    if not picked:
        return []
    statement = (update(model).where(model.id.in_(picked), condition).values(**lease)
                 .returning(model.id).execution_options(synchronize_session=False))
    return sorted((await session.execute(statement)).scalars())


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def acquire_job(session: AsyncSession, name: str, *, owner: str, now: datetime,
                      ttl: timedelta) -> bool:
    """Take (or renew) the named periodic job's lease; False while another live owner has it."""
    insert = _insert(session)
    await session.execute(insert(JobLease).values(name=name, owner=owner, expires_at=now)
                          .on_conflict_do_nothing(index_elements=["name"]))
    taken = await session.execute(
        update(JobLease)
        .where(JobLease.name == name, or_(JobLease.expires_at <= now, JobLease.owner == owner))
        .values(owner=owner, expires_at=now + ttl).returning(JobLease.name)
        .execution_options(synchronize_session=False))
    return taken.scalar_one_or_none() is not None


async def release_job(session: AsyncSession, name: str, *, owner: str, now: datetime) -> None:
    """Give the job back early so the next tick of any worker can run it."""
    await session.execute(update(JobLease).where(JobLease.name == name, JobLease.owner == owner)
                          .values(expires_at=now).execution_options(synchronize_session=False))
