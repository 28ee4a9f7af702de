"""Commit the update's transaction before the bot says anything (request-side middleware).

A handler writes ("demo opened", "budget saved"), then replies; the DB middleware used to commit
only after the handler returned, so the user could read the reply and act on it before the state
it announces existed for anyone else. Installed on the Bot's session, this middleware commits the
handling update's session (see `bot.update_scope`) before every method that changes what the user
sees, and records that the update has spoken (a locked-database retry must not repeat a reply).
Read-only methods (`get*`) pass straight through; outside an update (jobs, the outbox sender)
there is no scope and nothing happens.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.update_scope import current_scope

__all__ = ["CommitBeforeSendMiddleware"]

_SPEAKS = ("Send", "Edit", "Answer", "Copy", "Forward", "SetMessageReaction")


class CommitBeforeSendMiddleware(BaseRequestMiddleware):
    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        scope = current_scope()
        name = type(method).__name__
        if scope is not None and not name.startswith("Get"):
            if scope.session.in_transaction():
                await scope.session.commit()
            if name.startswith(_SPEAKS):
                scope.sent = True
        return await make_request(bot, method)
