"""Each provider's Collection goes through the real sync engine (SQLite): every cost line and
resource is stored, costs add up to the documented totals, orphans are flagged, no rejects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import BaseConnector, Credentials
from core.domain.collection import Window
from core.security.vault import Vault
from tests.connectors.applied import apply_and_read
from tests.connectors.rigs import BEGET, CLOUDRU, YANDEX, Rig


@pytest.mark.parametrize(("rig", "window", "total", "orphans", "status"), [
    # Beget's fake denies the mysql section and suspends a service: warnings → partial.
    (BEGET, Window(date(2025, 6, 1), date(2025, 6, 4)), Decimal("284.10"), 0, "partial"),
    # the idle floating IP and the detached disk
    (CLOUDRU, Window(date(2025, 2, 1), date(2025, 2, 3)), Decimal("102.66"), 2, "success"),
    # the unattached disk and the idle reserved address; the invoice: cost 252.27 + credits
    # -15.75 (Credit lines, as a file import stores them)
    (YANDEX, Window(date(2025, 6, 1), date(2025, 6, 3)), Decimal("236.52"), 2, "success"),
], ids=["beget", "cloudru", "yandex"])
async def test_collection_applies(rig: Rig, window: Window, total: Decimal, orphans: int,
                                  status: str,
                                  make: Callable[..., BaseConnector],  # type: ignore[type-arg]
                                  creds: Credentials, sqlite_engine: AsyncEngine,
                                  vault: Vault) -> None:
    out = await make().collect(creds, window)
    stored = await apply_and_read(sqlite_engine, vault, rig.kind, out, window)
    assert stored.cost_total == sum((x.billed_cost for x in out.cost_lines), Decimal(0))
    assert stored.cost_total == total
    assert stored.cost_rows == len(out.cost_lines)
    assert stored.resources == len(out.resources)
    assert stored.orphans == orphans
    assert stored.status == status
