"""Allocation router: /allocation and rule cards for everyone in the org; creating, editing,
deleting, accepting and rejecting rules for owners, admins and finance."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallbackType
from aiogram.filters import Command

from bot.features.allocation import handlers as h
from bot.features.allocation.callbacks import AllocAction, AllocCb
from bot.features.allocation.states import RuleEdit, RuleWizard
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")

# The overview's and a rule card's buttons: one registration per action, each with its role
# on the registration (looking needs a viewer, any change, cancelling one included, finance).
_BUTTONS: tuple[tuple[AllocAction, CallbackType, Role], ...] = (
    (AllocAction.LIST, h.on_overview, Role.VIEWER),
    (AllocAction.OPEN, h.on_rule_open, Role.VIEWER),
    (AllocAction.NEW, h.on_rule_new, Role.FINANCE),
    (AllocAction.TEAM, h.ask_rule_team, Role.FINANCE),
    (AllocAction.MATCH, h.ask_rule_match, Role.FINANCE),
    (AllocAction.DELETE, h.on_rule_delete, Role.FINANCE),
    (AllocAction.ACCEPT, h.on_rule_accept, Role.FINANCE),
    (AllocAction.REJECT, h.on_rule_reject, Role.FINANCE),
    (AllocAction.CANCEL, h.on_rule_cancel, Role.FINANCE),
)


def setup() -> Router:
    router = Router(name=__name__)
    viewer, finance = RoleFilter(Role.VIEWER), RoleFilter(Role.FINANCE)
    router.message.register(h.cmd_allocation, Command("allocation"), viewer)
    for action, handler, role in _BUTTONS:
        router.callback_query.register(handler, AllocCb.filter(F.action == action),
                                       RoleFilter(role))
    router.message.register(h.on_new_team, RuleWizard.team, _TEXT, finance)
    router.message.register(h.on_new_match, RuleWizard.match, _TEXT, finance)
    router.message.register(h.on_edit_team, RuleEdit.team, _TEXT, finance)
    router.message.register(h.on_edit_match, RuleEdit.match, _TEXT, finance)
    return router
