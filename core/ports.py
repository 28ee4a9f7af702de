"""Narrow protocols core depends on instead of concrete classes (`core.app.AppContext` fits)."""

from __future__ import annotations

from typing import Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.security.vault import Vault

__all__ = ["AppDeps"]


class AppDeps(Protocol):
    """Sessions, the vault, the shared HTTP client and the clock: what syncs and jobs use."""

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...

    @property
    def vault(self) -> Vault: ...

    @property
    def http(self) -> httpx.AsyncClient: ...

    @property
    def clock(self) -> Clock: ...
