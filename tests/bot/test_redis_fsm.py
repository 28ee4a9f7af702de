"""Two bot replicas share wizard state through Redis (REDIS_URL), as in the scaled topology."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.fsm_storage import ResilientRedisStorage
from core.security.vault import Vault
from tests.bot.harness import running_bot
from tests.support.redis import RedisServer, start_redis


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    env_url = os.environ.get("INFRAZEN_TEST_REDIS_URL")
    if env_url:
        yield env_url
        return
    server: RedisServer | None = None
    try:
        server = start_redis()
    except RuntimeError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true: {exc}")
        pytest.skip(f"Redis not available on this machine (required under CI=true): {exc}")
    try:
        yield server.url
    finally:
        server.stop()


async def test_a_wizard_started_on_one_replica_continues_on_another(
        bot_engine: AsyncEngine, vault: Vault, redis_url: str) -> None:
    async with running_bot(bot_engine, vault, REDIS_URL=redis_url) as first, \
            running_bot(bot_engine, vault, REDIS_URL=redis_url) as second:
        assert isinstance(first.dp.storage, ResilientRedisStorage)
        assert isinstance(first.dp.storage.primary, RedisStorage)
        alice_a = first.client(4242, language_code="ru")
        await alice_a.send("/start")
        await alice_a.click("🇷🇺 Русский")
        await alice_a.click("🏢 Создать организацию")
        assert "Как называется организация" in alice_a.last_reply().text
        # The next message lands on the other replica: it must know where the wizard is.
        alice_b = second.client(4242, language_code="ru")
        await alice_b.send("ООО Реплика")
        assert "RUB" in alice_b.last_reply().button_texts()
        await first.dp.storage.close()
        await second.dp.storage.close()


async def test_a_redis_outage_keeps_the_bot_answering_and_wizards_going(
        bot_engine: AsyncEngine, vault: Vault, caplog: pytest.LogCaptureFixture) -> None:
    """aiogram reads FSM state on every update: without the fallback an outage is silence."""
    try:
        server = start_redis()
    except RuntimeError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true: {exc}")
        pytest.skip(f"Redis not available on this machine (required under CI=true): {exc}")
    async with running_bot(bot_engine, vault, REDIS_URL=server.url) as bot:
        alice = bot.client(5151, language_code="ru")
        await alice.send("/start")
        await alice.click("🇷🇺 Русский")
        server.stop()
        with caplog.at_level(logging.WARNING, logger="bot.fsm_storage"):
            await alice.click("🏢 Создать организацию")
            assert "Как называется организация" in alice.last_reply().text
            await alice.send("ООО Без Редиса")
            await alice.click("RUB")
            await alice.click("Europe/Moscow")
        assert "Организация «ООО Без Редиса» создана" in alice.replies()[-2].text
        storage = bot.dp.storage
        assert isinstance(storage, ResilientRedisStorage)
        assert storage.degraded
        outages = [r for r in caplog.records
                   if r.name == "bot.fsm_storage" and "unavailable" in r.getMessage()]
        assert len(outages) == 1  # logged once per outage, not per update
        await storage.close()
