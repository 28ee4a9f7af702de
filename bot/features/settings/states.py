"""Settings that take free text."""

from aiogram.fsm.state import State, StatesGroup

__all__ = ["SettingsInput"]


class SettingsInput(StatesGroup):
    timezone = State()
    quiet = State()
