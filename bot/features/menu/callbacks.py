"""Menu buttons that are not questions (questions use `AskCb` directly)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["MenuAction", "MenuCb"]


class MenuAction(StrEnum):
    MENU = "menu"
    CONNECTIONS = "connections"
    CONNECT = "connect"


class MenuCb(CallbackData, prefix="menu"):
    action: MenuAction
