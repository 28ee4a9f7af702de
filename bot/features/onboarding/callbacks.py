"""Callback data of onboarding buttons: short prefixes, values validated again on arrival."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["CurrencyCb", "LangCb", "OnbAction", "OnbCb", "TzCb"]


class OnbAction(StrEnum):
    CREATE = "create"
    DEMO = "demo"
    JOIN = "join"


class LangCb(CallbackData, prefix="lang"):
    code: str


class OnbCb(CallbackData, prefix="onb"):
    action: OnbAction


class CurrencyCb(CallbackData, prefix="cur"):
    code: str


class TzCb(CallbackData, prefix="tz"):
    id: int
