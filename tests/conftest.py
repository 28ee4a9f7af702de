"""Shared fixtures: `engine`/`session_maker` run each storage test on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db.engine import session_factory
from core.security.vault import Vault
from tests.support.db import fresh_database
from tests.support.postgres import PostgresServer, start_postgres

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FOCUS_DIR = SHARED / "data" / "focus"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str | None]:
    """A PostgreSQL URL for the session, or None (a failure under CI=true)."""
    env_url = os.environ.get("INFRAZEN_TEST_PG_URL")
    if env_url:
        yield env_url
        return
    server: PostgresServer | None = None
    try:
        server = start_postgres()
    except Exception as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true: {exc}")
        yield None
        return
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path,
                 pg_url: str | None) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty database; the test runs once per engine."""
    if request.param == "postgres" and pg_url is None:
        pytest.skip("PostgreSQL not available on this machine (required under CI=true)")
    async with fresh_database(request.param, tmp_path, pg_url) as eng:
        yield eng


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """SQLite only, for tests whose subject is not storage."""
    async with fresh_database("sqlite", tmp_path, None) as eng:
        yield eng


@pytest.fixture
def session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
def vault() -> Vault:
    return Vault([b"kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="])
