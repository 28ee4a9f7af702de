"""Picks the reply language: the user's saved one, else Telegram's language_code, else the default.

aiogram's own `I18nMiddleware` is gettext-based; our catalogues are JSON (`renderers.i18n`), so
this middleware only decides the language and stores it on the request context.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TgUser

from bot.context import RequestContext
from bot.i18n import resolve_language

__all__ = ["I18nMiddleware"]


class I18nMiddleware(BaseMiddleware):
    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        rc: RequestContext = data["rc"]
        tg_user: TgUser | None = data.get("event_from_user")
        rc.lang = self.get_locale(rc, tg_user.language_code if tg_user else None)
        return await handler(event, data)

    @staticmethod
    def get_locale(rc: RequestContext, telegram_code: str | None) -> str:
        return resolve_language(rc.user.language, telegram_code, rc.settings.default_language)
