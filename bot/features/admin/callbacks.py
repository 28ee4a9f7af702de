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
    ACT_AS = "as"


class AdminCb(CallbackData, prefix="adm"):
    action: AdminAction
    id: int = 0
