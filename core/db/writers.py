"""Which SQLite databases have a write statement of this process in flight: how a long writer
(a file import) knows that someone in this process is waiting for SQLite's one write lock.

SQLite's lock is not fair: a writer that finds it taken sleeps in its busy handler (up to
100 ms between tries), and a writer that begins its next transaction the moment it commits
wins nearly every race. An import that writes in many short transactions therefore has to
step aside now and then. Knowing when someone waits lets it step aside at once when someone
does (the bot's reply waits one import transaction, not several) and not at all when nobody
in the process does, instead of pausing on a timer either way (`core.services.focus_import`).
Writers in other processes (a CLI command on the same file) cannot be seen from here: the
import still steps aside for them on a timer, less often.

A statement counts from the moment it is sent until it ends (the first write of a transaction
is the one that waits for the lock). A statement whose caller was cancelled never reports its
end: its mark is cleared by the connection's next statement or when it goes back to the pool,
so a count cannot stay up for good.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["quiet", "waiting", "watch"]

_MARK = "infrazen_writing"  # in a pooled connection's info: the database it is writing to
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "CREATE", "DROP", "ALTER")
_in_flight: Counter[str] = Counter()  # database → write statements running or waiting on it
_watchers: dict[str, list[asyncio.Future[None]]] = {}  # database → who waits for it to be quiet


def _database(engine: Any) -> str:
    return str(engine.url.database or id(engine))


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:6].upper().startswith(_WRITES)


def _clear(info: dict[Any, Any]) -> None:
    database = info.pop(_MARK, None)
    if database is not None:
        _in_flight[database] -= 1
        if _in_flight[database] <= 0:
            del _in_flight[database]
            for future in _watchers.pop(database, []):
                with suppress(RuntimeError):  # its loop has closed: nobody is waiting there
                    future.get_loop().call_soon_threadsafe(_settle, future)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def watch(engine: AsyncEngine) -> None:
    """Count the write statements this process runs through `engine` (an SQLite one)."""
    sync = engine.sync_engine
    database = _database(engine)

    @event.listens_for(sync, "before_cursor_execute")
    def _begins(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        _clear(conn.info)  # a statement whose end was never reported (its caller cancelled)
        if _is_write(statement):
            conn.info[_MARK] = database
            _in_flight[database] += 1

    @event.listens_for(sync, "after_cursor_execute")
    def _ends(conn: Connection, *_: Any) -> None:
        _clear(conn.info)

    @event.listens_for(sync, "handle_error")
    def _failed(context: Any) -> None:
        if context.connection is not None:
            _clear(context.connection.info)

    @event.listens_for(sync.pool, "checkin")
    def _returned(_dbapi: Any, record: Any) -> None:
        if record is not None:
            _clear(record.info)


def waiting(engine: AsyncEngine) -> bool:
    """Whether a write statement of this process is running or waiting on `engine`'s
    database (watched engines only; several engines on one file count together)."""
    return _in_flight.get(_database(engine), 0) > 0


async def quiet(engine: AsyncEngine, within: float) -> None:
    """Return once no write statement of this process runs or waits on `engine`'s database,
    or after `within` seconds, whichever comes first."""
    database = _database(engine)
    if not _in_flight.get(database, 0):
        return
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    _watchers.setdefault(database, []).append(future)
    try:
        with suppress(TimeoutError):
            await asyncio.wait_for(future, within)
    finally:
        with suppress(ValueError):
            _watchers.get(database, []).remove(future)
