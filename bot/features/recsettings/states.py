"""Free-text steps: a new threshold value, and the "other" reason for a dismiss or snooze."""

from aiogram.fsm.state import State, StatesGroup

__all__ = ["RecSettingsInput"]


class RecSettingsInput(StatesGroup):
    threshold = State()  # data: kind, name
    reason = State()  # data: rec_id, dismiss
