"""Fresh, migrated databases for tests on both engines."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.db.engine import create_engine
from core.db.migrate import upgrade

__all__ = ["drop_schema", "fresh_database"]


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


async def drop_schema(conn: AsyncConnection) -> None:
    """Drop every table and view of the models (and Alembic's record): a database to
    migrate from an old revision."""
    from core.db.base import Base

    await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    for table in reversed(Base.metadata.sorted_tables):
        kind = "VIEW" if table.info.get("view") else "TABLE"
        await conn.execute(text(f'DROP {kind} IF EXISTS "{table.name}"'))
