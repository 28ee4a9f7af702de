"""Free-text steps of the budget wizard and of editing a budget."""

from aiogram.fsm.state import State, StatesGroup

__all__ = ["BudgetEdit", "BudgetWizard"]


class BudgetWizard(StatesGroup):
    scope = State()
    scope_value = State()  # a provider / project / … typed instead of picked, or a tag
    amount = State()
    period = State()
    thresholds = State()  # custom thresholds typed
    destination = State()
    confirm = State()


class BudgetEdit(StatesGroup):
    amount = State()
    thresholds = State()
