"""Team handlers: /invite, /members (change or remove roles), /bind, /unbind, /org."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.team.callbacks import BindCb, InviteCb, MemberCb, OrgCb
from bot.features.team.keyboards import (
    bind_kb,
    confirm_remove_kb,
    invite_kb,
    member_kb,
    members_kb,
    orgs_kb,
)
from bot.filters import NoOrganisation, org_id_of
from bot.i18n import esc
from core.app import AppContext
from core.domain.providers import PROVIDER_NAMES
from core.domain.roles import Role
from core.services import chats, team, users
from core.services.chats import ScopeKind
from core.services.errors import Forbidden
from core.services.team import MemberRef
from renderers.format import fmt_date

__all__ = [
    "bot_added_to_group", "bot_blocked", "bot_unblocked", "cmd_bind", "cmd_invite",
    "cmd_members", "cmd_org", "cmd_unbind", "on_bind", "on_invite_role", "on_member_confirm",
    "on_member_list", "on_member_open", "on_member_remove", "on_member_role", "on_org",
    "only_in_group", "start_in_group",
]

CHAT_ADMINS = frozenset({"creator", "administrator"})
MAX_LISTED = 50




async def cmd_invite(message: Message, rc: RequestContext) -> None:
    await message.answer(rc.t("team.invite_pick_role"), reply_markup=invite_kb(rc))


async def on_invite_role(query: CallbackQuery, callback_data: InviteCb, rc: RequestContext,
                         session: AsyncSession, app: AppContext, bot: Bot) -> None:
    invite = await team.create_invite(session, org_id_of(rc), rc.user.id, callback_data.role,
                                      app.clock.now(), actor_telegram_id=rc.user.telegram_id)
    me = await bot.me()
    link = f"https://t.me/{me.username}?start=inv_{invite.code}"
    await query.answer()
    await callback_message(query).edit_text(rc.t(
        "team.invite_link", role=rc.t(f"bot.role.{invite.role.value}"), link=link,
        expires=fmt_date(invite.expires_at.date(), rc.lang)))


async def _render_members(rc: RequestContext, session: AsyncSession) -> tuple[str, object]:
    members = await team.list_members(session, org_id_of(rc), rc.user.id)
    assert rc.org is not None
    lines = [rc.t("team.members_title", org=esc(rc.org.name))]
    lines += [f"• {esc(m.name)} — {rc.t(f'bot.role.{m.role.value}')}"
              for m in members[:MAX_LISTED]]
    if len(members) > MAX_LISTED:
        lines.append(rc.t("team.and_more", count=len(members) - MAX_LISTED))
    if rc.has_role(Role.ADMIN) and not rc.is_demo:
        lines.append(rc.t("team.members_hint"))
    return "\n".join(lines), members_kb(rc, members[:MAX_LISTED])


async def cmd_members(message: Message, rc: RequestContext, session: AsyncSession) -> None:
    text, kb = await _render_members(rc, session)
    await message.answer(text, reply_markup=kb)  # type: ignore[arg-type]


async def on_member_list(query: CallbackQuery, rc: RequestContext,
                         session: AsyncSession) -> None:
    text, kb = await _render_members(rc, session)
    await query.answer()
    await callback_message(query).edit_text(text, reply_markup=kb)  # type: ignore[arg-type]


async def _show_card(query: CallbackQuery, rc: RequestContext, member: MemberRef) -> None:
    text = rc.t("team.member_card", name=esc(member.name),
                role=rc.t(f"bot.role.{member.role.value}"))
    await callback_message(query).edit_text(text, reply_markup=member_kb(rc, member))


async def on_member_open(query: CallbackQuery, callback_data: MemberCb, rc: RequestContext,
                         session: AsyncSession) -> None:
    member = await team.get_member(session, org_id_of(rc), rc.user.id, callback_data.id)
    await query.answer()
    await _show_card(query, rc, member)


async def on_member_role(query: CallbackQuery, callback_data: MemberCb, rc: RequestContext,
                         session: AsyncSession) -> None:
    """A role button without a role (tampered) only shows the card again."""
    if callback_data.role is None:
        await on_member_open(query, callback_data, rc, session)
        return
    member = await team.change_role(session, org_id_of(rc), rc.user.id, callback_data.id,
                                    callback_data.role, actor_telegram_id=rc.user.telegram_id)
    await query.answer(rc.t("team.role_changed"))
    await _show_card(query, rc, member)


async def on_member_remove(query: CallbackQuery, callback_data: MemberCb, rc: RequestContext,
                           session: AsyncSession) -> None:
    """Asks first; `on_member_confirm` removes."""
    member = await team.get_member(session, org_id_of(rc), rc.user.id, callback_data.id)
    await query.answer()
    await callback_message(query).edit_text(rc.t("team.confirm_remove", name=esc(member.name)),
                                            reply_markup=confirm_remove_kb(rc, member))


async def on_member_confirm(query: CallbackQuery, callback_data: MemberCb, rc: RequestContext,
                            session: AsyncSession) -> None:
    org_id = org_id_of(rc)
    member = await team.get_member(session, org_id, rc.user.id, callback_data.id)
    await team.remove_member(session, org_id, rc.user.id, callback_data.id,
                             actor_telegram_id=rc.user.telegram_id)
    await query.answer()
    await callback_message(query).edit_text(rc.t("team.removed", name=esc(member.name)))


async def cmd_bind(message: Message, rc: RequestContext, session: AsyncSession, bot: Bot) -> None:
    org_id = org_id_of(rc)
    member = await bot.get_chat_member(message.chat.id, rc.user.telegram_id)
    if member.status not in CHAT_ADMINS:
        raise Forbidden("not a chat admin")
    providers = await chats.list_scopes(session, org_id, ScopeKind.PROVIDER)
    projects = await chats.list_scopes(session, org_id, ScopeKind.PROJECT)
    assert rc.org is not None
    await message.answer(rc.t("team.bind_pick", org=esc(rc.org.name)),
                         reply_markup=bind_kb(rc, providers, projects))


async def on_bind(query: CallbackQuery, callback_data: BindCb, rc: RequestContext,
                  session: AsyncSession) -> None:
    message = callback_message(query)
    binding = await chats.bind_chat(
        session, org_id_of(rc), rc.user.id, message.chat.id, title=message.chat.title or "",
        kind=callback_data.scope, index=callback_data.id, language=rc.lang,
        actor_telegram_id=rc.user.telegram_id)
    assert rc.org is not None
    value = binding.scope_value or ""
    if binding.scope_kind == ScopeKind.PROVIDER:
        value = PROVIDER_NAMES.get(value, value)
    scope = (rc.t("team.scope_org") if binding.scope_kind == ScopeKind.ORG else
             rc.t(f"team.scope_{binding.scope_kind.value}", value=esc(value)))
    await query.answer()
    await message.edit_text(rc.t("team.bound", org=esc(rc.org.name), scope=scope))


async def cmd_unbind(message: Message, rc: RequestContext, session: AsyncSession) -> None:
    await chats.unbind_chat(session, rc.user.id, message.chat.id,
                            actor_telegram_id=rc.user.telegram_id)
    await message.answer(rc.t("team.unbound"))


async def bot_added_to_group(event: ChatMemberUpdated, rc: RequestContext,
                             session: AsyncSession, app: AppContext) -> None:
    """Joined (or re-added after being removed): a binding the removal switched off resumes."""
    resumed = await chats.chat_reachable(session, event.chat.id, now=app.clock.now(),
                                         actor_telegram_id=rc.user.telegram_id)
    await event.answer(rc.t("alerts.chat_resumed" if resumed else "team.group_hello"))


async def bot_blocked(event: ChatMemberUpdated, rc: RequestContext,
                      session: AsyncSession) -> None:
    await users.set_blocked(session, rc.user.id, True)


async def bot_unblocked(event: ChatMemberUpdated, rc: RequestContext,
                        session: AsyncSession, app: AppContext) -> None:
    """Unblocked: broadcasts include the user again and the sender may write to the chat."""
    await users.set_blocked(session, rc.user.id, False)
    await chats.chat_reachable(session, event.chat.id, now=app.clock.now(),
                               actor_telegram_id=rc.user.telegram_id)


async def start_in_group(message: Message, rc: RequestContext) -> None:
    await message.answer(rc.t("team.group_hello"))


async def only_in_group(message: Message, rc: RequestContext) -> None:
    await message.answer(rc.t("team.bind_in_group"))


async def cmd_org(message: Message, rc: RequestContext, session: AsyncSession) -> None:
    orgs = await users.list_user_orgs(session, rc.user.id)
    if not orgs:
        raise NoOrganisation()
    await message.answer(rc.t("team.org_pick"), reply_markup=orgs_kb(rc, orgs))


async def on_org(query: CallbackQuery, callback_data: OrgCb, rc: RequestContext,
                 session: AsyncSession) -> None:
    org = await users.set_active_org(session, rc.user.id, callback_data.id)
    await query.answer()
    await callback_message(query).edit_text(rc.t("team.org_switched", org=esc(org.name)))
