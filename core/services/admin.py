"""Platform operator (superadmin) use cases: stats, search, act-as, unrecognized review, broadcast.

Every function takes the actor's Telegram id and the configured superadmin ids and refuses
(NotFound: no hint that anything is here) anyone else; every change is audit-logged with
`as_superadmin=True`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.casefold import fold, folded
from core.db.models import (
    AuditEntry,
    Connection,
    Membership,
    Organization,
    SyncSnapshot,
    UnrecognizedItem,
    User,
)
from core.domain.roles import Role
from core.services import outbox
from core.services.audit import audit
from core.services.errors import NotFound, ServiceError
from core.services.orgs import OrgRef, ensure_user, get_org, membership_role, set_membership

__all__ = [
    "OrgHit", "PlatformStats", "Support", "UnrecognizedRef", "UserHit", "current_support",
    "end_support",
    "enqueue_broadcast", "list_unrecognized", "platform_stats", "resolve_unrecognized",
    "search_orgs", "search_users", "start_support",
]

FAILED = ("failed", "error")


@dataclass(frozen=True)
class PlatformStats:
    organizations: int
    users: int
    connections: int
    connections_failing: int
    syncs_24h: int
    failures_24h: int
    unrecognized_open: int
    outbox_pending: int


@dataclass(frozen=True)
class UserHit:
    telegram_id: int
    name: str
    username: str | None
    organizations: tuple[str, ...]


@dataclass(frozen=True)
class OrgHit:
    id: int
    slug: str
    name: str
    members: int
    connections: int


@dataclass(frozen=True)
class UnrecognizedRef:
    id: int
    org_name: str
    connection_name: str
    name: str
    external_id: str
    inferred_type: str


def _check(actor: int, superadmins: Collection[int]) -> None:
    if actor not in superadmins:
        raise NotFound("not found")


async def _count(session: AsyncSession, query: object) -> int:
    return int((await session.execute(query)).scalar_one())  # type: ignore[call-overload]


async def platform_stats(session: AsyncSession, actor: int, superadmins: Collection[int],
                         now: datetime) -> PlatformStats:
    _check(actor, superadmins)
    since = now - timedelta(hours=24)
    count = select(func.count())
    return PlatformStats(
        organizations=await _count(session, count.select_from(Organization)),
        users=await _count(session, count.select_from(User)),
        connections=await _count(session, count.select_from(Connection)),
        connections_failing=await _count(session, count.select_from(Connection).where(
            Connection.consecutive_failures > 0)),
        syncs_24h=await _count(session, count.select_from(SyncSnapshot).where(
            SyncSnapshot.started_at >= since)),
        failures_24h=await _count(session, count.select_from(SyncSnapshot).where(
            SyncSnapshot.started_at >= since, SyncSnapshot.status.in_(FAILED))),
        unrecognized_open=await _count(session, count.select_from(UnrecognizedItem).where(
            UnrecognizedItem.resolved_at.is_(None))),
        outbox_pending=sum(v for k, v in (await outbox.status_counts(session)).items()
                           if k in ("pending", "sending")),
    )


def _matches(column: Any, text: str) -> list[ColumnElement[bool]]:
    """Case-insensitive substring match in any alphabet (core.db.casefold)."""
    text = text.replace("%", "").replace("_", "")
    return [folded(column).like(f"%{fold(text)}%")]


async def search_users(session: AsyncSession, actor: int, superadmins: Collection[int],
                       query: str, *, limit: int = 10) -> list[UserHit]:
    """By Telegram id, @username or part of the name."""
    _check(actor, superadmins)
    query = query.strip().removeprefix("@")
    cond = [*_matches(User.full_name, query), *_matches(User.username, query)]
    if query.isdigit():
        cond.append(User.telegram_id == int(query))
    users = (await session.execute(
        select(User).where(or_(*cond)).order_by(User.id).limit(limit))).scalars().all()
    hits = []
    for user in users:
        names = (await session.execute(
            select(Organization.name).join(Membership, Membership.org_id == Organization.id)
            .where(Membership.user_id == user.id).order_by(Organization.name))).scalars().all()
        hits.append(UserHit(user.telegram_id, user.full_name, user.username, tuple(names)))
    return hits


async def search_orgs(session: AsyncSession, actor: int, superadmins: Collection[int],
                      query: str, *, limit: int = 10) -> list[OrgHit]:
    """By id, slug or part of the name."""
    _check(actor, superadmins)
    query = query.strip()
    cond = [*_matches(Organization.name, query), *_matches(Organization.slug, query)]
    if query.isdigit():
        cond.append(Organization.id == int(query))
    orgs = (await session.execute(select(Organization).where(or_(*cond))
                                  .order_by(Organization.id).limit(limit))).scalars().all()
    hits = []
    for org in orgs:
        members = await _count(session, select(func.count()).select_from(Membership).where(
            Membership.org_id == org.id))
        conns = await _count(session, select(func.count()).select_from(Connection).where(
            Connection.org_id == org.id))
        hits.append(OrgHit(org.id, org.slug, org.name, members, conns))
    return hits


@dataclass(frozen=True)
class Support:
    """A superadmin's open act-as session (from the audit log, so it survives restarts)."""

    org_id: int
    temporary: bool


