"""Cloud.ru's Collection goes through the real sync engine (SQLite): costs and orphans stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.cloudru.connector import CloudRuConnector, CloudRuCredentials
from core.domain.collection import Window
from core.security.vault import Vault
from tests.connectors.beget.applied import apply_and_read


async def test_collection_applies(make: Callable[..., CloudRuConnector],
                                  creds: CloudRuCredentials, sqlite_engine: AsyncEngine,
                                  vault: Vault) -> None:
    window = Window(date(2025, 2, 1), date(2025, 2, 3))
    out = await make().collect(creds, window)
    stored = await apply_and_read(sqlite_engine, vault, "cloudru", out, window)
    assert stored.cost_total == Decimal("102.66")
    assert stored.resources == len(out.resources)
    assert stored.orphans == 2  # the idle floating IP and the detached disk
    assert stored.status == "success"
