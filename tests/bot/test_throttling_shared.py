"""Flood control shared by bot replicas through Redis, and the local fallback when Redis dies.

The per-process limiter is covered by tests/bot/test_onboarding.py (one warning, then silence).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from aiogram.fsm.storage.memory import MemoryStorage
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.composition import open_app
from bot.factory import build_bot, build_dispatcher
from bot.middlewares.throttling import RedisLimiter, ThrottlingMiddleware, Verdict
from core.security.vault import Vault
from core.settings import load_settings
from tests.bot.harness import TOKEN, BotHarness, RecordingFakeBotApi, Reply, running_bot
from tests.support.fake_server import run_fake
from tests.support.redis import RedisServer, start_redis

SLOW_DOWN = "Слишком много сообщений"
THROTTLE_LOG = "bot.middlewares.throttling"


def _own_redis() -> RedisServer:
    try:
        return start_redis()
    except RuntimeError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true: {exc}")
        pytest.skip(f"Redis not available on this machine (required under CI=true): {exc}")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    env_url = os.environ.get("INFRAZEN_TEST_REDIS_URL")
    if env_url:
        yield env_url
        return
    server = _own_redis()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A server of this test's own, so that it can be stopped mid-test."""
    server = _own_redis()
    try:
        yield server
    finally:
        server.stop()


def _throttling(h: BotHarness) -> ThrottlingMiddleware:
    found = [m for m in h.dp.update.outer_middleware if isinstance(m, ThrottlingMiddleware)]
    assert len(found) == 1
    return found[0]


@asynccontextmanager
async def replica_with_memory_fsm(engine: AsyncEngine, vault: Vault, redis_url: str,
                                  throttle: tuple[float, float]) -> AsyncIterator[BotHarness]:
    """A replica counting floods in Redis while its wizard state lives elsewhere (memory).

    With the FSM in the same Redis, a dead Redis fails every update in aiogram's FSM middleware
    before the throttle runs; this isolates what the throttle itself does on an outage.
    """
    fake = RecordingFakeBotApi()
    async with run_fake(fake.app) as base_url:
        conf = load_settings(BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=base_url, REDIS_URL=redis_url)
        async with open_app(conf, migrate=False, engine=engine, vault=vault) as ctx:
            bot = build_bot(conf)
            dp = build_dispatcher(ctx, storage=MemoryStorage(), throttle=throttle)
            try:
                yield BotHarness(ctx, bot, dp, fake)
            finally:
                await dp.emit_shutdown()  # closes the throttle's own Redis client
                await bot.session.close()


async def test_two_replicas_together_allow_only_the_configured_rate(
        bot_engine: AsyncEngine, vault: Vault, redis_url: str) -> None:
    # a window that does not end within the test, so the counts do not depend on speed
    async with running_bot(bot_engine, vault, REDIS_URL=redis_url, throttle=(3, 3600)) as a, \
            running_bot(bot_engine, vault, REDIS_URL=redis_url, throttle=(3, 3600)) as b:
        try:
            assert _throttling(a).shared is not None
            assert _throttling(b).shared is not None
            on_a, on_b = a.client(5101), b.client(5101)
            first = [await on_a.send("/help"), await on_a.send("/help")]
            second = [await on_b.send("/help"), await on_b.send("/help")]
            assert all(r and not r[-1].text.startswith(SLOW_DOWN) for r in first + second[:1])
            assert [r.text for r in second[1]] == [
                "Слишком много сообщений подряд — подождите несколько секунд, "
                "я отвечу на следующие."]
            # then silence, on either replica
            assert await on_a.send("/help") == []
            assert await on_b.send("/help") == []
            assert [t for t in a.fake.sent_texts(5101) + b.fake.sent_texts(5101)
                    if t.startswith(SLOW_DOWN)] == [second[1][0].text]
            # other users have their own window
            other = await a.client(5102).send("/help")
            assert other[-1].text.startswith("<b>InfraZen</b>")
        finally:
            await a.dp.storage.close()
            await b.dp.storage.close()


async def test_a_callback_flood_is_answered_with_one_alert_across_replicas(
        bot_engine: AsyncEngine, vault: Vault, redis_url: str) -> None:
    async with running_bot(bot_engine, vault, REDIS_URL=redis_url, throttle=(1, 3600)) as a, \
            running_bot(bot_engine, vault, REDIS_URL=redis_url, throttle=(1, 3600)) as b:
        try:
            on_a, on_b = a.client(5201, language_code="en"), b.client(5201, language_code="en")
            await on_a.send("/start")
            await on_b.click_data("zzz:garbage")
            assert on_b.alerts() == ["Too many messages in a row: please wait a few seconds "
                                     "and I will answer the next ones."]
            await on_a.click_data("zzz:garbage")
            assert on_a.alerts() == []
        finally:
            await a.dp.storage.close()
            await b.dp.storage.close()


