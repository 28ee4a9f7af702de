"""Admin inputs."""

from aiogram.fsm.state import State, StatesGroup

__all__ = ["AdminInput"]


class AdminInput(StatesGroup):
    resolve_note = State()
    broadcast_confirm = State()
