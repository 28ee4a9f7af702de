"""Fixtures for the security tests: the loopback `testcloud` provider, a bot on fresh SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.registry import KINDS, connector_class
from core.security.vault import Vault
from core.tasks import default_tasks
from tests.bot.harness import BotHarness, running_bot
from tests.bot_ask.fake_cloud import FakeCloudConnector, fake_provider
from tests.support.fake_server import run_fake


@pytest.fixture
async def cloud(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """Registers `testcloud` (login + secret API key) and serves its fake on loopback."""
    async with run_fake(fake_provider()) as url:
        monkeypatch.setitem(KINDS, "testcloud", "tests.bot_ask.fake_cloud:FakeCloudConnector")
        monkeypatch.setattr(FakeCloudConnector, "default_endpoint", url)
        connector_class.cache_clear()
        yield url
    connector_class.cache_clear()


@pytest.fixture
async def hb(sqlite_engine: AsyncEngine, vault: Vault) -> AsyncIterator[BotHarness]:
    """The production bot over a fresh SQLite database."""
    async with running_bot(sqlite_engine, vault, throttle=(1000, 1)) as harness:
        try:
            yield harness
        finally:
            await default_tasks().wait_all()
