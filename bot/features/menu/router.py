"""Menu router: /menu and its buttons."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command

from bot.features.menu import handlers as h
from bot.features.menu.callbacks import MenuCb
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(h.cmd_menu, Command("menu"))
    router.callback_query.register(h.on_menu, MenuCb.filter(), RoleFilter(Role.VIEWER))
    return router
