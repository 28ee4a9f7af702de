"""/rates buttons; `value` (a currency code or an ISO date) is re-validated on arrival."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["RatesAction", "RatesCb"]


class RatesAction(StrEnum):
    SET = "set"
    CURRENCY = "cur"
    FROM = "from"
    CANCEL = "cancel"


class RatesCb(CallbackData, prefix="rate"):
    action: RatesAction
    value: str = ""
