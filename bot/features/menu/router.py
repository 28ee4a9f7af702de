"""Menu router: /menu and its buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from bot.features.menu import handlers as h
from bot.features.menu.callbacks import MenuAction, MenuCb
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(h.cmd_menu, Command("menu"))
    viewer = RoleFilter(Role.VIEWER)
    router.callback_query.register(h.on_menu_home, MenuCb.filter(F.action == MenuAction.MENU),
                                   viewer)
    router.callback_query.register(h.on_menu_connections,
                                   MenuCb.filter(F.action == MenuAction.CONNECTIONS), viewer)
    router.callback_query.register(h.on_menu_connect,
                                   MenuCb.filter(F.action == MenuAction.CONNECT),
                                   RoleFilter(Role.ADMIN))
    return router
