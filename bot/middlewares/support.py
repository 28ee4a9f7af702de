"""Act-as-organisation for support: every action audited, every reply visibly marked.

`SupportMiddleware` (update side) writes an audit entry for each update a superadmin sends while
acting as an organisation and sets a context variable; `SupportMarkMiddleware` (request side, on
the Bot's session) prefixes the text of every message sent while that variable is set. Context
variables follow the update's task, so concurrent updates of other users are never marked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext
from core.services.audit import audit

__all__ = ["SupportMarkMiddleware", "SupportMiddleware", "support_mark"]

support_mark: ContextVar[str | None] = ContextVar("support_mark", default=None)


class SupportMiddleware(BaseMiddleware):
    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        rc: RequestContext = data["rc"]
        if not rc.support or rc.org is None:
            return await handler(event, data)
        assert isinstance(event, Update)
        what = (event.message.text if event.message and event.message.text else
                event.callback_query.data if event.callback_query else event.event_type)
        token = support_mark.set(rc.t("admin.support_mark", org=rc.org.name))
        try:
            return await handler(event, data)
        finally:
            support_mark.reset(token)
            # after the handler: a refused action is rolled back, its audit entry is not
            session: AsyncSession = data["session"]
            await audit(session, "support.action", org_id=rc.org.id,
                        actor_telegram_id=rc.user.telegram_id, as_superadmin=True,
                        input=(what or "")[:200])


class SupportMarkMiddleware(BaseRequestMiddleware):
    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        mark = support_mark.get()
        if mark:
            if isinstance(method, SendMessage | EditMessageText) and isinstance(method.text, str):
                method.text = f"{mark}\n{method.text}"
            elif isinstance(method, SendPhoto | SendDocument):
                method.caption = f"{mark}\n{method.caption or ''}".strip()
            elif isinstance(method, AnswerCallbackQuery) and method.text:
                method.text = f"{mark} {method.text}"[:200]
        return await make_request(bot, method)
