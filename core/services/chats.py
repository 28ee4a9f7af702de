"""Group chats bound to an organisation's alerts: a scope (whole org, a provider, a project).

The scopes offered are read from the organisation's own data (its connections' providers and
its resources' projects), and a button carries only an index into that list, recomputed here,
so a tampered button can never name another organisation's provider or project.

A chat that refused a message (403: the user blocked the bot, or the bot was removed from the
group) is marked inactive by the sender; `chat_reachable` lifts that when the chat shows it
can hear us again, and switches a group's alerts back on unless someone had unbound it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import AuditEntry, BoundChat, ChatStatus, Connection, Resource
from core.domain.roles import Role
from core.services.audit import audit
from core.services.errors import NotFound
from core.services.orgs import require_role
from core.services.team import ensure_writable

__all__ = ["Binding", "ScopeKind", "bind_chat", "chat_reachable", "get_binding", "list_scopes",
           "resolve_scope", "unbind_chat"]

MAX_SCOPES = 20


class ScopeKind(StrEnum):
    ORG = "org"
    PROVIDER = "provider"
    PROJECT = "project"


@dataclass(frozen=True)
class Binding:
    chat_id: int
    org_id: int
    scope_kind: ScopeKind
    scope_value: str | None


async def list_scopes(session: AsyncSession, org_id: int, kind: ScopeKind) -> list[str]:
    """The providers or projects of `org_id` a group can be bound to, in a stable order."""
    query: Select[str] | Select[str | None]
    if kind == ScopeKind.PROVIDER:
        query = select(Connection.kind).where(Connection.org_id == org_id).distinct()
    elif kind == ScopeKind.PROJECT:
        query = select(Resource.project).where(
            Resource.org_id == org_id, Resource.project.is_not(None),
            Resource.is_deleted.is_(False)).distinct()
    else:
        return []
    values = sorted(str(v) for v in (await session.execute(query)).scalars() if v)
    return values[:MAX_SCOPES]


async def resolve_scope(session: AsyncSession, org_id: int, kind: ScopeKind,
                        index: int) -> str | None:
    """The scope value behind a button index; NotFound when the index is not in the list."""
    if kind == ScopeKind.ORG:
        return None
    values = await list_scopes(session, org_id, kind)
    if not 0 <= index < len(values):
        raise NotFound("scope not found")
    return values[index]


async def get_binding(session: AsyncSession, chat_id: int) -> Binding | None:
    row = (await session.execute(select(BoundChat).where(
        BoundChat.chat_id == chat_id, BoundChat.is_active.is_(True)))).scalar_one_or_none()
    if row is None:
        return None
    return Binding(row.chat_id, row.org_id, ScopeKind(row.scope_kind), row.scope_value)


async def bind_chat(session: AsyncSession, org_id: int, actor_user_id: int, chat_id: int, *,
                    title: str, kind: ScopeKind, index: int = 0, language: str = "ru",
                    actor_telegram_id: int | None = None) -> Binding:
    """Bind (or re-bind) a group to a scope of `org_id`; the caller must be its admin.

    A group already bound to another organisation can be taken over only by someone who is
    an admin there too.
    """
    await ensure_writable(session, org_id)
    await require_role(session, org_id, actor_user_id, Role.ADMIN)
    value = await resolve_scope(session, org_id, kind, index)
    row = (await session.execute(
        select(BoundChat).where(BoundChat.chat_id == chat_id))).scalar_one_or_none()
    if row is None:
        row = BoundChat(chat_id=chat_id, org_id=org_id)
        session.add(row)
    elif row.org_id != org_id and row.is_active:
        await require_role(session, row.org_id, actor_user_id, Role.ADMIN)
    row.org_id, row.title, row.language = org_id, title[:200], language
    row.scope_kind, row.scope_value, row.is_active = kind.value, value, True
    row.bound_by_id = actor_user_id
    await session.flush()
    await audit(session, "chat.bind", org_id=org_id, actor_telegram_id=actor_telegram_id,
                object_type="chat", object_id=chat_id, scope=kind.value, value=value)
    return Binding(chat_id, org_id, kind, value)


async def unbind_chat(session: AsyncSession, actor_user_id: int, chat_id: int, *,
                      actor_telegram_id: int | None = None) -> Binding:
    row = (await session.execute(select(BoundChat).where(
        BoundChat.chat_id == chat_id, BoundChat.is_active.is_(True)))).scalar_one_or_none()
    if row is None:
        raise NotFound("chat is not bound")
    await require_role(session, row.org_id, actor_user_id, Role.ADMIN)
    row.is_active = False
    await audit(session, "chat.unbind", org_id=row.org_id, actor_telegram_id=actor_telegram_id,
                object_type="chat", object_id=chat_id)
    return Binding(chat_id, row.org_id, ScopeKind(row.scope_kind), row.scope_value)


async def chat_reachable(session: AsyncSession, chat_id: int, *, now: datetime,
                         actor_telegram_id: int | None = None) -> Binding | None:
    """The chat can hear us again (its user wrote, or the bot is back in the group).

    Lifts a 403 recorded in `chat_status`; a group binding that the 403 switched off is
    switched back on and returned (one an admin unbound stays unbound). Cheap when there is
    nothing to lift: one primary-key read, no write.
    """
    status = await session.get(ChatStatus, chat_id)
    if status is None or status.is_active:
        return None
    status.is_active, status.reason, status.changed_at = True, None, now
    row = (await session.execute(select(BoundChat).where(
        BoundChat.chat_id == chat_id, BoundChat.is_active.is_(False)))).scalar_one_or_none()
    if row is None or await _last_binding_action(session, chat_id) == "chat.unbind":
        return None
    row.is_active = True
    await session.flush()
    await audit(session, "chat.reactivate", org_id=row.org_id,
                actor_telegram_id=actor_telegram_id, object_type="chat", object_id=chat_id)
    return Binding(chat_id, row.org_id, ScopeKind(row.scope_kind), row.scope_value)


async def _last_binding_action(session: AsyncSession, chat_id: int) -> str | None:
    return (await session.execute(select(AuditEntry.action).where(
        AuditEntry.object_type == "chat", AuditEntry.object_id == str(chat_id),
        AuditEntry.action.in_(("chat.bind", "chat.unbind", "chat.reactivate")))
        .order_by(AuditEntry.id.desc()).limit(1))).scalar_one_or_none()
