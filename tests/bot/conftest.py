"""`h`: the bot harness on SQLite (see tests/bot/harness.py for the API)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.security.vault import Vault
from tests.bot.harness import SUPERADMIN, BotHarness, running_bot


@pytest.fixture
async def h(sqlite_engine: AsyncEngine, vault: Vault) -> AsyncIterator[BotHarness]:
    async with running_bot(sqlite_engine, vault, superadmin_ids=(SUPERADMIN,)) as harness:
        yield harness
