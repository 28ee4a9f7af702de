"""Fresh, migrated databases for tests on both engines."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.engine import create_engine
from core.db.migrate import upgrade

__all__ = ["fresh_database"]


@asynccontextmanager
async def fresh_database(kind: str, tmp_path: Path,
                         pg_url: str | None) -> AsyncIterator[AsyncEngine]:
    """An empty database migrated to head: a new SQLite file, or a new PostgreSQL database."""
    if kind == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        await upgrade(engine)
        try:
            yield engine
        finally:
            await engine.dispose()
        return
    assert pg_url is not None
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(pg_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
