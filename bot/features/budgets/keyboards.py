"""Budget keyboards: the list's buttons (under /budget), a card, the wizard's choices."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.budgets.callbacks import BudgetAction, BudgetCb, WizardCb, WizardStep
from core.domain.roles import Role
from core.services.ask.types import BudgetItem
from core.services.budgets import PERIODS, SCOPES, Destination

__all__ = ["can_edit", "card_kb", "choices_kb", "delete_kb", "destination_kb", "list_rows",
           "period_kb", "scope_kb", "summary_kb", "thresholds_kb"]


def can_edit(rc: RequestContext) -> bool:
    """Owners, admins and finance change budgets (never in the read-only demo)."""
    return rc.has_role(Role.FINANCE) and not (rc.is_demo and not rc.support)


def list_rows(kb: InlineKeyboardBuilder, rc: RequestContext,
              items: Sequence[BudgetItem]) -> list[int]:
    """One button per budget (its card), then "➕ New budget" for those who may add one."""
    rows = []
    for item in items[:10]:
        kb.button(text=rc.t("budgets.btn.open", name=item.name,
                            icon=rc.t(f"answers.budget.status.{item.status}")),
                  callback_data=BudgetCb(action=BudgetAction.OPEN, id=item.id))
        rows.append(1)
    if can_edit(rc):
        kb.button(text=rc.t("budgets.btn.new"), callback_data=BudgetCb(action=BudgetAction.NEW))
        rows.append(1)
    return rows


def card_kb(rc: RequestContext, budget_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    rows = []
    if can_edit(rc):
        for action, key in ((BudgetAction.AMOUNT, "amount"), (BudgetAction.PERIOD, "period"),
                            (BudgetAction.THRESHOLDS, "thresholds"),
                            (BudgetAction.DESTINATION, "destination"),
                            (BudgetAction.DELETE, "delete")):
            kb.button(text=rc.t(f"budgets.btn.{key}"),
                      callback_data=BudgetCb(action=action, id=budget_id))
        rows += [2, 2, 1]
    kb.button(text=rc.t("budgets.btn.back"), callback_data=BudgetCb(action=BudgetAction.LIST))
    kb.adjust(*rows, 1)
    return kb.as_markup()


def _cancel(kb: InlineKeyboardBuilder, rc: RequestContext) -> None:
    kb.button(text=rc.t("budgets.btn.cancel"), callback_data=WizardCb(step=WizardStep.CANCEL))


def scope_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for kind in SCOPES:
        kb.button(text=rc.t(f"budgets.scope_btn.{kind}"),
                  callback_data=WizardCb(step=WizardStep.SCOPE, value=kind))
    _cancel(kb, rc)
    kb.adjust(1, 2, 2, 2, 1)
    return kb.as_markup()


def choices_kb(rc: RequestContext, labels: Sequence[str]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for index, label in enumerate(labels):
        kb.button(text=label[:60], callback_data=WizardCb(step=WizardStep.VALUE, value=str(index)))
    _cancel(kb, rc)
    kb.adjust(2)
    return kb.as_markup()


def period_kb(rc: RequestContext, budget_id: int | None = None) -> InlineKeyboardMarkup:
    """The wizard's period step, or (with `budget_id`) a card's period change."""
    kb = InlineKeyboardBuilder()
    for period in PERIODS:
        text = rc.t(f"budgets.period_btn.{period}")
        if budget_id is None:
            kb.button(text=text, callback_data=WizardCb(step=WizardStep.PERIOD, value=period))
        else:
            kb.button(text=text, callback_data=BudgetCb(action=BudgetAction.PERIOD, id=budget_id,
                                                        value=period))
    if budget_id is None:
        _cancel(kb, rc)
    else:
        kb.button(text=rc.t("budgets.btn.back"),
                  callback_data=BudgetCb(action=BudgetAction.OPEN, id=budget_id))
    kb.adjust(3, 1)
    return kb.as_markup()


def thresholds_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("budgets.btn.default_thresholds"),
              callback_data=WizardCb(step=WizardStep.THRESHOLDS, value="default"))
    kb.button(text=rc.t("budgets.btn.other_thresholds"),
              callback_data=WizardCb(step=WizardStep.THRESHOLDS, value="other"))
    _cancel(kb, rc)
    kb.adjust(1)
    return kb.as_markup()


def destination_kb(rc: RequestContext, groups: Sequence[Destination],
                   budget_id: int | None = None) -> InlineKeyboardMarkup:
    """Personal chat, each bound group, or the usual routing; for the wizard or a card."""
    kb = InlineKeyboardBuilder()
    options = [("me", rc.t("budgets.btn.personal"))]
    options += [(str(i), rc.t("budgets.btn.group", title=g.title[:40]))
                for i, g in enumerate(groups[:8])]
    options.append(("default", rc.t("budgets.destination_default").capitalize()))
    for value, text in options:
        if budget_id is None:
            kb.button(text=text, callback_data=WizardCb(step=WizardStep.DESTINATION, value=value))
        else:
            kb.button(text=text, callback_data=BudgetCb(action=BudgetAction.DESTINATION,
                                                        id=budget_id, value=value))
    if budget_id is None:
        _cancel(kb, rc)
    else:
        kb.button(text=rc.t("budgets.btn.back"),
                  callback_data=BudgetCb(action=BudgetAction.OPEN, id=budget_id))
    kb.adjust(1)
    return kb.as_markup()


def summary_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("budgets.btn.save"), callback_data=WizardCb(step=WizardStep.SAVE))
    _cancel(kb, rc)
    kb.adjust(2)
    return kb.as_markup()


def delete_kb(rc: RequestContext, budget_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("budgets.btn.confirm_delete"),
              callback_data=BudgetCb(action=BudgetAction.CONFIRM_DELETE, id=budget_id))
    kb.button(text=rc.t("budgets.btn.cancel"),
              callback_data=BudgetCb(action=BudgetAction.OPEN, id=budget_id))
    kb.adjust(2)
    return kb.as_markup()
