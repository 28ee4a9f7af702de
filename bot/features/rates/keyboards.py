"""/rates keyboards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.rates.callbacks import RatesAction, RatesCb
from renderers.format import fmt_date

__all__ = ["cancel_kb", "currencies_kb", "from_kb", "overview_kb"]


def overview_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("rates.btn_set"), callback_data=RatesCb(action=RatesAction.SET))
    return kb.as_markup()


def _cancel(kb: InlineKeyboardBuilder, rc: RequestContext) -> None:
    kb.button(text=rc.t("rates.btn_cancel"), callback_data=RatesCb(action=RatesAction.CANCEL))


def currencies_kb(rc: RequestContext, codes: Sequence[str]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in codes:
        kb.button(text=code, callback_data=RatesCb(action=RatesAction.CURRENCY, value=code))
    _cancel(kb, rc)
    kb.adjust(*([3] * ((len(codes) + 2) // 3)), 1)
    return kb.as_markup()


def from_kb(rc: RequestContext, day: date) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("rates.btn_from", day=fmt_date(day, rc.lang)),
              callback_data=RatesCb(action=RatesAction.FROM, value=day.isoformat()))
    _cancel(kb, rc)
    kb.adjust(1)
    return kb.as_markup()


def cancel_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    _cancel(kb, rc)
    return kb.as_markup()
