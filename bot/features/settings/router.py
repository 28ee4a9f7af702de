"""Settings router: /settings, its buttons (the organisation's LLM switch for admins), and the
two free-text inputs."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallbackType
from aiogram.filters import Command

from bot.features.onboarding.callbacks import TzCb
from bot.features.settings import handlers as h
from bot.features.settings.callbacks import SetAction, SetCb
from bot.features.settings.states import SettingsInput
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")

# The caller's own preferences: one registration per button, no role needed (the menu and the
# language work before joining an organisation; notification settings refuse without one).
_OWN: tuple[tuple[SetAction, CallbackType], ...] = (
    (SetAction.MENU, h.on_settings_menu),
    (SetAction.LANG, h.ask_language),
    (SetAction.LANG_SET, h.on_language),
    (SetAction.TZ, h.ask_timezone),
    (SetAction.NOTIFY, h.on_notify),
    (SetAction.SEVERITY, h.on_severity),
    (SetAction.MODE, h.on_mode),
    (SetAction.QUIET, h.on_quiet),
    (SetAction.DIGEST, h.on_digest),
)


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(h.cmd_settings, Command("settings"))
    for action, handler in _OWN:
        router.callback_query.register(handler, SetCb.filter(F.action == action))
    # the organisation's LLM switch is for admins, checked before the handler runs
    router.callback_query.register(h.on_llm, SetCb.filter(F.action == SetAction.LLM),
                                   RoleFilter(Role.ADMIN))
    router.message.register(h.on_timezone, SettingsInput.timezone, _TEXT)
    router.callback_query.register(h.on_timezone, SettingsInput.timezone, TzCb.filter())
    router.message.register(h.on_quiet_text, SettingsInput.quiet, _TEXT)
    return router
