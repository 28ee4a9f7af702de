"""The cheaper-zone rule on the real-shaped Selectel account: with the captured price list (every
zone prices vCPU and RAM alike) nothing is suggested; where a zone's compute is cheaper, a busy
server is told to move there, the saving priced from the provider's own list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.selectel.connector import SelectelConnector
from core.clock import FrozenClock
from core.db.models import Connection, Recommendation, Resource
from core.domain.collection import Collection
from core.security.vault import Vault
from core.services import recommendations as recs
from core.services.orgs import create_org
from core.services.sync.apply import apply_collection
from tests.connectors.rigs import FAST, SELECTEL_CREDS
from tests.connectors.selectel.fake import SelectelFake
from tests.connectors.selectel.test_real_account import (
    BIG,
    CORE_MONTH,
    IDLE,
    NOW,
    RAM_MB_MONTH,
    WINDOW,
    _gnocchi,
)
from tests.support.fake_server import run_fake

# ru-9a at 80 % of the captured compute price (kopecks an hour): where a server should move
CHEAP = {"compute_cores": 71.808, "compute_ram": 0.0255}


async def _collect(fake: SelectelFake) -> Collection:
    async with run_fake(fake.app()) as url, httpx.AsyncClient() as client:
        connector = SelectelConnector(
            client, endpoint=url, retry=FAST, clock=FrozenClock(NOW),
            options={"identity_url": f"{url}/identity/v3",
                     "region_url_template": f"{url}/{{region}}"})
        return await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)


def _fake(cheap_zone: bool) -> SelectelFake:
    fake = SelectelFake.real_account(WINDOW.days())
    fake.measures = {IDLE: _gnocchi(cpu=2.0, memory_mb=400),  # idle: stop it, not move it
                     BIG: _gnocchi(cpu=60.0, memory_mb=6500)}  # busy: no smaller size
    if cheap_zone:
        prices: list[dict[str, Any]] = fake.prices["prices"]
        for item in prices:
            if item["group"] == "ru-9a" and item["resource"] in CHEAP:
                item["value"] = CHEAP[item["resource"]]
    return fake


async def _found(collected: Collection, session_maker: async_sessionmaker[AsyncSession],
                 vault: Vault) -> dict[tuple[str, str], Recommendation]:
    async with session_maker() as session, session.begin():
        org = await create_org(session, "selectel org")
        conn = Connection(org_id=org.id, kind="selectel", name="main",
                          credentials=vault.encrypt({}), options={}, status="active")
        session.add(conn)
        await session.flush()
        await apply_collection(session, org_id=org.id, connection_id=conn.id,
                               collection=collected, window=WINDOW, started_at=NOW, now=NOW)
        org_id = org.id
    async with session_maker() as session, session.begin():
        await recs.evaluate(session, org_id, FrozenClock(NOW))
    async with session_maker() as session:
        rows = (await session.execute(select(Recommendation, Resource.external_id).join(
            Resource, Recommendation.resource_id == Resource.id).where(
            Recommendation.org_id == org_id))).all()
    return {(rec.kind, ext): rec for rec, ext in rows}


async def test_the_captured_list_prices_every_zone_alike_so_nothing_moves(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    found = await _found(await _collect(_fake(cheap_zone=False)), session_maker, vault)
    assert not [key for key in found if key[0] == "cheaper_region"]


async def test_a_busy_server_is_told_to_move_to_the_cheaper_zone(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    found = await _found(await _collect(_fake(cheap_zone=True)), session_maker, vault)
    assert [key for key in found if key[0] == "cheaper_region"] == [("cheaper_region", BIG)]
    move = found[("cheaper_region", BIG)]
    assert move.params == {"resource": move.params["resource"], "from": "ru-3b", "to": "ru-9a"}
    # 4 vCPU / 8 GB by the list: 4465.15 a month in ru-3b, 80 % of it in ru-9a
    here = 4 * CORE_MONTH + 8192 * RAM_MB_MONTH
    there = here * Decimal("0.8")
    assert move.evidence["price_from"] == str(here.quantize(Decimal("0.01")))  # 4465.15
    assert move.evidence["price_to"] == str(there.quantize(Decimal("0.01")))  # 3572.12
    assert move.evidence["price_source"] == "/v2/billing/vpc/prices"
    monthly = Decimal(str(move.evidence["monthly_cost"]))
    assert monthly == Decimal("4464.00")  # what it is billed: the compute part is all of it
    assert Decimal(move.monthly_saving) == (monthly * Decimal("0.2")).quantize(Decimal("0.01"))
    assert ("cheaper_region", IDLE) not in found  # idle: the idle rule says stop it
    assert ("idle", IDLE) in found