async def current_support(session: AsyncSession, actor: int) -> Support | None:
    """The organisation `actor` is acting as: the last support.start not yet ended."""
    row = (await session.execute(
        select(AuditEntry.action, AuditEntry.org_id, AuditEntry.details).where(
            AuditEntry.actor_telegram_id == actor, AuditEntry.as_superadmin.is_(True),
            AuditEntry.action.in_(("support.start", "support.end")))
        .order_by(AuditEntry.id.desc()).limit(1))).first()
    if row is None or row[0] != "support.start" or row[1] is None:
        return None
    return Support(int(row[1]), bool((row[2] or {}).get("temporary")))


async def start_support(session: AsyncSession, actor: int, superadmins: Collection[int],
                        ref: str) -> OrgRef:
    """Begin acting as an organisation (by id or slug) with the admin role.

    A superadmin who is not a member gets a temporary admin membership, visible in /members
    and removed by `end_support`, so every org-scoped service works unchanged. Starting a new
    session ends the previous one.
    """
    _check(actor, superadmins)
    org = await get_org(session, ref)
    await end_support(session, actor, superadmins)
    user = await ensure_user(session, actor)
    temporary = await membership_role(session, org.id, user.id) is None
    if temporary:
        await set_membership(session, org.id, user.id, Role.ADMIN)
    await audit(session, "support.start", org_id=org.id, actor_telegram_id=actor,
                as_superadmin=True, temporary=temporary)
    await session.flush()
    return org


async def end_support(session: AsyncSession, actor: int,
                      superadmins: Collection[int]) -> int | None:
    """End the open act-as session, if any; returns its organisation id."""
    _check(actor, superadmins)
    current = await current_support(session, actor)
    if current is None:
        return None
    if current.temporary:
        user = await ensure_user(session, actor)
        await session.execute(delete(Membership).where(
            Membership.org_id == current.org_id, Membership.user_id == user.id))
    await audit(session, "support.end", org_id=current.org_id, actor_telegram_id=actor,
                as_superadmin=True)
    await session.flush()
    return current.org_id


async def list_unrecognized(session: AsyncSession, actor: int, superadmins: Collection[int],
                            *, limit: int = 10) -> list[UnrecognizedRef]:
    _check(actor, superadmins)
    rows = (await session.execute(
        select(UnrecognizedItem, Organization.name, Connection.name)
        .join(Organization, Organization.id == UnrecognizedItem.org_id)
        .join(Connection, Connection.id == UnrecognizedItem.connection_id)
        .where(UnrecognizedItem.resolved_at.is_(None))
        .order_by(UnrecognizedItem.last_seen_at.desc()).limit(limit))).all()
    return [UnrecognizedRef(item.id, org, conn, item.name, item.external_id, item.inferred_type)
            for item, org, conn in rows]


async def resolve_unrecognized(session: AsyncSession, actor: int, superadmins: Collection[int],
                               item_id: int, note: str, now: datetime) -> UnrecognizedRef:
    _check(actor, superadmins)
    note = note.strip()
    if not note:
        raise ServiceError("a resolution note is required")
    item = await session.get(UnrecognizedItem, item_id)
    if item is None or item.resolved_at is not None:
        raise NotFound("unrecognized item not found")
    user = (await session.execute(
        select(User).where(User.telegram_id == actor))).scalar_one_or_none()
    item.resolved_at, item.resolution_note = now, note[:2000]
    item.resolved_by_id = user.id if user else None
    await audit(session, "unrecognized.resolve", org_id=item.org_id, actor_telegram_id=actor,
                object_type="unrecognized", object_id=item.id, as_superadmin=True,
                note=note[:200])
    org = await session.get(Organization, item.org_id)
    conn = await session.get(Connection, item.connection_id)
    return UnrecognizedRef(item.id, org.name if org else "", conn.name if conn else "",
                           item.name, item.external_id, item.inferred_type)


async def enqueue_broadcast(session: AsyncSession, actor: int, superadmins: Collection[int],
                            text: str, now: datetime) -> int:
    """Queue `text` for every reachable user through the outbox (the sender rate-limits it)."""
    _check(actor, superadmins)
    text = text.strip()
    if not text or len(text) > 4000:
        raise ServiceError("broadcast text must be 1–4000 characters")
    chat_ids = (await session.execute(select(User.telegram_id).where(
        User.is_blocked.is_(False)).order_by(User.id))).scalars().all()
    batch = uuid.uuid4().hex[:12]
    queued = 0
    for chat_id in chat_ids:
        queued += await outbox.enqueue(session, chat_id=chat_id, kind="text",
                                       dedup_key=f"broadcast:{batch}:{chat_id}",
                                       payload={"text": text}, now=now)
    await audit(session, "admin.broadcast", org_id=None, actor_telegram_id=actor,
                as_superadmin=True, batch=batch, recipients=queued, length=len(text))
    return queued


async def reseed_demo_audited(session: AsyncSession, actor: int,
                              superadmins: Collection[int]) -> None:
    """Audit entry for a demo reseed (the seed itself is `core.services.demo.seed_demo`)."""
    _check(actor, superadmins)
    await audit(session, "demo.reseed", org_id=None, actor_telegram_id=actor, as_superadmin=True)
