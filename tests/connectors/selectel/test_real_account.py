"""Selectel on a real-shaped account: what billing names becomes the right resource, the
published price list and Gnocchi utilisation reach the rules, and idle, rightsizing and
"stopped but still billed" savings are priced from the provider's own list."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.selectel.connector import SelectelConnector
from core.clock import FrozenClock
from core.db.models import Connection, Recommendation, Resource
from core.domain.collection import Collection, ResourceKind, ResourceStatus, Window
from core.security.vault import Vault
from core.services import recommendations as recs
from core.services.orgs import create_org
from core.services.sync.apply import apply_collection
from tests.connectors.rigs import FAST, SELECTEL_CREDS
from tests.connectors.selectel.fake import SelectelFake
from tests.support.fake_server import run_fake

NOW = datetime(2026, 11, 21, 0, 30, tzinfo=UTC)
WINDOW = Window(date(2026, 11, 13), date(2026, 11, 21))  # eight whole billed days
PROJECT = "4864f2c3a1b24c0e9d7a6b5c4d3e2f10"
IDLE, BIG, STOPPED = (f"c09d8418-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
LEFT_DISK = "d424aaaa-0000-4000-8000-000000000015"
# vpc_prices.json, ru-3b: kopecks an hour → rubles a 30-day month (× 720 / 100)
CORE_MONTH = Decimal("89.76") * 720 / 100  # 646.272
RAM_MB_MONTH = Decimal("0.031875") * 720 / 100  # 0.2295


def _gnocchi(cpu: float, memory_mb: float) -> dict[str, Any]:
    """Five-minute points over the 14 days before NOW, as `(metric (cpu_util mean)
    (memory.usage mean))` answers for one server."""
    start = NOW - timedelta(days=14)
    stamps = [(start + timedelta(minutes=5 * i)).isoformat() for i in range(14 * 24 * 12)]
    return {"cpu_util": {"mean": [[t, 300.0, cpu] for t in stamps]},
            "memory.usage": {"mean": [[t, 300.0, memory_mb] for t in stamps]}}


@pytest.fixture
def fake() -> SelectelFake:
    fake = SelectelFake.real_account(WINDOW.days())
    fake.measures = {IDLE: _gnocchi(cpu=2.0, memory_mb=400),  # 2 %, 9.8 % of 4 GB
                     BIG: _gnocchi(cpu=20.0, memory_mb=2458)}  # 20 %, 30 % of 8 GB
    return fake


@pytest.fixture
async def collected(fake: SelectelFake) -> AsyncIterator[Collection]:
    async with run_fake(fake.app()) as url, httpx.AsyncClient() as client:
        connector = SelectelConnector(
            client, endpoint=url, retry=FAST, clock=FrozenClock(NOW),
            options={"identity_url": f"{url}/identity/v3",
                     "region_url_template": f"{url}/{{region}}"})
        yield await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)


def _by_id(out: Collection) -> dict[str, Any]:
    return {r.external_id: r for r in out.resources}


async def test_a_disk_whose_parent_is_the_project_is_an_orphan_volume(
        collected: Collection) -> None:
    """Before: a zombie *server* named after the project id took the disk's 2.88 ₽ a day
    and the real volume showed 0 ₽."""
    by_id = _by_id(collected)
    assert PROJECT not in by_id
    disk = by_id[LEFT_DISK]
    assert disk.kind is ResourceKind.VOLUME
    assert disk.is_orphan
    assert disk.daily_cost == Decimal("2.88")
    assert not any(r.name == PROJECT or r.external_id == PROJECT for r in collected.resources)
    assert all(x.resource_id != PROJECT for x in collected.cost_lines)


async def test_billing_lines_become_resources_of_their_kind(collected: Collection) -> None:
    by_id = _by_id(collected)
    expected = {"bk-0000-4000-8000-000000000016": ResourceKind.BACKUP,
                "sn-0000-4000-8000-000000000017": ResourceKind.SNAPSHOT,
                "dbaas-pg-0000-4000-8000-000000000018": ResourceKind.DATABASE,
                "mks-0000-4000-8000-000000000019": ResourceKind.KUBERNETES,
                "s3-media-bucket": ResourceKind.BUCKET,
                "lb-0000-4000-8000-000000000020": ResourceKind.LOAD_BALANCER}
    assert {k: by_id[k].kind for k in expected} == expected
    assert collected.unrecognized == []
    backup = by_id["bk-0000-4000-8000-000000000016"]
    assert not backup.is_zombie  # a backup is never a volume OpenStack should list
    assert backup.daily_cost == Decimal("1.68")  # 7 kopecks an hour
    snapshot = by_id["sn-0000-4000-8000-000000000017"]
    assert snapshot.config["size_gb"] == 15
    assert by_id["mks-0000-4000-8000-000000000019"].daily_cost == Decimal("33.36")
    assert by_id["lb-0000-4000-8000-000000000020"].service_name == "Load Balancers"
    assert by_id["dbaas-pg-0000-4000-8000-000000000018"].status is ResourceStatus.RUNNING


async def test_a_stopped_server_keeps_its_billed_disk(collected: Collection) -> None:
    stopped = _by_id(collected)[STOPPED]
    assert stopped.status is ResourceStatus.STOPPED
    assert stopped.daily_cost == Decimal("12.96")  # the fast disk, 54 kopecks an hour


async def test_price_list_and_utilisation_in_the_shared_vocabulary(
        collected: Collection, fake: SelectelFake) -> None:
    assert collected.prices is not None
    core = collected.prices.find("compute_cores", "ru-3b")
    assert core is not None
    assert core.monthly() == CORE_MONTH
    metrics = {(u.resource_id, u.metric) for u in collected.usage}
    assert metrics == {(IDLE, "cpu_percent"), (IDLE, "memory_percent"),
                       (BIG, "cpu_percent"), (BIG, "memory_percent")}
    idle_mem = [u.value for u in collected.usage if (u.resource_id, u.metric)
                == (IDLE, "memory_percent")]
    assert round(idle_mem[0], 2) == 9.77  # 400 MB of 4096 MB
    assert len(idle_mem) == 14 * 24 + 1  # five-minute points averaged per UTC hour (from 00:30)
    assert {b["operations"] for b in fake.aggregate_bodies} == {
        "(metric (cpu_util mean) (memory.usage mean))"}
    assert STOPPED not in {b["search"].removeprefix("id=") for b in fake.aggregate_bodies}


async def test_savings_are_priced_from_the_provider_list(
        collected: Collection, session_maker: async_sessionmaker[AsyncSession],
        vault: Vault) -> None:
    async with session_maker() as session, session.begin():
        org = await create_org(session, "selectel org")
        conn = Connection(org_id=org.id, kind="selectel", name="main",
                          credentials=vault.encrypt({}), options={}, status="active")
        session.add(conn)
        await session.flush()
        await apply_collection(session, org_id=org.id, connection_id=conn.id,
                               collection=collected, window=WINDOW, started_at=NOW, now=NOW)
        org_id = org.id
    clock = FrozenClock(NOW)
    async with session_maker() as session, session.begin():
        await recs.evaluate(session, org_id, clock)
    async with session_maker() as session:
        rows = (await session.execute(select(Recommendation, Resource.external_id).join(
            Resource, Recommendation.resource_id == Resource.id).where(
            Recommendation.org_id == org_id))).all()
    found = {(rec.kind, ext): rec for rec, ext in rows}

    # idle: stopping saves the compute by the list (2 × core + 4096 MB), not 90 % of the bill
    idle = found[("idle", IDLE)]
    assert Decimal(idle.monthly_saving) == (2 * CORE_MONTH + 4096 * RAM_MB_MONTH).quantize(
        Decimal("0.01"))  # 2232.58; its bill is 2419.20 a month, the disk keeps billing

    # rightsizing: 4 vCPU / 8 GB at 20 % CPU, 30 % memory → 4 vCPU / 4 GB by the list
    big = found[("rightsizing", BIG)]
    price_from = (4 * CORE_MONTH + 8192 * RAM_MB_MONTH).quantize(Decimal("0.01"))
    price_to = (4 * CORE_MONTH + 4096 * RAM_MB_MONTH).quantize(Decimal("0.01"))
    assert big.evidence["price_from"] == str(price_from)  # 4465.15
    assert big.evidence["price_to"] == str(price_to)  # 3525.12
    assert big.evidence["price_source"] == "/v2/billing/vpc/prices"
    assert big.params["to"] == "4 vCPU / 4 GB"
    monthly = Decimal(str(big.evidence["monthly_cost"]))
    assert monthly == Decimal("4464.00")  # (359 + 261) kopecks an hour × 720
    assert Decimal(big.monthly_saving) == (monthly * (1 - price_to / price_from)).quantize(
        Decimal("0.01"))

    # stopped but still billed: the full month of its disk (folded into the server) and of
    # the address bound to it
    stopped = found[("stopped_billed", STOPPED)]
    assert stopped.evidence["still_billed"] == {"server": "388.80",  # 54 kop an hour
                                                "floating_ip:203.0.113.14": "367.20"}  # 51
    assert Decimal(stopped.monthly_saving) == Decimal("756.00")
    # the disk of the deleted server is an orphan volume with its own cost
    assert Decimal(found[("orphan_volume", LEFT_DISK)].monthly_saving) == Decimal("86.40")
