"""Allocation router: /allocation and rule cards for everyone in the org; creating, editing,
deleting, accepting and rejecting rules for owners, admins and finance."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from bot.features.allocation import handlers as h
from bot.features.allocation.callbacks import VIEW_ACTIONS, AllocCb
from bot.features.allocation.states import RuleEdit, RuleWizard
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")


def setup() -> Router:
    router = Router(name=__name__)
    viewer, finance = RoleFilter(Role.VIEWER), RoleFilter(Role.FINANCE)
    router.message.register(h.cmd_allocation, Command("allocation"), viewer)
    router.callback_query.register(h.on_view, AllocCb.filter(F.action.in_(VIEW_ACTIONS)), viewer)
    router.callback_query.register(h.on_change, AllocCb.filter(~F.action.in_(VIEW_ACTIONS)),
                                   finance)
    router.message.register(h.on_new_team, RuleWizard.team, _TEXT, finance)
    router.message.register(h.on_new_match, RuleWizard.match, _TEXT, finance)
    router.message.register(h.on_edit_team, RuleEdit.team, _TEXT, finance)
    router.message.register(h.on_edit_match, RuleEdit.match, _TEXT, finance)
    return router
