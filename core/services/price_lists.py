"""The provider price lists, cached per connection and refreshed once a day through the sync.

A connector reads its provider's published list (Selectel `/v2/billing/vpc/prices`, Beget's
configurator, Yandex `/billing/v1/skus`) only when the sync asks (`fetch_prices` option: the
cached list is missing or older than a day). The list lives in the connection's
`account_info` under `price_list`, so it survives syncs that did not read it; the
recommendation rules load it from here and fall back to the hand-written table in
`core.services.recommendations.prices` when a connection has none (offline, or a provider
without a list).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Connection
from core.domain.prices import PriceList

__all__ = ["FETCH_OPTION", "MAX_AGE", "cached", "is_due", "load", "remember"]

KEY = "price_list"
FETCH_OPTION = "fetch_prices"
MAX_AGE = timedelta(days=1)


def cached(info: Mapping[str, Any] | None) -> PriceList | None:
    """The list stored in a connection's `account_info`, if any (a broken one is ignored)."""
    raw = (info or {}).get(KEY)
    if not isinstance(raw, dict):
        return None
    try:
        return PriceList.from_json(raw)
    except (KeyError, ValueError, ArithmeticError):
        return None


def is_due(info: Mapping[str, Any] | None, now: datetime) -> bool:
    """Whether the next sync should read the provider's list again (missing or a day old)."""
    found = cached(info)
    return found is None or found.fetched_at is None or now - found.fetched_at >= MAX_AGE


def remember(conn: Connection, fresh: PriceList | None, previous: PriceList | None,
             now: datetime) -> None:
    """Keep the list on the connection: the fresh one stamped `now`, else the previous one."""
    chosen = fresh if fresh is not None else previous
    if chosen is None:
        return
    if fresh is not None:
        chosen = PriceList(provider=fresh.provider, source=fresh.source, items=fresh.items,
                           fetched_at=fresh.fetched_at or now, notes=fresh.notes)
    conn.account_info = {**(conn.account_info or {}), KEY: chosen.to_json()}


async def load(session: AsyncSession, org_id: int) -> dict[int, PriceList]:
    """Connection id → its cached price list, for the recommendation rules."""
    rows = await session.execute(select(Connection.id, Connection.account_info).where(
        Connection.org_id == org_id))
    out: dict[int, PriceList] = {}
    for conn_id, info in rows:
        found = cached(info)
        if found is not None and found.items:
            out[conn_id] = found
    return out
