"""Free-text steps: a new rule's team and condition; a rule's new team or condition."""

from aiogram.fsm.state import State, StatesGroup

__all__ = ["RuleEdit", "RuleWizard"]


class RuleWizard(StatesGroup):
    team = State()
    match = State()


class RuleEdit(StatesGroup):
    team = State()
    match = State()
