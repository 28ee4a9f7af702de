"""Admin router: every handler behind `SuperadminFilter`, which fails silently for others.

One registration per `/admin` subcommand and per panel button; the gate sits on the router's
observers, so no registration here can be reached without it.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallbackType
from aiogram.filters import Command

from bot.features.admin import handlers as h
from bot.features.admin.callbacks import AdminAction, AdminCb
from bot.features.admin.filters import Subcommand
from bot.features.admin.states import AdminInput
from bot.filters import SuperadminFilter

__all__ = ["SUBCOMMANDS", "setup"]

SUBCOMMANDS: tuple[tuple[str, CallbackType], ...] = (
    ("", h.show_panel),
    ("users", h.find_users),
    ("orgs", h.find_orgs),
    ("as", h.act_as),
    ("exit", h.exit_support),
    ("unrecognized", h.show_unrecognized),
    ("resolve", h.resolve),
    ("broadcast", h.broadcast),
    ("reseed", h.reseed),
)

_BUTTONS: tuple[tuple[AdminAction, CallbackType], ...] = (
    (AdminAction.STATS, h.on_stats),
    (AdminAction.UNRECOGNIZED, h.on_unrecognized),
    (AdminAction.RESOLVE, h.on_resolve),
    (AdminAction.RESEED, h.on_reseed),
    (AdminAction.EXIT, h.on_exit),
    (AdminAction.ACT_AS, h.on_act_as),
)


def setup() -> Router:
    router = Router(name=__name__)
    router.message.filter(SuperadminFilter())
    router.callback_query.filter(SuperadminFilter())
    for word, handler in SUBCOMMANDS:
        router.message.register(handler, Command("admin"), Subcommand(word))
    router.message.register(h.usage, Command("admin"))  # any other word
    router.callback_query.register(h.on_broadcast_ok, AdminInput.broadcast_confirm,
                                   AdminCb.filter(F.action == AdminAction.BROADCAST_OK))
    for action, handler in _BUTTONS:
        router.callback_query.register(handler, AdminCb.filter(F.action == action))
    router.message.register(h.on_resolve_note, AdminInput.resolve_note,
                            F.text & ~F.text.startswith("/"))
    return router
