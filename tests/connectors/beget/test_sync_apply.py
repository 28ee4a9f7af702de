"""Beget's Collection goes through the real sync engine (SQLite): costs add up, no rejects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.beget.connector import BegetConnector, BegetCredentials
from core.domain.collection import Window
from core.security.vault import Vault
from tests.connectors.beget.applied import apply_and_read
from tests.connectors.beget.fake import BegetFake


async def test_collection_applies(fake: BegetFake, make: Callable[..., BegetConnector],
                                  creds: BegetCredentials, sqlite_engine: AsyncEngine,
                                  vault: Vault) -> None:
    window = Window(date(2025, 6, 1), date(2025, 6, 4))
    out = await make().collect(creds, window)
    stored = await apply_and_read(sqlite_engine, vault, "beget", out, window)
    assert stored.cost_total == sum((x.billed_cost for x in out.cost_lines), Decimal(0))
    assert stored.cost_rows == len(out.cost_lines)
    assert stored.resources == len(out.resources)
