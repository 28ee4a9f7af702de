"""Fixtures: the demo organisation seeded on SQLite with a fixed `today`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db.engine import session_factory
from core.security.vault import Vault
from core.services.demo import seed_demo

TODAY = date(2026, 11, 22)


@dataclass
class Demo:
    sessions: async_sessionmaker[AsyncSession]
    org_id: int


@pytest.fixture
async def demo(sqlite_engine: AsyncEngine, vault: Vault) -> AsyncIterator[Demo]:
    sessions = session_factory(sqlite_engine)
    async with sessions() as session:
        summary = await seed_demo(session, vault, today=TODAY)
        await session.commit()
    return Demo(sessions, summary.org_id)
