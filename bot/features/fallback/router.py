"""Fallback router: included last by `bot.routers`."""

from __future__ import annotations

from aiogram import F, Router

from bot.features.fallback import handlers as h
from bot.features.fallback.callbacks import FallbackAction, FallbackCb

__all__ = ["setup"]


def setup() -> Router:
    router = Router(name=__name__)
    for action, handler in ((FallbackAction.HELP, h.on_help_button),
                            (FallbackAction.START, h.on_start_button),
                            (FallbackAction.DEMO, h.on_demo_button)):
        router.callback_query.register(handler, FallbackCb.filter(F.action == action))
    router.message.register(h.unknown_command, F.text.startswith("/"))
    router.message.register(h.unknown_text)
    router.callback_query.register(h.stale_button)
    return router
