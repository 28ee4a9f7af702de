"""Buttons the fallback offers."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["FallbackAction", "FallbackCb"]


class FallbackAction(StrEnum):
    HELP = "help"
    START = "start"
    DEMO = "demo"


class FallbackCb(CallbackData, prefix="fb"):
    action: FallbackAction
