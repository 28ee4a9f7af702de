"""FSM states of the connection wizard and of renaming."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup

__all__ = ["ConnectWizard", "RenameConnection"]


class ConnectWizard(StatesGroup):
    field = State()  # typing the value of one credentials field
    name = State()  # naming the connection
    failed = State()  # the test failed: retry or correct a field


class RenameConnection(StatesGroup):
    name = State()
