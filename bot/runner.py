"""Runs the bot: long polling by default, a webhook server (aiogram's aiohttp integration) when
WEBHOOK_URL is set, plus the scheduler (syncs, outbox, digests) in the same process.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.commands import set_commands
from bot.delivery.sender import Sender, worker_id
from bot.factory import build_bot, build_dispatcher
from core.app import AppContext
from core.scheduler import SchedulerHandle, start_scheduler
from core.tasks import spawn

__all__ = ["run_bot", "signal_event", "start_background"]

log = logging.getLogger(__name__)


def start_background(ctx: AppContext, bot: Bot | None, *,
                     owner: str | None = None) -> SchedulerHandle:
    """The scheduler (syncs, alerts, digests, briefs) with the outbox sender of `bot`; without
    a bot the outbox job is left out and messages wait for a worker that has one."""
    owner = owner or worker_id()
    drain = Sender(bot, ctx.sessions, clock=ctx.clock, owner=owner).drain if bot else None
    return start_scheduler(ctx, owner=owner, drain=drain)


def signal_event() -> asyncio.Event:
    """An event set by SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def _run_webhook(ctx: AppContext, bot: Bot, dp: Dispatcher, stop: asyncio.Event) -> None:
    settings = ctx.settings
    assert settings.webhook_url is not None
    path = urlparse(settings.webhook_url).path or "/webhook"
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path=path)
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    try:
        await bot.set_webhook(settings.webhook_url, secret_token=secret,
                              allowed_updates=dp.resolve_used_update_types())
        log.info("webhook %s listening on %s:%s%s", settings.webhook_url,
                 settings.webhook_host, settings.webhook_port, path)
        await stop.wait()
    finally:
        await runner.cleanup()


async def _run_polling(bot: Bot, dp: Dispatcher, stop: asyncio.Event) -> None:
    await bot.delete_webhook(drop_pending_updates=False)
    polling = spawn(dp.start_polling(bot, handle_signals=False,
                                     allowed_updates=dp.resolve_used_update_types()),
                    name="polling")
    waiter = spawn(stop.wait(), name="polling-stop")
    await asyncio.wait({polling, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if not polling.done():
        await dp.stop_polling()
    waiter.cancel()
    await polling


async def run_bot(ctx: AppContext, *, stop: asyncio.Event | None = None,
                  scheduler: bool = True) -> None:
    """The bot (and the scheduler) until `stop` is set, by default on SIGINT/SIGTERM."""
    stop = stop or signal_event()
    bot = build_bot(ctx.settings)
    dp = build_dispatcher(ctx)
    handle = None
    try:
        me = await bot.get_me()
        log.info("bot @%s starting (%s)", me.username,
                 "webhook" if ctx.settings.webhook_url else "long polling")
        await set_commands(bot, ctx.settings.default_language)
        handle = start_background(ctx, bot) if scheduler else None
        if ctx.settings.webhook_url:
            await _run_webhook(ctx, bot, dp, stop)
        else:
            await _run_polling(bot, dp, stop)
    finally:
        if handle is not None:
            handle.shutdown()
        await dp.storage.close()
        await bot.session.close()
