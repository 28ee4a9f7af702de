"""Team keyboards, next to their callback data."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.team.callbacks import BindCb, InviteCb, MemberAction, MemberCb, OrgCb
from core.domain.providers import PROVIDER_NAMES
from core.domain.roles import Role
from core.services.chats import ScopeKind
from core.services.team import MemberRef
from core.services.users import UserOrg

__all__ = ["bind_kb", "confirm_remove_kb", "invite_kb", "member_kb", "members_kb", "orgs_kb"]


def _grantable(rc: RequestContext) -> list[Role]:
    roles = [Role.ADMIN, Role.FINANCE, Role.MEMBER, Role.VIEWER]
    return [Role.OWNER, *roles] if rc.role == Role.OWNER else roles


def invite_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for role in _grantable(rc):
        kb.button(text=rc.t(f"bot.role.{role.value}"), callback_data=InviteCb(role=role))
    kb.adjust(2)
    return kb.as_markup()


def members_kb(rc: RequestContext, members: Sequence[MemberRef]) -> InlineKeyboardMarkup | None:
    if not rc.has_role(Role.ADMIN) or rc.is_demo:
        return None
    kb = InlineKeyboardBuilder()
    for m in members:
        kb.button(text=f"{m.name} · {rc.t(f'bot.role.{m.role.value}')}",
                  callback_data=MemberCb(action=MemberAction.OPEN, id=m.id))
    kb.adjust(1)
    return kb.as_markup()


def member_kb(rc: RequestContext, member: MemberRef) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for role in _grantable(rc):
        if role != member.role:
            kb.button(text=rc.t("team.btn_make", role=rc.t(f"bot.role.{role.value}")),
                      callback_data=MemberCb(action=MemberAction.ROLE, id=member.id, role=role))
    kb.button(text=rc.t("team.btn_remove"),
              callback_data=MemberCb(action=MemberAction.REMOVE, id=member.id))
    kb.button(text=rc.t("team.btn_back"), callback_data=MemberCb(action=MemberAction.LIST))
    kb.adjust(2)
    return kb.as_markup()


def confirm_remove_kb(rc: RequestContext, member: MemberRef) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("team.btn_confirm_remove"),
              callback_data=MemberCb(action=MemberAction.CONFIRM, id=member.id))
    kb.button(text=rc.t("team.btn_back"), callback_data=MemberCb(action=MemberAction.LIST))
    return kb.as_markup()


def bind_kb(rc: RequestContext, providers: Sequence[str],
            projects: Sequence[str]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("team.scope_org_btn"), callback_data=BindCb(scope=ScopeKind.ORG))
    for i, kind in enumerate(providers):
        kb.button(text=f"☁️ {PROVIDER_NAMES.get(kind, kind)}",
                  callback_data=BindCb(scope=ScopeKind.PROVIDER, id=i))
    for i, project in enumerate(projects):
        kb.button(text=f"📁 {project}", callback_data=BindCb(scope=ScopeKind.PROJECT, id=i))
    kb.adjust(1)
    return kb.as_markup()


def orgs_kb(rc: RequestContext, orgs: Sequence[UserOrg]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for item in orgs:
        mark = "✓ " if rc.org is not None and item.org.id == rc.org.id else ""
        kb.button(text=f"{mark}{item.org.name} · {rc.t(f'bot.role.{item.role.value}')}",
                  callback_data=OrgCb(id=item.org.id))
    kb.adjust(1)
    return kb.as_markup()
