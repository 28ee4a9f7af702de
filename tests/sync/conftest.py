"""Fixtures for the sync tests: an org with one connection, and the fake connector registered."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.composition import default_adapters
from connectors import registry
from core.clock import FrozenClock
from core.db.models import Connection
from core.ports import Adapters
from core.security.vault import Vault
from core.services.orgs import create_org
from tests.support.db import fresh_database
from tests.sync.fake_connector import FakeConnector

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


@pytest.fixture
def fake_kind() -> Iterator[type[FakeConnector]]:
    """Registers `fake` in the registry for the test only."""
    registry.KINDS["fake"] = "tests.sync.fake_connector:FakeConnector"
    registry.connector_class.cache_clear()
    FakeConnector.queue.clear()
    FakeConnector.seen_windows.clear()
    try:
        yield FakeConnector
    finally:
        registry.KINDS.pop("fake", None)
        registry.connector_class.cache_clear()
        FakeConnector.queue.clear()


@dataclass
class Deps:
    sessions: async_sessionmaker[AsyncSession]
    vault: Vault
    http: httpx.AsyncClient
    clock: FrozenClock = field(default_factory=lambda: FrozenClock(NOW))
    adapters: Adapters = field(default_factory=default_adapters)


async def make_org_and_connection(sessions: async_sessionmaker[AsyncSession], vault: Vault,
                                  *, kind: str = "fake", name: str = "main",
                                  org_name: str = "Acme") -> tuple[int, int]:
    async with sessions() as session, session.begin():
        org = await create_org(session, org_name)
        conn = Connection(org_id=org.id, kind=kind, name=name,
                          credentials=vault.encrypt({"account": "acc-1", "token": "s3cr3t"}),
                          options={}, status="active")
        session.add(conn)
        await session.flush()
        return org.id, conn.id


async def add_connection(sessions: async_sessionmaker[AsyncSession], org_id: int, *,
                         kind: str = "focus", name: str = "second") -> int:
    """Another connection of an org made by `make_org_and_connection`; its id."""
    async with sessions() as session, session.begin():
        conn = Connection(org_id=org_id, kind=kind, name=name, credentials=b"", options={},
                          status="active")
        session.add(conn)
        await session.flush()
        return conn.id


@pytest.fixture(scope="module")
async def shared_sqlite(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    """One migrated SQLite file for a module of parsing tests (each test makes its own org)."""
    async with fresh_database("sqlite", tmp_path_factory.mktemp("shared"), None) as engine:
        yield engine


_orgs = iter(range(1, 10**6))


async def fresh_connection(engine: AsyncEngine, vault: Vault, kind: str) -> tuple[int, int]:
    """A new org with one connection of `kind` in a shared database."""
    from core.db.engine import session_factory

    return await make_org_and_connection(session_factory(engine), vault, kind=kind,
                                         org_name=f"Org {next(_orgs)}")
