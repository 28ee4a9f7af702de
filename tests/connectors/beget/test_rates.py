"""Beget figures true to the account: the account rate already includes VPS and services (no
double count), only a positive remainder is the hosting plan, recorded days keep their price
and only unseen days are estimated, and the configurator prices the sizes rightsizing needs."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.beget.connector import BegetConnector, BegetCredentials
from connectors.beget.prices import SOURCE
from core.clock import FrozenClock
from core.db.models import Connection, CostLine, Recommendation, Resource
from core.domain.collection import ESTIMATED_TAG, Collection, Window
from core.security.vault import Vault
from core.services import price_lists
from core.services import recommendations as recs
from core.services.orgs import create_org
from core.services.sync.apply import apply_collection
from core.services.sync.estimates import estimated_days
from tests.connectors.beget.fake import BegetFake, fixture
from tests.connectors.rigs import FAST

WINDOW = Window(start=date(2025, 6, 1), end=date(2025, 6, 4))  # 1, 2, 3 June
JUNE_3 = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def _connector(client: httpx.AsyncClient, base_url: str, now: datetime = JUNE_3,
               **options: Any) -> BegetConnector:
    return BegetConnector(client, endpoint=base_url, retry=FAST, clock=FrozenClock(now),
                          options={"page_size": 2, **options})


def _per_day(out: Collection) -> dict[date, Decimal]:
    days: dict[date, Decimal] = defaultdict(Decimal)
    for line in out.cost_lines:
        days[line.charge_period_start.date()] += line.billed_cost
    return dict(days)


def _issue_account(fake: BegetFake) -> None:
    """The account of the issue: 60.73 a day = VPS 22 + services 9.73 + 29, no plan left."""
    info = fixture("user_getAccountInfo")
    info["answer"]["result"]["user_rate_current"] = "60.73"
    fake.legacy["user_getAccountInfo"] = info
    vps = fake.vps[0]
    vps["configuration"] = {**vps["configuration"], "price_day": 22, "price_month": 660}
    fake.vps = [vps]
    db, s3 = fake.services
    fake.services = [{**db, "price_day": 29}, {**s3, "price_day": "9.73", "status": "RUNNING",
                                                "status_details": "_"}]


async def test_services_summing_to_the_account_rate_are_not_counted_twice(
        fake: BegetFake, client: httpx.AsyncClient, base_url: str,
        creds: BegetCredentials) -> None:
    _issue_account(fake)
    out = await _connector(client, base_url).collect(creds, WINDOW)
    # before: a hosting line at 60.73 on top of the three services = 121.46 a day
    assert _per_day(out) == {d: Decimal("60.73") for d in WINDOW.days()}
    hosting = next(r for r in out.resources if r.external_id == "hosting:acme")
    assert hosting.daily_cost == Decimal(0)
    assert hosting.config["services_rate"] == "60.73"
    assert not any(line.resource_id == "hosting:acme" for line in out.cost_lines)
    assert out.account.daily_rate == Decimal("60.73")
    assert not [w for w in out.warnings if w.startswith("rate_")]


async def test_a_positive_remainder_is_the_hosting_plan(
        client: httpx.AsyncClient, base_url: str, creds: BegetCredentials) -> None:
    out = await _connector(client, base_url).collect(creds, WINDOW)
    hosting = next(r for r in out.resources if r.external_id == "hosting:acme")
    assert hosting.daily_cost == Decimal("9.80")  # 100.20 − (26.30 + 10 + 16.50 + 33.10 + 4.50)
    # every day adds up to the account's own rate (new-1 exists from 2 June only)
    assert _per_day(out) == {date(2025, 6, 1): Decimal("83.70"),
                             date(2025, 6, 2): Decimal("100.20"),
                             date(2025, 6, 3): Decimal("100.20")}


async def test_services_above_the_rate_warn(fake: BegetFake, client: httpx.AsyncClient,
                                            base_url: str, creds: BegetCredentials) -> None:
    info = fixture("user_getAccountInfo")
    info["answer"]["result"]["user_rate_current"] = "50"
    fake.legacy["user_getAccountInfo"] = info
    out = await _connector(client, base_url).collect(creds, WINDOW)
    assert any(w.startswith("rate_mismatch:") for w in out.warnings)
    assert not any(line.resource_id == "hosting:acme" for line in out.cost_lines)


async def test_only_today_is_observed_earlier_days_are_estimates(
        client: httpx.AsyncClient, base_url: str, creds: BegetCredentials) -> None:
    out = await _connector(client, base_url).collect(creds, WINDOW)
    assert out.observed_days == frozenset({date(2025, 6, 3)})
    for line in out.cost_lines:
        estimated = ESTIMATED_TAG in line.tags
        assert estimated == (line.charge_period_start.date() != date(2025, 6, 3))


async def test_configurator_prices_each_running_vps_and_its_smaller_sizes(
        fake: BegetFake, client: httpx.AsyncClient, base_url: str,
        creds: BegetCredentials) -> None:
    out = await _connector(client, base_url).collect(creds, WINDOW)
    assert out.prices is not None
    assert out.prices.provider == "beget"
    skus = sorted(i.sku for i in out.prices.items)
    # web-1 (2 vCPU, 2 GB, 30 GB) and new-1 (1 vCPU, 2 GB, 20 GB); db-1 is stopped
    assert skus == ["vps:1:1024:20480", "vps:1:1024:30720", "vps:1:2048:20480",
                    "vps:1:2048:30720", "vps:2:1024:30720", "vps:2:2048:30720"]
    half = out.prices.find("vps:1:1024:30720", "ru1")
    assert half is not None
    assert half.per == "day"
    assert half.price == Decimal("10.1")  # 5.2 + 3.4 + 30 × 0.05, as the configurator said
    assert half.monthly() == Decimal("303.0")


async def test_no_prices_asked_when_the_cache_is_fresh(
        fake: BegetFake, client: httpx.AsyncClient, base_url: str,
        creds: BegetCredentials) -> None:
    out = await _connector(client, base_url, fetch_prices=False).collect(creds, WINDOW)
    assert out.prices is None
    assert fake.faults.count("/v1/vps/configurator") == 0


async def test_configurator_error_leaves_no_list_and_no_failure(
        fake: BegetFake, client: httpx.AsyncClient, base_url: str,
        creds: BegetCredentials) -> None:
    fake.configurator_error = "TEMPORARILY_UNAVAILABLE"
    out = await _connector(client, base_url).collect(creds, WINDOW)
    assert out.prices is None
    assert len(out.cost_lines) > 0


async def _sync(session_maker: async_sessionmaker[AsyncSession], conn_id: int, org_id: int,
                out: Collection, now: datetime) -> None:
    async with session_maker() as session, session.begin():
        await apply_collection(session, org_id=org_id, connection_id=conn_id, collection=out,
                               window=WINDOW, started_at=now, now=now)


async def test_recorded_days_keep_their_price_across_syncs(
        fake: BegetFake, client: httpx.AsyncClient, base_url: str, creds: BegetCredentials,
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    """2 June is observed at 26.30 for web-1; on 3 June web-1 costs 40: the 2nd keeps 26.30,
    the 1st (never observed) keeps its first estimate, the 3rd is 40. Before, every sync
    re-priced all three days at 40."""
    async with session_maker() as session, session.begin():
        org = await create_org(session, "beget org")
        conn = Connection(org_id=org.id, kind="beget", name="main",
                          credentials=vault.encrypt({}), options={}, status="active")
        session.add(conn)
        await session.flush()
        org_id, conn_id = org.id, conn.id
    june_2 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    await _sync(session_maker, conn_id, org_id,
                await _connector(client, base_url, now=june_2).collect(creds, WINDOW), june_2)
    web = fake.vps[0]
    web["configuration"] = {**web["configuration"], "price_day": 40}
    await _sync(session_maker, conn_id, org_id,
                await _connector(client, base_url).collect(creds, WINDOW), JUNE_3)
    async with session_maker() as session:
        rows = (await session.execute(select(CostLine.day, CostLine.billed_cost).where(
            CostLine.connection_id == conn_id,
            CostLine.resource_external_id == web["id"]).order_by(CostLine.day))).all()
        estimated = await estimated_days(session, org_id, WINDOW.start, WINDOW.end)
        stored = (await session.execute(select(Connection.account_info).where(
            Connection.id == conn_id))).scalar_one()
    assert [(d, Decimal(c)) for d, c in rows] == [
        (date(2025, 6, 1), Decimal("26.30")), (date(2025, 6, 2), Decimal("26.30")),
        (date(2025, 6, 3), Decimal("40"))]
    assert estimated == {conn_id: {date(2025, 6, 1)}}
    cached = price_lists.cached(stored)
    assert cached is not None
    assert cached.provider == "beget"
    assert cached.items


def _series(metric: str, value: float, days: int = 9) -> dict[str, Any]:
    """A month-period answer: one sample an hour (Moscow time) over the last `days` days."""
    start = datetime(2025, 6, 3, 9, 0) - timedelta(days=days)
    stamps = [(start + timedelta(hours=h)).strftime("%Y-%m-%d %H:%M:%S")
              for h in range(days * 24)]
    return {metric: {"date": stamps, "value": [value] * len(stamps)}}


async def test_idle_and_rightsizing_priced_from_the_configurator(
        fake: BegetFake, client: httpx.AsyncClient, base_url: str, creds: BegetCredentials,
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    web, _db, new = (v["id"] for v in fake.vps)
    fake.vps[2]["date_create"] = "2025-05-01 09:00:00"  # new-1 billed all month
    fake.statistics = {("cpu", web): _series("cpu", 20.0),  # 20 % of 2 vCPU
                       ("memory", web): _series("memory", 614.4),  # 30 % of 2048 MB
                       ("cpu", new): _series("cpu", 2.0),
                       ("memory", new): _series("memory", 204.8)}  # 10 % of 2048 MB
    window = Window(date(2025, 5, 20), date(2025, 6, 4))
    out = await _connector(client, base_url).collect(creds, window)
    async with session_maker() as session, session.begin():
        org = await create_org(session, "beget org")
        conn = Connection(org_id=org.id, kind="beget", name="main",
                          credentials=vault.encrypt({}), options={}, status="active")
        session.add(conn)
        await session.flush()
        await apply_collection(session, org_id=org.id, connection_id=conn.id, collection=out,
                               window=window, started_at=JUNE_3, now=JUNE_3)
        org_id = org.id
    async with session_maker() as session, session.begin():
        await recs.evaluate(session, org_id, FrozenClock(JUNE_3))
    async with session_maker() as session:
        rows = (await session.execute(select(Recommendation, Resource.external_id).join(
            Resource, Recommendation.resource_id == Resource.id).where(
            Recommendation.org_id == org_id))).all()
    found = {(rec.kind, ext): rec for rec, ext in rows}
    # web-1 (2 vCPU, 2 GB, 30 GB; 26.30 ₽ a day): the configurator prices its size 18.70 and
    # 2 vCPU / 1 GB 15.30 a day — the dearest smaller size its load fits
    big = found[("rightsizing", web)]
    assert big.params["to"] == "2 vCPU / 1 GB"
    assert (big.evidence["price_from"], big.evidence["price_to"]) == ("561.00", "459.00")
    assert big.evidence["price_source"] == SOURCE
    assert Decimal(big.monthly_saving) == (Decimal("789.00") * (1 - Decimal("459.00")
                                                                / Decimal("561.00"))).quantize(
        Decimal("0.01"))  # 143.45
    # new-1 idle: its size by the configurator (13.00 a day), not 90 % of its 16.50
    assert Decimal(found[("idle", new)].monthly_saving) == Decimal("390.00")