async def test_with_redis_stopped_mid_test_the_bot_keeps_answering(
        bot_engine: AsyncEngine, vault: Vault, private_redis: RedisServer,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=THROTTLE_LOG)
    async with replica_with_memory_fsm(bot_engine, vault, private_redis.url, (3, 3600)) as h:
        me = h.client(5301)
        for _ in range(2):
            assert (await me.send("/help"))[-1].text.startswith("<b>InfraZen</b>")
        private_redis.stop()
        # the shared count (2 of 3) is out of reach: this process limits on its own from now
        answers = [await me.send("/help") for _ in range(5)]
    assert [r[-1].text.startswith("<b>InfraZen</b>") for r in answers[:3]] == [True] * 3
    assert [r.text for r in answers[3]] == [
        "Слишком много сообщений подряд — подождите несколько секунд, я отвечу на следующие."]
    assert answers[4] == []
    outage = [r for r in caplog.records
              if r.name == THROTTLE_LOG and r.levelno == logging.WARNING]
    assert len(outage) == 1  # logged once, not per update
    assert "Redis unavailable" in outage[0].getMessage()


async def test_a_redis_that_hangs_does_not_hold_updates_back(
        bot_engine: AsyncEngine, vault: Vault, caplog: pytest.LogCaptureFixture) -> None:
    """A server that accepts connections and never answers: the throttle gives up, falls back."""
    held: list[asyncio.StreamWriter] = []

    async def swallow(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    caplog.set_level(logging.INFO, logger=THROTTLE_LOG)
    try:
        async with replica_with_memory_fsm(bot_engine, vault, f"redis://127.0.0.1:{port}/0",
                                           (2, 3600)) as h:
            _throttling(h).timeout = 0.2
            me = h.client(5401)
            answers = [await me.send("/help") for _ in range(4)]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
    assert [r[-1].text.startswith("<b>InfraZen</b>") for r in answers[:2]] == [True, True]
    assert answers[2][-1].text.startswith(SLOW_DOWN)
    assert answers[3] == []
    assert [r.levelno for r in caplog.records if r.name == THROTTLE_LOG] == [logging.WARNING]


def _restart(server: RedisServer) -> RedisServer:
    """The same server coming back (empty) on the same port after an outage."""
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    process = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port),
         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return RedisServer(server.url, process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"redis-server did not come back on port {port}")


async def test_the_limit_is_shared_again_once_redis_answers(
        bot_engine: AsyncEngine, vault: Vault, private_redis: RedisServer,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=THROTTLE_LOG)
    async with replica_with_memory_fsm(bot_engine, vault, private_redis.url, (2, 3600)) as h:
        _throttling(h).retry_after = 0  # ask Redis on every update, to see it come back
        _throttling(h).timeout = 30  # a stopped server refuses at once; a loaded machine is slow
        me = h.client(5501)
        before = [await me.send("/help")]
        private_redis.stop()
        during = [await me.send("/help") for _ in range(3)]  # the local bucket: 2, then warn
        back = _restart(private_redis)
        try:
            after = [await me.send("/help") for _ in range(4)]  # a fresh shared window
            async with Redis.from_url(back.url) as probe:
                shared_count = int(await probe.get(f"throttle:{h.bot.id}:5501") or 0)
        finally:
            back.stop()

    def kinds(answers: list[list[Reply]]) -> list[str]:
        return ["silence" if not r else "warn" if r[-1].text.startswith(SLOW_DOWN) else "answer"
                for r in answers]

    assert kinds(before) == ["answer"]
    assert kinds(during) == ["answer", "answer", "warn"]
    assert kinds(after) == ["answer", "answer", "warn", "silence"]
    assert shared_count == 4  # the count lives in Redis again
    levels = [r.levelno for r in caplog.records if r.name == THROTTLE_LOG]
    assert levels == [logging.WARNING, logging.INFO]  # the outage once, then its end


async def test_the_shared_window_ends_and_counts_afresh(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        limiter = RedisLimiter(client, rate=1, period=0.5)
        assert await limiter.check(8, 5601) is Verdict.PASS
        assert await limiter.check(8, 5601) is Verdict.WARN
        ttl = await client.pttl("throttle:8:5601")
        assert 0 < ttl <= 500
        await asyncio.sleep(0.6)
        assert await limiter.check(8, 5601) is Verdict.PASS
    finally:
        await client.delete("throttle:8:5601")
        await client.aclose()
