"""The create-an-organisation wizard."""

from aiogram.fsm.state import State, StatesGroup

__all__ = ["CreateOrg"]


class CreateOrg(StatesGroup):
    name = State()
    currency = State()
    timezone = State()
