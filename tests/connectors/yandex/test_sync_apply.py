"""Yandex's Collection goes through the real sync engine (SQLite): costs and orphans stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.yandex.connector import YandexConnector, YandexCredentials
from core.domain.collection import Window
from core.security.vault import Vault
from tests.connectors.beget.applied import apply_and_read


async def test_collection_applies(make: Callable[..., YandexConnector],
                                  oauth_creds: YandexCredentials, sqlite_engine: AsyncEngine,
                                  vault: Vault) -> None:
    window = Window(date(2025, 6, 1), date(2025, 6, 3))
    out = await make().collect(oauth_creds, window)
    stored = await apply_and_read(sqlite_engine, vault, "yandex", out, window)
    assert stored.cost_total == Decimal("252.27")
    assert stored.resources == len(out.resources)
    assert stored.orphans == 2  # the unattached disk and the idle reserved address
    assert stored.status == "success"
