"""Engine and session factory; SQLite gets WAL, foreign keys and a busy timeout, PostgreSQL
runs without JIT compilation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.db import casefold, writers
from core.security.files import make_private

__all__ = ["create_engine", "session_factory"]


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; on SQLite every connection is set up for concurrent use."""
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        # how long a writer waits for SQLite's one write lock before "database is locked"
        # (imports write in short transactions; the bot retries a handler that still fails)
        busy_ms = int(float(kwargs.setdefault("connect_args", {}).setdefault("timeout", 30))
                      * 1000)
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={busy_ms}")
            cur.close()
            casefold.register(dbapi_conn)  # lower() in every alphabet (core.db.casefold)

        writers.watch(engine)  # who waits for the write lock (core.db.writers)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # PostgreSQL's JIT compiles a plan to machine code when its cost estimate is high (any
    # scan of a big cost_lines table): ~1.4 s of compiling for a query that then runs in
    # less; our queries are short aggregates read once, so the compile never pays back
    settings = kwargs.setdefault("connect_args", {}).setdefault("server_settings", {})
    settings.setdefault("jit", "off")
    # a streamed result (server-side cursor) is planned for its first 10 % by default, which
    # picks slower plans for the whole; ours are always read to the end
    settings.setdefault("cursor_tuple_fraction", "1")
    return create_async_engine(url, **kwargs)


def _private_sqlite_file(url: str) -> None:
    """The database holds costs and encrypted credentials: create it 0600 before SQLite does
    (its -wal/-shm then get the same mode) and tighten one that others can read."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        make_private(Path(database))


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
