"""Runs the bot: long polling by default, a webhook server (aiogram's aiohttp integration) when
WEBHOOK_URL is set, plus the scheduler (syncs, outbox, digests) in the same process, and the
health and metrics endpoints (`bot.ops`).

The webhook never runs without a secret: WEBHOOK_SECRET or one generated into a 0600 file
(`core.security.webhook_secret`). It is passed to setWebhook, and a request whose
X-Telegram-Bot-Api-Secret-Token header does not match gets 401 before anything is parsed,
dispatched or sent.
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import signal
from contextlib import suppress
from typing import Any
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.commands import set_commands
from bot.delivery.sender import Sender, worker_id
from bot.factory import build_bot, build_dispatcher
from bot.ops import OpsServer
from core.app import AppContext
from core.scheduler import Heartbeat, SchedulerHandle, start_scheduler
from core.security.webhook_secret import webhook_secret
from core.tasks import spawn
from core.workers import cpu_pool
from renderers.jobs import RENDERING

__all__ = ["SecretTokenRequestHandler", "freeze_startup_heap", "ops_server", "run_bot",
           "signal_event", "start_background"]

log = logging.getLogger(__name__)


def start_background(ctx: AppContext, bot: Bot | None, *,
                     owner: str | None = None) -> SchedulerHandle:
    """The scheduler (syncs, alerts, digests, briefs) with the outbox sender of `bot`; without
    a bot the outbox job is left out and messages wait for a worker that has one."""
    owner = owner or worker_id()
    drain = Sender(bot, ctx.sessions, clock=ctx.clock, owner=owner).drain if bot else None
    return start_scheduler(ctx, render=RENDERING, owner=owner, drain=drain)


def freeze_startup_heap() -> None:
    """Put what start-up built (modules, classes, aiogram's and SQLAlchemy's models: ~400,000
    objects) out of the cyclic GC's reach, once, before the first update.

    They live as long as the process, yet every full collection walked them all with the
    event loop stopped: 0.5-1.3 s on a busy 2-core machine, about once a minute at 3 answers/s,
    each holding up every answer in flight (bench_bot's three worst of 600). Frozen, a full
    collection walks only what was made since (15-190 ms there). Start-up garbage goes first.
    """
    gc.collect()
    gc.freeze()


def signal_event() -> asyncio.Event:
    """An event set by SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def ops_server(ctx: AppContext, heartbeat: Heartbeat | None) -> OpsServer:
    """The health and metrics endpoints for this process's database, Redis and scheduler."""
    return OpsServer(ctx.engine, ctx.sessions, redis_url=ctx.settings.redis_url,
                     heartbeat=heartbeat)


class SecretTokenRequestHandler(SimpleRequestHandler):
    """aiogram's webhook handler with the secret made mandatory.

    aiogram's own check accepts every request when no secret is configured, and compares
    `str`s (non-ASCII header values raise). This one refuses to be built without a secret
    and compares bytes in constant time, so a forged update gets 401 and nothing else.
    """

    def __init__(self, dispatcher: Dispatcher, bot: Bot, *, secret_token: str,
                 **data: Any) -> None:
        if not secret_token:
            raise ValueError("a webhook needs a secret token")
        super().__init__(dispatcher=dispatcher, bot=bot, secret_token=secret_token, **data)
        self._secret = secret_token.encode()

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        given = telegram_secret_token.encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self._secret)


async def _run_webhook(ctx: AppContext, bot: Bot, dp: Dispatcher, stop: asyncio.Event,
                       ops: OpsServer) -> None:
    settings = ctx.settings
    assert settings.webhook_url is not None
    path = urlparse(settings.webhook_url).path or "/webhook"
    secret = webhook_secret(settings)
    app = web.Application()
    SecretTokenRequestHandler(dp, bot, secret_token=secret).register(app, path=path)
    setup_application(app, dp, bot=bot)
    shared = settings.metrics_port == settings.webhook_port
    ops.add_routes(app, with_metrics=shared)  # /healthz for a load balancer in front
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    try:
        if not shared:
            await ops.start(settings.metrics_host, settings.metrics_port)
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
    ops: OpsServer | None = None
    try:
        me = await bot.get_me()
        log.info("bot @%s starting (%s)", me.username,
                 "webhook" if ctx.settings.webhook_url else "long polling")
        await set_commands(bot, ctx.settings.default_language)
        spawn(cpu_pool().warm(), name="chart workers")  # the first users' charts start warm
        handle = start_background(ctx, bot) if scheduler else None
        ops = ops_server(ctx, handle.heartbeat if handle is not None else None)
        freeze_startup_heap()
        if ctx.settings.webhook_url:
            await _run_webhook(ctx, bot, dp, stop, ops)
        else:
            await ops.start(ctx.settings.metrics_host, ctx.settings.metrics_port)
            await _run_polling(bot, dp, stop)
    finally:
        gc.unfreeze()  # the process is ending (or a test goes on): collect normally again
        if ops is not None:
            await ops.close()
        if handle is not None:
            handle.shutdown()
        await dp.storage.close()
        await bot.session.close()
