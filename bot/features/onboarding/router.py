"""Onboarding router: /start (+ invite links), language, the create-org wizard, /demo, /help."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart

from bot.features.onboarding import handlers as h
from bot.features.onboarding.callbacks import CurrencyCb, LangCb, OnbAction, OnbCb, TzCb
from bot.features.onboarding.states import CreateOrg

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(h.cmd_start, CommandStart(), F.chat.type == "private")
    router.message.register(h.cmd_demo, Command("demo"))
    router.message.register(h.cmd_help, Command("help"))
    router.callback_query.register(h.choose_language, LangCb.filter())
    # the first screen's buttons, one registration each; no role: no organisation yet
    for action, handler in ((OnbAction.CREATE, h.on_create_org), (OnbAction.DEMO, h.on_open_demo),
                            (OnbAction.JOIN, h.on_join_hint)):
        router.callback_query.register(handler, OnbCb.filter(F.action == action))
    router.message.register(h.got_name, CreateOrg.name, _TEXT)
    router.message.register(h.choose_currency, CreateOrg.currency, _TEXT)
    router.callback_query.register(h.choose_currency, CreateOrg.currency, CurrencyCb.filter())
    router.message.register(h.choose_timezone, CreateOrg.timezone, _TEXT)
    router.callback_query.register(h.choose_timezone, CreateOrg.timezone, TzCb.filter())
    return router
