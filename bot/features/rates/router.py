"""Rates router: /rates for every member; the set-a-rate flow for owner, admin and finance."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from bot.features.rates import handlers as h
from bot.features.rates.callbacks import RatesAction, RatesCb
from bot.features.rates.states import RatesInput
from bot.filters import RoleFilter
from core.domain.roles import Role
from core.services.currency import RATE_EDITORS

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")


def setup() -> Router:
    router = Router(name=__name__)
    editor = RoleFilter(RATE_EDITORS)
    router.message.register(h.cmd_rates, Command("rates"), RoleFilter(Role.VIEWER))
    router.callback_query.register(h.on_cancel, RatesCb.filter(F.action == RatesAction.CANCEL))
    router.callback_query.register(h.on_set, RatesCb.filter(F.action == RatesAction.SET), editor)
    router.callback_query.register(h.on_currency, RatesInput.currency,
                                   RatesCb.filter(F.action == RatesAction.CURRENCY), editor)
    router.message.register(h.on_currency_text, RatesInput.currency, _TEXT, editor)
    router.message.register(h.on_rate_text, RatesInput.rate, _TEXT, editor)
    router.callback_query.register(h.on_since, RatesInput.since,
                                   RatesCb.filter(F.action == RatesAction.FROM), editor)
    router.message.register(h.on_since_text, RatesInput.since, _TEXT, editor)
    return router
