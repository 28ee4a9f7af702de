"""Forged webhook updates: the real webhook server (`run_bot` in webhook mode) on loopback,
talking to the fake Bot API, attacked with posts that claim to be a superadmin."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import stat
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Dispatcher

from bot.composition import open_app
from bot.factory import build_bot
from bot.runner import SecretTokenRequestHandler, run_bot
from core.security.vault import Vault
from core.security.webhook_secret import load_or_create_secret
from core.settings import SettingsError, load_settings
from core.tasks import spawn
from tests.bot.harness import SUPERADMIN, TOKEN, RecordingFakeBotApi
from tests.support.fake_server import run_fake

HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET = "right-secret_0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _message(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": user_id, "type": "private", "first_name": "Ann"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": "en"}}}


async def _until(condition: Any, what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Webhook:
    fake: RecordingFakeBotApi
    url: str
    port: int

    def secret_sent(self) -> str:
        return str(self.fake.calls_of("setWebhook")[-1].params["secret_token"])


@asynccontextmanager
async def webhook_bot(engine: Any, vault: Vault, db_dir: Path,
                      **env: Any) -> AsyncIterator[Webhook]:
    """`run_bot` in webhook mode (no scheduler) until the block ends."""
    fake = RecordingFakeBotApi()
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/tg/hook"
    async with run_fake(fake.app) as api:
        settings = load_settings(
            BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=api, WEBHOOK_URL=hook, WEBHOOK_PORT=port,
            SUPERADMIN_IDS=str(SUPERADMIN), METRICS_PORT=0,
            DATABASE_URL=f"sqlite+aiosqlite:///{db_dir / 'infrazen.db'}", **env)
        async with open_app(settings, migrate=False, engine=engine, vault=vault) as ctx:
            stop = asyncio.Event()
            task = spawn(run_bot(ctx, stop=stop, scheduler=False))
            try:
                await _until(lambda: bool(fake.calls_of("setWebhook")) or task.done(),
                             "setWebhook")
                if task.done():
                    task.result()
                yield Webhook(fake, hook, port)
            finally:
                stop.set()
                await task


async def test_forged_admin_updates_get_401_and_cause_no_bot_api_call(
        sqlite_engine: Any, vault: Vault, tmp_path: Path) -> None:
    async with webhook_bot(sqlite_engine, vault, tmp_path, WEBHOOK_SECRET=SECRET) as hook, \
            aiohttp.ClientSession() as http:
        fake = hook.fake
        assert hook.secret_sent() == SECRET
        # a real user exists, so a forged broadcast would have someone to reach
        first = await http.post(hook.url, json=_message(1, 501, "/start"),
                                headers={HEADER: SECRET})
        assert first.status == 200
        await _until(lambda: bool(fake.sent(501)), "the reply to /start")
        mark = len(fake.calls)

        forged = [_message(10, SUPERADMIN, "/admin"),
                  _message(11, SUPERADMIN, "/admin broadcast FORGED-BROADCAST")]
        statuses = []
        for update in forged:
            for headers in ({}, {HEADER: "wrong"}, {HEADER: SECRET + "x"}, {HEADER: ""},
                            {HEADER: SECRET[:-1]}):
                response = await http.post(hook.url, json=update, headers=headers)
                statuses.append(response.status)
                assert await response.text() == "Unauthorized"
        # a header that is not even ASCII is refused too (not a 500)
        raw = await http.post(hook.url, json=forged[0],
                              headers={HEADER: "sécret".encode().decode("latin-1")})
        statuses.append(raw.status)
        assert set(statuses) == {401}

        # a signed follow-up from the real user: once it is answered, anything the forged
        # updates had triggered would have been recorded too
        follow = await http.post(hook.url, json=_message(20, 501, "/help"),
                                 headers={HEADER: SECRET})
        assert follow.status == 200
        await _until(lambda: len(fake.sent(501)) >= 2, "the reply to /help")
        after = fake.calls[mark:]
        assert after, "the signed follow-up was answered"
        assert all(c.chat_id == 501 for c in after if c.chat_id is not None)
        assert not [c for c in after if c.chat_id == SUPERADMIN]
        assert not [c for c in fake.calls if "FORGED-BROADCAST" in c.text]

        # the very same /admin, signed, does reach the admin panel: the 401s were the secret
        signed = await http.post(hook.url, json=forged[0], headers={HEADER: SECRET})
        assert signed.status == 200
        await _until(lambda: bool(fake.sent(SUPERADMIN)), "the admin panel")


async def test_an_unset_secret_is_generated_kept_private_reused_and_never_logged(
        sqlite_engine: Any, vault: Vault, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    secret_file = data / "infrazen.webhook-secret"
    async with webhook_bot(sqlite_engine, vault, data, WEBHOOK_SECRET="") as hook, \
            aiohttp.ClientSession() as http:
        secret = hook.secret_sent()
        assert secret_file.read_text().strip() == secret
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        assert 1 <= len(secret) <= 256
        assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789_-")
        assert (await http.post(hook.url, json=_message(1, 501, "/start"))).status == 401
        ok = await http.post(hook.url, json=_message(2, 501, "/start"), headers={HEADER: secret})
        assert ok.status == 200
        await _until(lambda: bool(hook.fake.sent(501)), "the reply to /start")
    assert f"generated a webhook secret in {secret_file}" in caplog.text

    async with webhook_bot(sqlite_engine, vault, data, WEBHOOK_SECRET="") as again:
        assert again.secret_sent() == secret  # the next start (or a replica) agrees
    assert secret_file.read_text().strip() == secret
    assert [p.name for p in data.iterdir()] == ["infrazen.webhook-secret"]  # no temp files
    assert secret not in caplog.text
    assert not [r for r in caplog.records if secret in r.getMessage()]


def test_replicas_starting_at_once_agree_on_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "infrazen.webhook-secret"
    results: list[tuple[str, bool]] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        results.append(load_or_create_secret(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({value for value, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert os.listdir(path.parent) == ["infrazen.webhook-secret"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_webhook_handler_cannot_be_built_without_a_secret() -> None:
    settings = load_settings(BOT_TOKEN=TOKEN)
    bot = build_bot(settings)
    with pytest.raises(ValueError, match="secret"):
        SecretTokenRequestHandler(Dispatcher(), bot, secret_token="")


def test_a_secret_telegram_would_refuse_fails_at_start_without_echoing_it() -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(WEBHOOK_SECRET="has spaces and ünïcode")
    assert str(err.value).startswith("WEBHOOK_SECRET:")
    assert "ünïcode" not in str(err.value)
    assert load_settings(WEBHOOK_SECRET="A" * 256).webhook_secret is not None
    with pytest.raises(SettingsError):
        load_settings(WEBHOOK_SECRET="A" * 257)
