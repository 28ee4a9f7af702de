"""`run_bot`: real getUpdates long polling and a real webhook, both against the fake Bot API."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.composition import open_app
from bot.factory import build_bot
from bot.runner import run_bot, start_background
from core.security.vault import Vault
from core.settings import load_settings
from core.tasks import spawn
from tests.bot.harness import TOKEN, RecordingFakeBotApi
from tests.support.fake_server import run_fake

START = {"message": {"message_id": 1, "date": 1_700_000_000, "text": "/start",
                     "chat": {"id": 501, "type": "private", "first_name": "Ann"},
                     "from": {"id": 501, "is_bot": False, "first_name": "Ann",
                              "language_code": "en"}}}


async def _until(condition, limit: int = 200) -> None:
    for _ in range(limit):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot did not answer")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_polling_answers_a_queued_update_and_registers_commands(
        bot_engine: AsyncEngine, vault: Vault, tmp_path: Path) -> None:
    fake = RecordingFakeBotApi()
    async with run_fake(fake.app) as url:
        settings = load_settings(BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=url)
        async with open_app(settings, migrate=False, engine=bot_engine, vault=vault) as ctx:
            stop = asyncio.Event()
            task = spawn(run_bot(ctx, stop=stop, scheduler=False))
            fake.queue_update(START)
            await _until(lambda: bool(fake.sent(501)))
            stop.set()
            await task
    assert "Choose your language" in fake.sent_texts(501)[0]
    commands = fake.calls_of("setMyCommands")
    assert {c.params.get("language_code") for c in commands} == {"ru", "en", None}
    english = next(c for c in commands if c.params.get("language_code") == "en")
    assert {"command": "settings", "description": "Language, time zone, notifications"} in \
        english.params["commands"]
    russian = next(c for c in commands if c.params.get("language_code") == "ru")
    assert {"command": "rates", "description": "Exchange rates: see and set"} in \
        english.params["commands"]
    assert {"command": "rates", "description": "Курсы валют: посмотреть и задать"} in \
        russian.params["commands"]


async def test_webhook_mode_checks_the_secret_and_answers(
        bot_engine: AsyncEngine, vault: Vault) -> None:
    fake = RecordingFakeBotApi()
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/tg/hook"
    async with run_fake(fake.app) as url:
        settings = load_settings(BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=url, WEBHOOK_URL=hook,
                                 WEBHOOK_PORT=port, WEBHOOK_SECRET="s3cret")
        async with open_app(settings, migrate=False, engine=bot_engine, vault=vault) as ctx:
            stop = asyncio.Event()
            task = spawn(run_bot(ctx, stop=stop, scheduler=False))
            await _until(lambda: bool(fake.calls_of("setWebhook")))
            async with aiohttp.ClientSession() as http:
                bad = await http.post(hook, json={"update_id": 1, **START})
                good = await http.post(hook, json={"update_id": 2, **START},
                                       headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            await _until(lambda: bool(fake.sent(501)))
            stop.set()
            await task
    assert bad.status == 401
    assert good.status == 200
    assert len(fake.sent(501)) == 1
    assert fake.calls_of("setWebhook")[0].params["secret_token"] == "s3cret"


async def test_run_starts_the_scheduler_with_the_outbox_sender(
        bot_engine: AsyncEngine, vault: Vault) -> None:
    fake = RecordingFakeBotApi()
    async with run_fake(fake.app) as url:
        settings = load_settings(BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=url)
        async with open_app(settings, migrate=False, engine=bot_engine, vault=vault) as ctx:
            bot = build_bot(settings)
            handle = start_background(ctx, bot)
            try:
                assert handle is not None
                assert {"sync", "outbox"} <= set(handle.job_ids())
            finally:
                handle.shutdown()
                await bot.session.close()
