"""Invites and memberships: who belongs to an organisation and in what role.

Rules: admins and owners invite and manage members; only an owner grants, changes or removes
the owner role; the last owner can be neither demoted nor removed; the demo organisation is
read-only. Every lookup is scoped by the caller's organisation (a foreign id is NotFound) and
every change is audit-logged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Invite, Membership, Organization, User
from core.domain.roles import Role, role_at_least
from core.services.audit import audit
from core.services.errors import Conflict, Forbidden, NotFound
from core.services.orgs import OrgRef, get_org, require_role, set_membership

__all__ = [
    "INVITE_TTL", "DemoReadOnly", "Expired", "InviteRef", "LastOwner", "MemberRef",
    "accept_invite", "change_role", "create_invite", "ensure_writable", "get_member",
    "list_members", "remove_member",
]

INVITE_TTL = timedelta(days=7)


class DemoReadOnly(Forbidden):
    """The demo organisation is a sandbox: looking is fine, changing is not."""

    code = "demo"


class LastOwner(Conflict):
    code = "last_owner"


class Expired(Conflict):
    """An invite that was already used or has expired."""

    code = "invite_expired"


@dataclass(frozen=True)
class InviteRef:
    code: str
    role: Role
    expires_at: datetime


@dataclass(frozen=True)
class MemberRef:
    id: int
    user_id: int
    telegram_id: int
    name: str
    role: Role


async def ensure_writable(session: AsyncSession, org_id: int) -> OrgRef:
    org = await get_org(session, org_id)
    if org.is_demo:
        raise DemoReadOnly()
    return org


async def create_invite(session: AsyncSession, org_id: int, actor_user_id: int, role: Role,
                        now: datetime, *, actor_telegram_id: int | None = None,
                        ttl: timedelta = INVITE_TTL) -> InviteRef:
    """A single-use code for `role`; only an owner may invite another owner."""
    await ensure_writable(session, org_id)
    actor_role = await require_role(session, org_id, actor_user_id, Role.ADMIN)
    if role == Role.OWNER and actor_role != Role.OWNER:
        raise Forbidden("only an owner can invite an owner")
    code = secrets.token_urlsafe(12)
    invite = Invite(org_id=org_id, code=code, role=role.value, created_by_id=actor_user_id,
                    expires_at=now + ttl)
    session.add(invite)
    await session.flush()
    await audit(session, "invite.create", org_id=org_id, actor_telegram_id=actor_telegram_id,
                object_type="invite", object_id=invite.id, role=role.value)
    return InviteRef(code, role, invite.expires_at)


async def accept_invite(session: AsyncSession, code: str, user_id: int, now: datetime, *,
                        actor_telegram_id: int | None = None) -> tuple[OrgRef, Role]:
    """Join through an invite; the user's active organisation becomes the new one.

    An unknown code is NotFound; a used or expired one is Expired. Someone already a member
    keeps the higher of their role and the invite's.
    """
    invite = (await session.execute(
        select(Invite).where(Invite.code == code))).scalar_one_or_none()
    if invite is None:
        raise NotFound("invite not found")
    if invite.used_at is not None or invite.expires_at <= now:
        raise Expired("invite used or expired")
    # claim it atomically: of two people opening the same link at once, one wins
    claimed = await session.execute(
        update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None))
        .values(used_at=now, used_by_id=user_id).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Expired("invite used or expired")
    role = Role(invite.role)
    current = (await session.execute(select(Membership).where(
        Membership.org_id == invite.org_id, Membership.user_id == user_id))).scalar_one_or_none()
    if current is None or not role_at_least(Role(current.role), role):
        await set_membership(session, invite.org_id, user_id, role)
    else:
        role = Role(current.role)
    user = await session.get(User, user_id)
    assert user is not None
    user.active_org_id = invite.org_id
    await audit(session, "member.join", org_id=invite.org_id, actor_telegram_id=actor_telegram_id,
                object_type="invite", object_id=invite.id, role=role.value)
    return await get_org(session, invite.org_id), role


async def list_members(session: AsyncSession, org_id: int, actor_user_id: int
                       ) -> list[MemberRef]:
    """Everyone in the organisation; in the demo, only the caller (visitors are strangers)."""
    await require_role(session, org_id, actor_user_id, Role.VIEWER)
    query = (select(Membership, User).join(User, User.id == Membership.user_id)
             .where(Membership.org_id == org_id).order_by(Membership.id))
    if (await get_org(session, org_id)).is_demo:
        query = query.where(Membership.user_id == actor_user_id)
    return [_member(m, u) for m, u in (await session.execute(query)).all()]


def _member(m: Membership, u: User) -> MemberRef:
    name = u.full_name or (f"@{u.username}" if u.username else str(u.telegram_id))
    return MemberRef(m.id, u.id, u.telegram_id, name, Role(m.role))


async def get_member(session: AsyncSession, org_id: int, actor_user_id: int,
                     membership_id: int) -> MemberRef:
    """One membership of the caller's organisation (a foreign id is NotFound)."""
    await require_role(session, org_id, actor_user_id, Role.VIEWER)
    row = (await session.execute(
        select(Membership, User).join(User, User.id == Membership.user_id)
        .where(Membership.id == membership_id, Membership.org_id == org_id))).first()
    if row is None:
        raise NotFound("member not found")
    return _member(row[0], row[1])


