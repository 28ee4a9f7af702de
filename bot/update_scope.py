"""What one update's handling owns while it runs: its DB session and whether it spoke yet.

A context variable, set by `DbSessionMiddleware` for the update's own task only. Two parts of
the bot read it:

- `CommitBeforeSendMiddleware` (on the Bot's session) commits the update's transaction before
  any message leaves, so a reply never announces state that another update cannot see yet;
- `DbSessionMiddleware` retries a handler that hit a transient "database is locked" only while
  `sent` is False, so a retry never makes the user read the same answer twice.

Tasks spawned by a handler inherit the variable; `owns()` is true only in the task that set it,
so a background job never commits (or marks) the handler's session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["UpdateScope", "current_scope", "update_scope"]


@dataclass
class UpdateScope:
    session: AsyncSession
    sent: bool = False
    active: bool = True
    task: asyncio.Task[object] | None = field(default_factory=asyncio.current_task)

    def owns(self) -> bool:
        """True in the task handling the update, while it handles it."""
        return self.active and asyncio.current_task() is self.task


_scope: ContextVar[UpdateScope | None] = ContextVar("infrazen_update_scope", default=None)


def current_scope() -> UpdateScope | None:
    """The scope of the update this task is handling, or None (jobs, CLI, spawned tasks)."""
    scope = _scope.get()
    return scope if scope is not None and scope.owns() else None


@contextmanager
def update_scope(session: AsyncSession) -> Iterator[UpdateScope]:
    scope = UpdateScope(session=session)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        scope.active = False
        _scope.reset(token)
