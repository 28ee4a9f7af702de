"""After a sync, allocation rules re-apply and recommendations are re-evaluated."""

from __future__ import annotations

from decimal import Decimal

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import AllocationRule, Recommendation, Resource
from core.domain.collection import AccountInfo, Collection, CostLine, ResourceKind, ResourceRecord
from core.domain.collection import ResourceStatus as S
from core.security.vault import Vault
from core.services.sync.run import run_sync
from tests.sync.conftest import NOW, Deps, make_org_and_connection
from tests.sync.fake_connector import FakeConnector


def _collection() -> Collection:
    volume = ResourceRecord(external_id="vol-1", name="pg-backup-old", kind=ResourceKind.VOLUME,
                            status=S.RUNNING, daily_cost=Decimal("40"), is_orphan=True)
    server = ResourceRecord(external_id="vm-1", name="api-prod-01", kind=ResourceKind.SERVER,
                            status=S.RUNNING, daily_cost=Decimal("300"))
    lines = [CostLine(charge_period_start=NOW.replace(day=d, hour=0),
                      charge_period_end=NOW.replace(day=d + 1, hour=0),
                      billed_cost=Decimal(amount), resource_id=ext, resource_name=name,
                      service_name="Compute")
             for d in range(1, 19) for ext, name, amount in (("vol-1", "pg-backup-old", "40"),
                                                             ("vm-1", "api-prod-01", "300"))]
    return Collection(account=AccountInfo(account_id="acc-1"), resources=[volume, server],
                      cost_lines=lines)


async def test_a_sync_applies_rules_and_finds_the_orphan(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault,
        fake_kind: type[FakeConnector]) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    async with session_maker() as session, session.begin():
        session.add(AllocationRule(org_id=org, name="prod", match={"name": "*-prod-*"},
                                   team="platform", environment="prod"))
    fake_kind.queue.append(_collection())
    async with httpx.AsyncClient() as http:
        result = await run_sync(Deps(session_maker, vault, http), conn, org_id=org)
    assert result.status == "success"
    async with session_maker() as session:
        teams = dict((await session.execute(
            select(Resource.name, Resource.team).where(Resource.org_id == org))).all())
        recs = (await session.execute(select(Recommendation.kind, Recommendation.status).where(
            Recommendation.org_id == org))).all()
    assert teams == {"api-prod-01": "platform", "pg-backup-old": None}
    assert ("orphan_volume", "new") in recs
