"""Resolves the caller, their organisation and role once per update into `data["rc"]`
(the organisation and the role in one statement: this runs on every update).

In a group chat bound to an organisation, the organisation is the bound one; elsewhere it is the
user's active organisation. A superadmin acting as an organisation (see `/admin as`) gets that
organisation; the open act-as session is read from the audit log (`core.services.admin`), so it
survives restarts and is shared by replicas.

A message or a button press proves the chat hears us: a chat marked inactive after a 403 is
active again (`core.services.chats.chat_reachable`; membership changes are the team feature's).

What this middleware writes (the caller's row on first contact, a changed name, an unblock, a
reactivated chat) is committed at once, before the handler runs: on SQLite a write takes the
database's one write lock until its commit, and the update's own commit comes only before its
first reply, so a name change would hold the lock through the whole answer and every other
update that writes would queue behind it (20 users' first questions waited up to 2 s). The
handler then starts a transaction of its own; it fails or is retried without undoing these facts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update
from aiogram.types import User as TgUser
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.context import RequestContext, UserRef
from core.app import AppContext
from core.db.models import BoundChat, User
from core.domain.roles import Role
from core.services.admin import current_support
from core.services.chats import chat_reachable
from core.services.errors import NotFound
from core.services.orgs import OrgRef, ensure_user, get_org, membership_role, org_and_role

__all__ = ["ContextMiddleware"]

_FLUSHED = "infrazen.flushed"  # Session.info key: this session has flushed since it was cleared


@event.listens_for(Session, "after_flush")
def _mark_flushed(session: Session, _context: object) -> None:
    session.info[_FLUSHED] = True


async def _commit_own_writes(session: AsyncSession) -> None:
    """Commit what was written so far (a short write transaction); nothing if only read."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    if session.info.pop(_FLUSHED, False):
        await session.commit()


def _user_ref(user: User) -> UserRef:
    return UserRef(user.id, user.telegram_id, user.full_name, user.username, user.language,
                   user.timezone, user.active_org_id)


class ContextMiddleware(BaseMiddleware):
    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if tg_user is None or tg_user.is_bot:
            return None  # channel posts, service updates: nothing for us to do
        app: AppContext = data["app"]
        session: AsyncSession = data["session"]
        # every read first, the changes flushed at the end: the write lock is then held for one
        # statement and its commit, not across the reads in between
        with session.no_autoflush:
            user = await ensure_user(session, tg_user.id, full_name=tg_user.full_name,
                                     username=tg_user.username)
            if user.full_name != tg_user.full_name or user.username != tg_user.username:
                user.full_name, user.username = tg_user.full_name, tg_user.username
            chat_id = chat.id if chat else tg_user.id
            chat_type = chat.type if chat else "private"
            if isinstance(event, Update) and (event.message or event.callback_query):
                if chat_type == "private" and user.is_blocked:
                    user.is_blocked = False  # they wrote to us: they do not block the bot
                await chat_reachable(session, chat_id, now=app.clock.now(),
                                     actor_telegram_id=tg_user.id)
            rc = RequestContext(settings=app.settings, user=_user_ref(user), chat_id=chat_id,
                                chat_type=chat_type,
                                is_superadmin=tg_user.id in app.settings.superadmin_ids)
            await _resolve_org(rc, session)
        await _commit_own_writes(session)
        data["rc"] = rc
        return await handler(event, data)


async def _resolve_org(rc: RequestContext, session: AsyncSession) -> None:
    if rc.is_superadmin:
        support = await current_support(session, rc.user.telegram_id)
        org = await _org_or_none(session, support.org_id) if support else None
        if org is not None:
            role = await membership_role(session, org.id, rc.user.id)
            rc.org, rc.role, rc.support = org, role or Role.ADMIN, True
            return
    bound = None
    if not rc.is_private:
        bound = (await session.execute(select(BoundChat.org_id).where(
            BoundChat.chat_id == rc.chat_id, BoundChat.is_active.is_(True)))).scalar()
    org_id = bound if bound is not None else rc.user.active_org_id
    if org_id is None:
        return
    org, role = await org_and_role(session, org_id, rc.user.id)  # one statement per update
    if role is None and bound is None:
        return  # removed from their active organisation: no org until they pick another
    rc.org = org
    rc.role = role


async def _org_or_none(session: AsyncSession, org_id: int) -> OrgRef | None:
    try:
        return await get_org(session, org_id)
    except NotFound:
        return None
