"""Budget buttons: an action and a budget id (never trusted: the core service re-loads it in the
caller's organisation), and the wizard's steps with a short value (an index or a code)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["BudgetAction", "BudgetCb", "WizardCb", "WizardStep"]


class BudgetAction(StrEnum):
    LIST = "list"
    OPEN = "open"
    NEW = "new"
    AMOUNT = "amount"  # asks for a new amount
    PERIOD = "period"  # shows the periods; with `value`: sets it
    THRESHOLDS = "thr"  # asks for thresholds; with `value` "default": sets 50/80/100
    DESTINATION = "dest"  # shows destinations; with `value`: sets it
    DELETE = "delete"
    CONFIRM_DELETE = "confirm"


class BudgetCb(CallbackData, prefix="bdg"):
    action: BudgetAction
    id: int = 0
    value: str = ""


class WizardStep(StrEnum):
    SCOPE = "scope"  # value: the scope kind
    VALUE = "value"  # value: index into the offered choices
    PERIOD = "period"  # value: month / quarter / year
    THRESHOLDS = "thr"  # value: "default" or "other"
    DESTINATION = "dest"  # value: "me", "default" or an index into the bound groups
    SAVE = "save"
    CANCEL = "cancel"


class WizardCb(CallbackData, prefix="bdw"):
    step: WizardStep
    value: str = ""
