"""Allocation rules: tags first, then rules by priority; suggestions; coverage moves with them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import Resource
from core.domain.roles import Role
from core.services import allocation
from core.services.errors import Forbidden, ServiceError
from tests.intelligence.conftest import (
    TODAY,
    Demo,
    connection,
    costs,
    days_before,
    member,
    resource,
    small_org,
)


async def test_precedence_tags_then_rules_by_priority(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org = await small_org(session)
        admin = await member(session, org, 1, Role.ADMIN)
        member_id = await member(session, org, 2, Role.MEMBER)
        conn = await connection(session, org, "Selectel", kind="selectel")
        tagged = await resource(session, org, conn, "api-prod-01",
                                tags={"team": "platform"}, team="platform")
        plain = await resource(session, org, conn, "api-prod-02", region="ru-1",
                               project="provider-project")
        other = await resource(session, org, conn, "db-stage-01", service_name="Databases")
        with pytest.raises(Forbidden):
            await allocation.create_rule(session, org, member_id, name="x",
                                         match={"name": "*"}, team="t")
        await allocation.create_rule(session, org, admin, name="api → backend", priority=10,
                                     match={"name": "api-*", "provider": "selectel"},
                                     team="backend", environment="prod")
        await allocation.create_rule(session, org, admin, name="ru-1 → ops", priority=20,
                                     match={"region": "ru-1"}, team="ops", cost_center="CC-7",
                                     project="infra")
        await allocation.create_rule(session, org, admin, name="db regex", priority=30,
                                     match={"name": r"re:^db-(stage|dev)-\d+$",
                                            "service": "databases"}, team="data")
        assert (tagged.team, tagged.environment) == ("platform", "prod")  # the tag wins
        assert (plain.team, plain.cost_center, plain.project) == ("backend", "CC-7", "infra")
        assert other.team == "data"
        rules = await allocation.list_rules(session, org)
        await allocation.delete_rule(session, org, admin, rules[0].id)
        assert plain.team == "ops"
        await session.commit()


@pytest.mark.parametrize(("match", "message"), [
    ({"name": "re:([unclosed"}, "not a valid regular expression"),
    ({"colour": "red"}, "unknown match keys: colour"),
    ({}, "at least one condition"),
    ({"tags": "env=prod"}, "tags must be an object"),
])
async def test_bad_rules_are_refused_with_a_reason(demo: Demo, match: dict[str, object],
                                                   message: str) -> None:
    async with demo.sessions() as session:
        admin = await member(session, demo.org_id, 901, Role.ADMIN)
        with pytest.raises(ServiceError, match=message):
            await allocation.create_rule(session, demo.org_id, admin, name="bad", match=match,
                                         team="x")


async def test_suggestions_from_names_raise_coverage_when_accepted(demo: Demo) -> None:
    start, end = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
    async with demo.sessions() as session:
        admin = await member(session, demo.org_id, 902, Role.ADMIN)
        conn = (await session.execute(select(Resource.connection_id).where(
            Resource.org_id == demo.org_id).limit(1))).scalar_one()
        for name in ("k8s-ingress-01", "k8s-ingress-02"):
            res = await resource(session, demo.org_id, conn, name)
            await costs(session, demo.org_id, conn, days_before(TODAY, 30, "100"), resource=res,
                        provider="selectel")
        before = await allocation.coverage(session, demo.org_id, start, end)
        suggested = await allocation.suggest_rules(session, demo.org_id)
        names = {r.name: r for r in suggested}
        assert "env dev: dev/develop/development" in names
        k8s = names["team platform: k8s"]
        assert k8s.match == {"name": r"re:(^|[-_.])(k8s)([-_.\d]|$)"}
        again = await allocation.suggest_rules(session, demo.org_id)
        assert len(again) == len(suggested)  # stored once
        await allocation.accept_rule(session, demo.org_id, admin, k8s.id)
        after = await allocation.coverage(session, demo.org_id, start, end)
        env_rule = names["env dev: dev/develop/development"]
        await allocation.accept_rule(session, demo.org_id, admin, env_rule.id)
        ip = (await session.execute(select(Resource).where(
            Resource.org_id == demo.org_id, Resource.name == "dev-public-ip"))).scalar_one()
    assert after.share > before.share
    assert after.allocated - before.allocated == 6000
    assert ip.environment == "dev"
