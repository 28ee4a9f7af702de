"""Onboarding keyboards; the time-zone list is shared with /settings."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.features.onboarding.callbacks import CurrencyCb, LangCb, OnbAction, OnbCb, TzCb
from renderers.i18n import LANGUAGES, t

__all__ = ["COMMON_CURRENCIES", "COMMON_TIMEZONES", "choose_kb", "currency_kb", "language_kb",
           "timezone_kb"]

COMMON_CURRENCIES = ("RUB", "USD", "EUR", "KZT", "BYN", "CNY")
COMMON_TIMEZONES = ("Europe/Moscow", "Europe/Kaliningrad", "Europe/Samara",
                    "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Krasnoyarsk",
                    "Asia/Vladivostok", "Asia/Almaty", "Europe/Minsk", "UTC")


def language_kb() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in LANGUAGES:
        kb.button(text=t(f"bot.language_name.{code}", code), callback_data=LangCb(code=code))
    return kb.as_markup()


def choose_kb(lang: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t("onboarding.btn_create", lang), callback_data=OnbCb(action=OnbAction.CREATE))
    kb.button(text=t("onboarding.btn_join", lang), callback_data=OnbCb(action=OnbAction.JOIN))
    kb.button(text=t("onboarding.btn_demo", lang), callback_data=OnbCb(action=OnbAction.DEMO))
    kb.adjust(1)
    return kb.as_markup()


def currency_kb() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in COMMON_CURRENCIES:
        kb.button(text=code, callback_data=CurrencyCb(code=code))
    kb.adjust(3)
    return kb.as_markup()


def timezone_kb() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for i, name in enumerate(COMMON_TIMEZONES):
        kb.button(text=name, callback_data=TzCb(id=i))
    kb.adjust(2)
    return kb.as_markup()
