"""Allocation buttons: an action and a rule id (re-loaded in the caller's org by the service)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["AllocAction", "AllocCb"]


class AllocAction(StrEnum):
    LIST = "list"
    OPEN = "open"
    NEW = "new"
    TEAM = "team"
    MATCH = "match"
    DELETE = "delete"
    ACCEPT = "accept"
    REJECT = "reject"
    CANCEL = "cancel"


class AllocCb(CallbackData, prefix="alc"):
    action: AllocAction
    id: int = 0
