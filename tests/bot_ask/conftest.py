"""Fixtures: the demo organisation on SQLite with a fixed `today`, seeded once per session and
copied into each test's own database file (seeding takes most of a second)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.db.engine import create_engine, session_factory
from core.security.vault import Vault
from core.services.demo import seed_demo
from core.tasks import default_tasks
from tests.bot.harness import BotHarness, running_bot
from tests.support.db import fresh_database

TODAY = date(2026, 11, 22)
KEY = b"kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="  # the `vault` fixture's key


@dataclass
class Demo:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    org_id: int


@pytest.fixture(scope="session")
async def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    vault = Vault([KEY])
    folder = tmp_path_factory.mktemp("demo")
    async with (fresh_database("sqlite", folder, None) as engine,
                session_factory(engine)() as session):
        summary = await seed_demo(session, vault, today=TODAY)
        await session.commit()
    return folder / "test.db", summary.org_id


@pytest.fixture
async def demo(demo_template: tuple[Path, int], tmp_path: Path) -> AsyncIterator[Demo]:
    source, org_id = demo_template
    target = tmp_path / "demo.db"
    shutil.copyfile(source, target)
    engine = create_engine(f"sqlite+aiosqlite:///{target}")
    try:
        yield Demo(engine, session_factory(engine), org_id)
    finally:
        await engine.dispose()


NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
async def hd(demo: Demo) -> AsyncIterator[BotHarness]:
    """The bot over the demo organisation, with the clock at 22 November 2026, 12:00 Moscow."""
    async with running_bot(demo.engine, Vault([KEY]), clock=FrozenClock(NOW),
                           throttle=(1000, 1)) as harness:
        try:
            yield harness
        finally:
            await default_tasks().wait_all()  # charts and syncs still drawing or syncing
