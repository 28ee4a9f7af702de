"""Settings router: /settings, its buttons (the organisation's LLM switch for admins), and the
two free-text inputs."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from bot.features.onboarding.callbacks import TzCb
from bot.features.settings import handlers as h
from bot.features.settings.callbacks import SetAction, SetCb
from bot.features.settings.states import SettingsInput
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(h.cmd_settings, Command("settings"))
    # the caller's own preferences; the organisation's LLM switch is for admins, on its own
    # registration so the role is checked before the handler runs
    router.callback_query.register(h.on_setting, SetCb.filter(F.action != SetAction.LLM))
    router.callback_query.register(h.on_llm, SetCb.filter(F.action == SetAction.LLM),
                                   RoleFilter(Role.ADMIN))
    router.message.register(h.on_timezone, SettingsInput.timezone, _TEXT)
    router.callback_query.register(h.on_timezone, SettingsInput.timezone, TzCb.filter())
    router.message.register(h.on_quiet_text, SettingsInput.quiet, _TEXT)
    return router
