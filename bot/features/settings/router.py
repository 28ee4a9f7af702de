"""Settings router: /settings, its buttons, and the two free-text inputs."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from bot.features.onboarding.callbacks import TzCb
from bot.features.settings import handlers as h
from bot.features.settings.callbacks import SetCb
from bot.features.settings.states import SettingsInput

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(h.cmd_settings, Command("settings"))
    router.callback_query.register(h.on_setting, SetCb.filter())
    router.message.register(h.on_timezone, SettingsInput.timezone, _TEXT)
    router.callback_query.register(h.on_timezone, SettingsInput.timezone, TzCb.filter())
    router.message.register(h.on_quiet_text, SettingsInput.quiet, _TEXT)
    return router
