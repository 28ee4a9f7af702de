"""The main menu keyboard; onboarding shows it at the end of /start."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.menu.callbacks import MenuAction, MenuCb
from bot.features.questions.callbacks import AskCb
from core.domain.roles import Role
from core.services.ask.types import Intent

__all__ = ["MENU_INTENTS", "main_menu_kb"]

MENU_INTENTS = (Intent.SPEND, Intent.TOP, Intent.TREND, Intent.FORECAST, Intent.BUDGET,
                Intent.RESOURCES, Intent.RECOMMENDATIONS, Intent.ANOMALIES)


def main_menu_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    """Every question; connections for everyone, connecting a cloud for admins."""
    kb = InlineKeyboardBuilder()
    for intent in MENU_INTENTS:
        kb.button(text=rc.t(f"menu.btn.{intent.value}"), callback_data=AskCb(intent=intent))
    kb.button(text=rc.t("menu.btn.connections"),
              callback_data=MenuCb(action=MenuAction.CONNECTIONS))
    if rc.has_role(Role.ADMIN) and not rc.is_demo:
        kb.button(text=rc.t("menu.btn.connect"), callback_data=MenuCb(action=MenuAction.CONNECT))
    kb.adjust(2)
    return kb.as_markup()
