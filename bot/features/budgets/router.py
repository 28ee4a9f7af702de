"""Budgets router: cards for everyone in the org; the wizard, edit and delete for owners,
admins and finance (the filter refuses the rest loudly, and the core service checks again)."""

from __future__ import annotations

from aiogram import F, Router

from bot.features.budgets import handlers as h
from bot.features.budgets.callbacks import BudgetAction, BudgetCb, WizardCb
from bot.features.budgets.states import BudgetEdit, BudgetWizard
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")
VIEW = (BudgetAction.LIST, BudgetAction.OPEN)


def setup() -> Router:
    router = Router(name=__name__)
    viewer, finance = RoleFilter(Role.VIEWER), RoleFilter(Role.FINANCE)
    router.callback_query.register(h.on_budget_view, BudgetCb.filter(F.action.in_(VIEW)), viewer)
    router.callback_query.register(h.on_budget_change, BudgetCb.filter(~F.action.in_(VIEW)),
                                   finance)
    router.callback_query.register(h.on_wizard, WizardCb.filter(), finance)
    router.message.register(h.on_wizard_value, BudgetWizard.scope_value, _TEXT, finance)
    router.message.register(h.on_wizard_amount, BudgetWizard.amount, _TEXT, finance)
    router.message.register(h.on_wizard_thresholds, BudgetWizard.thresholds, _TEXT, finance)
    router.message.register(h.on_edit_amount, BudgetEdit.amount, _TEXT, finance)
    router.message.register(h.on_edit_thresholds, BudgetEdit.thresholds, _TEXT, finance)
    return router
