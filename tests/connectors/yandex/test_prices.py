"""Yandex SKU prices (`GET /billing/v1/skus`, every page) against the loopback fake: the version
in force and its first rate become per-platform vCPU and RAM prices; a failure is a warning;
rightsizing of a Yandex VM is priced from them (CPU only: Yandex reports no memory use)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.yandex.connector import YandexConnector, YandexCredentials
from core.clock import FrozenClock
from core.db.models import Connection, Recommendation, Resource
from core.domain.collection import Collection, Window
from core.security.vault import Vault
from core.services import recommendations as recs
from core.services.orgs import create_org
from core.services.sync.apply import apply_collection
from tests.connectors.rigs import FAST
from tests.connectors.yandex.fake import YandexFake
from tests.support.faults import Fault

NOW = datetime(2025, 6, 3, 0, 30, tzinfo=UTC)
WINDOW = Window(start=date(2025, 6, 1), end=date(2025, 6, 3))
USAGE_WINDOW = Window(start=date(2025, 5, 24), end=date(2025, 6, 3))  # nine days of CPU
WEB1 = "fhm0b28lgfp4tkoa3jl6"
HOURS = Decimal(720)


def _connector(client: httpx.AsyncClient, base_url: str, **options: Any) -> YandexConnector:
    return YandexConnector(client, endpoint=base_url, retry=FAST, clock=FrozenClock(NOW),
                           options={"page_size": 2, **options})


async def test_sku_prices_are_read_page_by_page(
        fake: YandexFake, client: httpx.AsyncClient, base_url: str,
        oauth_creds: YandexCredentials) -> None:
    out = await _connector(client, base_url).collect(oauth_creds, WINDOW)
    assert out.prices is not None
    assert out.prices.source == "/billing/v1/skus"
    assert fake.faults.count("/billing/v1/skus") == 4  # 7 SKUs, pages of two
    prices = {i.sku: i for i in out.prices.items}
    assert sorted(prices) == ["compute_cores:standard-v2:100", "compute_cores:standard-v3:100",
                              "compute_cores:standard-v3:20", "compute_ram:standard-v2",
                              "compute_ram:standard-v3"]  # no preemptible, no storage
    core = prices["compute_cores:standard-v3:100"]
    assert (core.price, core.per, core.currency) == (Decimal("1.12"), "hour", "RUB")  # in force
    ram = prices["compute_ram:standard-v3"]
    assert ram.price * 1024 == Decimal("0.2976")  # the rate from quantity 0, per GB → per MB
    assert ram.monthly(4096) == Decimal("0.2976") * 4 * HOURS  # 4 GB a month: 857.09


async def test_no_sku_request_when_the_cache_is_fresh_and_a_failure_is_a_warning(
        fake: YandexFake, client: httpx.AsyncClient, base_url: str,
        oauth_creds: YandexCredentials) -> None:
    fresh = await _connector(client, base_url, fetch_prices=False).collect(oauth_creds, WINDOW)
    assert fresh.prices is None
    assert fake.faults.count("/billing/v1/skus") == 0
    fake.faults.add("/billing/v1/skus", Fault(403, '{"code": 7, "message": "denied"}'))
    out = await _connector(client, base_url).collect(oauth_creds, WINDOW)
    assert out.prices is None
    assert any("price list not read" in w for w in out.warnings)
    assert out.cost_lines  # the costs are read all the same


def _cpu_series(vm: str, value: float, days: int = 9) -> dict[str, Any]:
    start = NOW - timedelta(days=days)
    stamps = [int((start + timedelta(hours=h)).timestamp() * 1000) for h in range(days * 24)]
    return {"name": "cpu_usage", "labels": {"service": "compute", "resource_type": "vm",
                                            "resource_id": vm},
            "type": "DGAUGE", "timeseries": {"timestamps": stamps,
                                             "doubleValues": [value] * len(stamps)}}


async def _apply(out: Collection, session_maker: async_sessionmaker[AsyncSession],
                 vault: Vault) -> dict[tuple[str, str], Recommendation]:
    async with session_maker() as session, session.begin():
        org = await create_org(session, "yandex org")
        conn = Connection(org_id=org.id, kind="yandex", name="main",
                          credentials=vault.encrypt({}), options={}, status="active")
        session.add(conn)
        await session.flush()
        await apply_collection(session, org_id=org.id, connection_id=conn.id, collection=out,
                               window=USAGE_WINDOW, started_at=NOW, now=NOW)
        org_id = org.id
    async with session_maker() as session, session.begin():
        await recs.evaluate(session, org_id, FrozenClock(NOW))
    async with session_maker() as session:
        rows = (await session.execute(select(Recommendation, Resource.external_id).join(
            Resource, Recommendation.resource_id == Resource.id).where(
            Recommendation.org_id == org_id))).all()
    return {(rec.kind, ext): rec for rec, ext in rows}


async def test_rightsizing_a_yandex_vm_is_priced_from_the_skus(
        fake: YandexFake, client: httpx.AsyncClient, base_url: str,
        oauth_creds: YandexCredentials, session_maker: async_sessionmaker[AsyncSession],
        vault: Vault) -> None:
    web1 = fake.lists["instances"]["b1gfolderweb0000000"][0]
    web1["resources"] = {**web1["resources"], "cores": "8"}  # 8 vCPU / 4 GB on Ice Lake
    fake.monitoring = {"b1gfolderweb0000000": {"metrics": [_cpu_series("web-1", 15.0)]}}
    out = await _connector(client, base_url).collect(oauth_creds, USAGE_WINDOW)
    found = await _apply(out, session_maker, vault)
    rec = found[("rightsizing", WEB1)]
    # CPU p95 15 % of 8 vCPU fits 4 vCPU at 30 %; memory use unknown, so the 4 GB stay
    assert rec.params["to"] == "4 vCPU / 4 GB"
    ram = Decimal("0.2976") * 4 * HOURS  # 857.088
    price_from = (8 * Decimal("1.12") * HOURS + ram).quantize(Decimal("0.01"))
    price_to = (4 * Decimal("1.12") * HOURS + ram).quantize(Decimal("0.01"))
    assert rec.evidence["price_from"] == str(price_from)  # 7308.29
    assert rec.evidence["price_to"] == str(price_to)  # 4082.69
    assert rec.evidence["price_source"] == "/billing/v1/skus"
    assert rec.evidence["mem_p95"] is None
    monthly = Decimal(str(rec.evidence["monthly_cost"]))
    assert Decimal(rec.monthly_saving) == (monthly * (1 - price_to / price_from)).quantize(
        Decimal("0.01"))
