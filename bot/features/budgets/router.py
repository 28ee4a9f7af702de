"""Budgets router: cards for everyone in the org; the wizard, edit and delete for owners,
admins and finance (the filter refuses the rest loudly, and the core service checks again)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallbackType

from bot.features.budgets import handlers as h
from bot.features.budgets.callbacks import BudgetAction, BudgetCb, WizardCb, WizardStep
from bot.features.budgets.states import BudgetEdit, BudgetWizard
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")

# A budget's buttons: one registration per action, each with its role on the registration
# (looking needs a viewer, any change owners, admins and finance).
_BUTTONS: tuple[tuple[BudgetAction, CallbackType, Role], ...] = (
    (BudgetAction.LIST, h.on_budget_list, Role.VIEWER),
    (BudgetAction.OPEN, h.on_budget_open, Role.VIEWER),
    (BudgetAction.NEW, h.on_budget_new, Role.FINANCE),
    (BudgetAction.AMOUNT, h.ask_budget_amount, Role.FINANCE),
    (BudgetAction.PERIOD, h.on_budget_period, Role.FINANCE),
    (BudgetAction.THRESHOLDS, h.on_budget_thresholds, Role.FINANCE),
    (BudgetAction.DESTINATION, h.on_budget_destination, Role.FINANCE),
    (BudgetAction.DELETE, h.ask_budget_delete, Role.FINANCE),
    (BudgetAction.CONFIRM_DELETE, h.confirm_budget_delete, Role.FINANCE),
)

# The new-budget wizard's buttons: one registration per step, all for owners, admins, finance.
_WIZARD: tuple[tuple[WizardStep, CallbackType], ...] = (
    (WizardStep.SCOPE, h.on_step_scope),
    (WizardStep.VALUE, h.on_step_value),
    (WizardStep.PERIOD, h.on_step_period),
    (WizardStep.THRESHOLDS, h.on_step_thresholds),
    (WizardStep.DESTINATION, h.on_step_destination),
    (WizardStep.SAVE, h.on_step_save),
    (WizardStep.CANCEL, h.on_step_cancel),
)


def setup() -> Router:
    router = Router(name=__name__)
    finance = RoleFilter(Role.FINANCE)
    for action, handler, role in _BUTTONS:
        router.callback_query.register(handler, BudgetCb.filter(F.action == action),
                                       RoleFilter(role))
    for step, step_handler in _WIZARD:
        router.callback_query.register(step_handler, WizardCb.filter(F.step == step), finance)
    router.message.register(h.on_wizard_value, BudgetWizard.scope_value, _TEXT, finance)
    router.message.register(h.on_wizard_amount, BudgetWizard.amount, _TEXT, finance)
    router.message.register(h.on_wizard_thresholds, BudgetWizard.thresholds, _TEXT, finance)
    router.message.register(h.on_edit_amount, BudgetEdit.amount, _TEXT, finance)
    router.message.register(h.on_edit_thresholds, BudgetEdit.thresholds, _TEXT, finance)
    return router
