"""Callback data of alert buttons: an action and an event id, never trusted (re-loaded by org)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["AlertAction", "AlertCallback"]


class AlertAction(StrEnum):
    DETAILS = "d"
    ACK = "a"
    SNOOZE = "s"
    PLANNED = "p"
    EXPECTED = "e"


class AlertCallback(CallbackData, prefix="al"):
    action: AlertAction
    id: int
