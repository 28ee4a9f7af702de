"""Fallback router: included last by `bot.routers`."""

from __future__ import annotations

from aiogram import F, Router

from bot.features.fallback import handlers as h
from bot.features.fallback.callbacks import FallbackCb

__all__ = ["setup"]


def setup() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(h.on_button, FallbackCb.filter())
    router.message.register(h.unknown_command, F.text.startswith("/"))
    router.message.register(h.unknown_text)
    router.callback_query.register(h.stale_button)
    return router
