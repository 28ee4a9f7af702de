"""Team buttons: ids and enum values only; every handler re-checks them through core services."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from core.domain.roles import Role
from core.services.chats import ScopeKind

__all__ = ["BindCb", "InviteCb", "MemberAction", "MemberCb", "OrgCb"]


class InviteCb(CallbackData, prefix="inv"):
    role: Role


class MemberAction(StrEnum):
    OPEN = "open"
    ROLE = "role"
    REMOVE = "rm"
    CONFIRM = "rmok"
    LIST = "list"


class MemberCb(CallbackData, prefix="mem"):
    action: MemberAction
    id: int = 0
    role: Role | None = None


class BindCb(CallbackData, prefix="bind"):
    scope: ScopeKind
    id: int = 0


class OrgCb(CallbackData, prefix="org"):
    id: int
