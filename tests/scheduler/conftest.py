"""Job dependencies on a real database, a frozen clock and a loopback Beget fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.composition import default_adapters
from core.clock import FrozenClock
from core.db.engine import session_factory
from core.jobs.runtime import JobRuntime
from core.ports import Adapters
from core.security.vault import Vault
from tests.support.jobs import job_runtime

START = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


@dataclass
class Deps:
    sessions: async_sessionmaker[AsyncSession]
    vault: Vault
    http: httpx.AsyncClient
    clock: FrozenClock
    adapters: Adapters = field(default_factory=default_adapters)


@pytest.fixture
async def deps(engine: AsyncEngine, vault: Vault) -> AsyncIterator[Deps]:
    async with httpx.AsyncClient() as http:
        yield Deps(session_factory(engine), vault, http, FrozenClock(START))


@pytest.fixture
async def sqlite_deps(sqlite_engine: AsyncEngine, vault: Vault) -> AsyncIterator[Deps]:
    async with httpx.AsyncClient() as http:
        yield Deps(session_factory(sqlite_engine), vault, http, FrozenClock(START))


def runtime(deps: Deps, owner: str, **options: object) -> JobRuntime:
    return job_runtime(deps, owner, jitter=lambda _limit: 0.0, **options)
