"""Turns a core `ServiceError` (not found, forbidden, demo, last owner …) into a polite reply.

The session is rolled back first, so a refused action changes nothing. The reply text is
`bot.errors.<code>` in the caller's language; a code without a message falls back to the
generic one. Only expected service errors are handled here; bugs still reach aiogram's logs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from core.services.errors import ServiceError
from renderers.i18n import catalogue

__all__ = ["ServiceErrorMiddleware", "error_text"]

log = logging.getLogger(__name__)


def error_text(exc: ServiceError, lang: str) -> str:
    key = f"bot.errors.{exc.code}"
    messages = catalogue(lang)
    return messages.get(key) or messages["bot.errors.error"]


class ServiceErrorMiddleware(BaseMiddleware):
    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except ServiceError as exc:
            session: AsyncSession = data["session"]
            await session.rollback()
            rc: RequestContext = data["rc"]
            log.info("refused %s for user %s: %s", exc.code, rc.user.telegram_id, exc.detail)
            text = error_text(exc, rc.lang)
            assert isinstance(event, Update)
            if event.callback_query is not None:
                await event.callback_query.answer(text, show_alert=True)
            elif event.message is not None:
                await event.message.answer(text)
            return None
