"""The set-a-rate flow: which currency, how much, from which day (non-secret progress only)."""

from aiogram.fsm.state import State, StatesGroup

__all__ = ["RatesInput"]


class RatesInput(StatesGroup):
    currency = State()
    rate = State()
    since = State()
