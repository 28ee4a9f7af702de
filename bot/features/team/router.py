"""Team router: invites, members and roles, group binding, switching organisations."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import (
    JOIN_TRANSITION,
    KICKED,
    MEMBER,
    ChatMemberUpdatedFilter,
    Command,
    CommandStart,
)

from bot.features.team import handlers as h
from bot.features.team.callbacks import BindCb, InviteCb, MemberAction, MemberCb, OrgCb
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

GROUPS = {"group", "supergroup"}
GROUP = F.chat.type.in_(GROUPS)
GROUP_BUTTON = F.message.chat.type.in_(GROUPS)


def setup() -> Router:
    router = Router(name=__name__)
    admin = RoleFilter(Role.ADMIN)
    router.message.register(h.cmd_invite, Command("invite"), admin)
    router.callback_query.register(h.on_invite_role, InviteCb.filter(), admin)
    router.message.register(h.cmd_members, Command("members"), RoleFilter(Role.VIEWER))
    router.callback_query.register(h.on_member_list,
                                   MemberCb.filter(F.action == MemberAction.LIST),
                                   RoleFilter(Role.VIEWER))
    for action, handler in ((MemberAction.OPEN, h.on_member_open),
                            (MemberAction.ROLE, h.on_member_role),
                            (MemberAction.REMOVE, h.on_member_remove),
                            (MemberAction.CONFIRM, h.on_member_confirm)):
        router.callback_query.register(handler, MemberCb.filter(F.action == action), admin)
    router.message.register(h.cmd_bind, Command("bind"), GROUP, admin)
    router.callback_query.register(h.on_bind, BindCb.filter(), GROUP_BUTTON, admin)
    router.message.register(h.cmd_unbind, Command("unbind"), GROUP)
    router.message.register(h.only_in_group, Command("bind", "unbind"))
    router.message.register(h.cmd_org, Command("org"))
    router.message.register(h.start_in_group, CommandStart(), GROUP)
    router.my_chat_member.register(h.bot_added_to_group, GROUP,
                                   ChatMemberUpdatedFilter(JOIN_TRANSITION))
    router.my_chat_member.register(h.bot_blocked, F.chat.type == "private",
                                   ChatMemberUpdatedFilter(KICKED))
    router.my_chat_member.register(h.bot_unblocked, F.chat.type == "private",
                                   ChatMemberUpdatedFilter(MEMBER))
    router.callback_query.register(h.on_org, OrgCb.filter())
    return router
