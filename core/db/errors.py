"""Recognising the transient "database is locked" of SQLite's single writer.

SQLite lets one connection write at a time; a writer that waits longer than the busy timeout
gets `sqlite3.OperationalError: database is locked` (wrapped by SQLAlchemy in its own
`OperationalError`). Nothing is wrong with the statement: running it again later works. The bot
retries such a handler (`bot.middlewares.db`), scheduler jobs wait for their next tick.
"""

from __future__ import annotations

import logging
import sqlite3
import sys

from sqlalchemy.exc import OperationalError

__all__ = ["is_locked", "log_failure"]

_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def is_locked(exc: BaseException | None) -> bool:
    """True when `exc` (or what it wraps) is SQLite's transient locked/busy error."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OperationalError):
            return is_locked(exc.orig) if exc.orig is not None else _locked_text(str(exc))
        if isinstance(exc, sqlite3.OperationalError):
            return _locked_text(str(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _locked_text(text: str) -> bool:
    lowered = text.lower()
    return any(message in lowered for message in _MESSAGES)


def log_failure(logger: logging.Logger, message: str, *args: object) -> None:
    """Log the exception being handled: one warning line when the database was only busy (the
    job's next run tries again, a traceback would be noise), the full traceback otherwise."""
    if is_locked(sys.exc_info()[1]):
        logger.warning(message + " (database busy; the next run tries again)", *args)
    else:
        logger.exception(message, *args)
