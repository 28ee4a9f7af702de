"""The price-list cache: read once a day through the sync, kept across syncs that did not
read it, and priced per 30-day month the way savings are quoted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from core.db.models import Connection
from core.domain.prices import PriceItem, PriceList
from core.services import price_lists

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LIST = PriceList(provider="selectel", source="/v2/billing/vpc/prices", items=(
    PriceItem("compute_cores", Decimal("0.8976"), zone="ru-3b"),
    PriceItem("compute_cores", Decimal("0.8976"), zone="ru-1a"),
    PriceItem("compute_ram", Decimal("0.00031875"), unit="MB", zone="ru-3b")))


def test_a_fresh_list_is_kept_and_a_missing_or_day_old_one_is_due() -> None:
    conn = Connection(account_info={"account_id": "1"})
    assert price_lists.is_due(conn.account_info, NOW)
    price_lists.remember(conn, LIST, None, NOW)
    assert not price_lists.is_due(conn.account_info, NOW + timedelta(hours=23))
    assert price_lists.is_due(conn.account_info, NOW + timedelta(days=1))
    # a later sync without a list keeps the cached one
    cached = price_lists.cached(conn.account_info)
    conn.account_info = {"account_id": "1"}
    price_lists.remember(conn, None, cached, NOW + timedelta(hours=6))
    again = price_lists.cached(conn.account_info)
    assert again is not None
    assert again.fetched_at == NOW
    assert again.items == LIST.items


def test_prices_by_zone_then_region_per_month() -> None:
    core = LIST.find("compute_cores", "ru-3b")
    assert core is not None
    assert core.monthly(2) == Decimal("1292.544")  # 0.8976 ₽ an hour × 720 × 2
    assert LIST.find("compute_cores", "ru-1") == LIST.items[1]  # the region's zone
    assert LIST.find("compute_ram", "ru-9a") == LIST.items[2]  # any zone rather than none
    assert LIST.find("volume_gigabytes_fast") is None
