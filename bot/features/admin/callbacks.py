"""Admin buttons."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["AdminAction", "AdminCb"]


class AdminAction(StrEnum):
    STATS = "stats"
    UNRECOGNIZED = "unrec"
    RESOLVE = "resolve"
    RESEED = "reseed"
    BROADCAST_OK = "bcast"
    EXIT = "exit"


class AdminCb(CallbackData, prefix="adm"):
    action: AdminAction
    id: int = 0
