"""`h`: the bot harness (see tests/bot/harness.py for the API).

Bot tests are not about storage, so they run on SQLite only, each on a copy of one database
migrated once per session (`bot_engine`): a file copy instead of a migration per test.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.engine import create_engine
from core.db.migrate import upgrade
from core.security.vault import Vault
from tests.bot.harness import SUPERADMIN, BotHarness, running_bot


@pytest.fixture(scope="session")
async def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bot-template") / "template.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()
    return path


@pytest.fixture
async def bot_engine(migrated_template: Path, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh, migrated SQLite database (a copy of the session's template)."""
    target = tmp_path / "bot.db"
    shutil.copyfile(migrated_template, target)
    engine = create_engine(f"sqlite+aiosqlite:///{target}")
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def h(bot_engine: AsyncEngine, vault: Vault) -> AsyncIterator[BotHarness]:
    async with running_bot(bot_engine, vault, superadmin_ids=(SUPERADMIN,)) as harness:
        yield harness
