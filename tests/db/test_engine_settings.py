"""How the app's engine sets up each database connection."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_postgres_runs_without_jit_and_sqlite_with_wal_and_foreign_keys(
        engine: AsyncEngine) -> None:
    """PostgreSQL's JIT spent ~1.4 s compiling each big cost_lines aggregate at 10M lines,
    and a cursor's plan for its first rows made the alert scan's streamed reads slower;
    SQLite needs WAL (readers beside the writer) and foreign keys (cascades) on every
    connection."""
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            assert (await conn.execute(text("SHOW jit"))).scalar_one() == "off"
            # streamed per-resource reads are planned for all their rows, not the first 10 %
            assert (await conn.execute(text("SHOW cursor_tuple_fraction"))).scalar_one() == "1"
        else:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
