"""The one place the bot is assembled, used by `infrazen run`, `infrazen chat`, tests and bench.

`build_bot(settings)` honours TELEGRAM_API_SERVER (a self-hosted or test Bot API server);
`build_dispatcher(ctx)` installs the middlewares in their fixed order and the feature routers
from `bot.routers`. The `AppContext` is workflow data (`app` in handlers).
"""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage

from bot.middlewares import (
    ContextMiddleware,
    DbSessionMiddleware,
    I18nMiddleware,
    ServiceErrorMiddleware,
    SupportMarkMiddleware,
    SupportMiddleware,
)
from bot.middlewares.commit import CommitBeforeSendMiddleware
from bot.middlewares.metrics import UpdateMetricsMiddleware
from bot.middlewares.throttling import build_throttling
from bot.ordering import OrderedDispatcher
from bot.routers import build_root_router
from core.app import AppContext
from core.settings import Settings

__all__ = ["MissingToken", "build_bot", "build_dispatcher", "build_storage"]


class MissingToken(RuntimeError):
    """BOT_TOKEN is not set."""


def build_bot(settings: Settings, *, token: str | None = None,
              session: BaseSession | None = None) -> Bot:
    """A Bot with HTML parse mode, pointed at TELEGRAM_API_SERVER when set.

    `session` replaces the HTTP session (`infrazen chat` prints instead of calling Telegram).
    """
    if token is None:
        if settings.bot_token is None:
            raise MissingToken("BOT_TOKEN")
        token = settings.bot_token.get_secret_value()
    if session is None:
        session = (AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_server))
                   if settings.telegram_api_server else AiohttpSession())
    session.middleware(SupportMarkMiddleware())
    session.middleware(CommitBeforeSendMiddleware())
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def build_storage(settings: Settings) -> BaseStorage:
    """FSM storage: memory by default, Redis (shared by replicas) when REDIS_URL is set, with a
    per-process fallback while Redis does not answer."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        from bot.fsm_storage import ResilientRedisStorage

        return ResilientRedisStorage(RedisStorage.from_url(settings.redis_url))
    return MemoryStorage()


def build_dispatcher(ctx: AppContext, *, storage: BaseStorage | None = None,
                     throttle: tuple[float, float] = (20, 10)) -> Dispatcher:
    """The dispatcher with middlewares (order matters) and every feature router.

    One chat's updates run one at a time in arrival order (`bot.ordering`); different chats run
    concurrently.

    `throttle` is (updates, seconds) per user; the benchmark raises it, production keeps it.
    With REDIS_URL the limit is shared by every replica (see bot.middlewares.throttling).
    """
    dp = OrderedDispatcher(storage=storage or build_storage(ctx.settings), app=ctx)
    dp.update.outer_middleware(UpdateMetricsMiddleware())  # first: counts, times every update
    throttling = build_throttling(*throttle, storage=dp.storage, redis_url=ctx.settings.redis_url)
    dp.update.outer_middleware(throttling)
    dp.shutdown.register(throttling.close)
    dp.update.outer_middleware(DbSessionMiddleware(ctx.sessions))
    dp.update.outer_middleware(ContextMiddleware())
    dp.update.outer_middleware(I18nMiddleware())
    dp.update.outer_middleware(SupportMiddleware())
    dp.update.outer_middleware(ServiceErrorMiddleware())
    dp.include_router(build_root_router())
    return dp
