"""Admin router: every handler behind `SuperadminFilter`, which fails silently for others."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from bot.features.admin import handlers as h
from bot.features.admin.callbacks import AdminAction, AdminCb
from bot.features.admin.states import AdminInput
from bot.filters import SuperadminFilter

__all__ = ["setup"]


def setup() -> Router:
    router = Router(name=__name__)
    router.message.filter(SuperadminFilter())
    router.callback_query.filter(SuperadminFilter())
    router.message.register(h.cmd_admin, Command("admin"))
    router.callback_query.register(h.on_broadcast_ok, AdminInput.broadcast_confirm,
                                   AdminCb.filter(F.action == AdminAction.BROADCAST_OK))
    router.callback_query.register(h.on_admin_button, AdminCb.filter())
    router.message.register(h.on_resolve_note, AdminInput.resolve_note,
                            F.text & ~F.text.startswith("/"))
    return router