async def _load_for_change(session: AsyncSession, org_id: int, actor_user_id: int,
                           membership_id: int) -> tuple[Membership, Role]:
    await ensure_writable(session, org_id)
    actor_role = await require_role(session, org_id, actor_user_id, Role.ADMIN)
    row = (await session.execute(select(Membership).where(
        Membership.id == membership_id, Membership.org_id == org_id))).scalar_one_or_none()
    if row is None:
        raise NotFound("member not found")
    return row, actor_role


async def _owners(session: AsyncSession, org_id: int) -> int:
    return int((await session.execute(select(func.count()).select_from(Membership).where(
        Membership.org_id == org_id, Membership.role == Role.OWNER.value))).scalar_one())


async def change_role(session: AsyncSession, org_id: int, actor_user_id: int,
                      membership_id: int, role: Role, *,
                      actor_telegram_id: int | None = None) -> MemberRef:
    row, actor_role = await _load_for_change(session, org_id, actor_user_id, membership_id)
    old = Role(row.role)
    if Role.OWNER in (old, role) and actor_role != Role.OWNER:
        raise Forbidden("only an owner can change an owner")
    if old == Role.OWNER and role != Role.OWNER and await _owners(session, org_id) <= 1:
        raise LastOwner("the last owner cannot be demoted")
    row.role = role.value
    await session.flush()
    await audit(session, "member.role", org_id=org_id, actor_telegram_id=actor_telegram_id,
                object_type="membership", object_id=row.id, old=old.value, new=role.value)
    return await get_member(session, org_id, actor_user_id, membership_id)


async def remove_member(session: AsyncSession, org_id: int, actor_user_id: int,
                        membership_id: int, *, actor_telegram_id: int | None = None) -> None:
    row, actor_role = await _load_for_change(session, org_id, actor_user_id, membership_id)
    if row.role == Role.OWNER.value:
        if actor_role != Role.OWNER:
            raise Forbidden("only an owner can remove an owner")
        if await _owners(session, org_id) <= 1:
            raise LastOwner("the last owner cannot be removed")
    user = await session.get(User, row.user_id)
    if user is not None and user.active_org_id == org_id:
        user.active_org_id = None
    await session.delete(row)
    await session.flush()
    await audit(session, "member.remove", org_id=org_id, actor_telegram_id=actor_telegram_id,
                object_type="membership", object_id=membership_id, role=row.role)


async def create_org_for(session: AsyncSession, user_id: int, org: OrgRef, *,
                         actor_telegram_id: int | None = None) -> None:
    """Make `user_id` the owner of a freshly created `org` and switch them to it."""
    await set_membership(session, org.id, user_id, Role.OWNER)
    user = await session.get(User, user_id)
    assert user is not None
    user.active_org_id = org.id
    await audit(session, "org.create", org_id=org.id, actor_telegram_id=actor_telegram_id,
                object_type="organization", object_id=org.id)


async def org_exists(session: AsyncSession, org_id: int) -> bool:
    return (await session.get(Organization, org_id)) is not None
