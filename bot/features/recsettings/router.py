"""Recommendation rules router: /recrules for everyone in the org, switches for finance and up."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command

from bot.features.recsettings import handlers as h
from bot.features.recsettings.callbacks import RuleToggleCb
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(h.cmd_rules, Command("recrules"), RoleFilter(Role.VIEWER))
    router.callback_query.register(h.on_toggle, RuleToggleCb.filter(), RoleFilter(Role.FINANCE))
    return router
