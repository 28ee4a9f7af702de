"""Fixtures: the bot over the demo organisation (seeded once per session, copied per test)
with the clock frozen at 22 November 2026, and a fake Bot API that also records file names."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from core.clock import FrozenClock
from core.db.engine import create_engine, session_factory
from core.security.vault import Vault
from core.services.demo import seed_demo
from tests.bot import harness
from tests.bot.harness import BotHarness, running_bot
from tests.bot_reports.helpers import FileNameRecordingFake
from tests.support.db import fresh_database

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # 12:00 in Moscow, the demo's time zone
KEY = b"kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="


@pytest.fixture(scope="session")
async def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    folder = tmp_path_factory.mktemp("reports-demo")
    async with (fresh_database("sqlite", folder, None) as engine,
                session_factory(engine)() as session):
        summary = await seed_demo(session, Vault([KEY]), today=TODAY)
        await session.commit()
    return folder / "test.db", summary.org_id


@pytest.fixture
async def hd(demo_db: tuple[Path, int], tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotHarness]:
    """The production bot over a private copy of the demo database."""
    target = tmp_path / "demo.db"
    shutil.copyfile(demo_db[0], target)
    engine = create_engine(f"sqlite+aiosqlite:///{target}")
    monkeypatch.setattr(harness, "RecordingFakeBotApi", FileNameRecordingFake)
    try:
        async with running_bot(engine, Vault([KEY]), clock=FrozenClock(NOW),
                               throttle=(1000, 1)) as h:
            yield h
    finally:
        await engine.dispose()


@pytest.fixture
def demo_org_id(demo_db: tuple[Path, int]) -> int:
    return demo_db[1]
