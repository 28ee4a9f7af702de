"""The connection service: test-then-store, encryption at rest, org scoping, roles, audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.errors import BadCredentials
from connectors.registry import build_connector
from core.db.models import AuditEntry, Connection, CostLine
from core.domain.roles import Role
from core.security.vault import Vault
from core.services import connections as svc
from core.services.errors import Conflict, Forbidden, NotFound, ServiceError
from core.services.orgs import create_org, ensure_user, set_membership
from tests.sync.conftest import NOW
from tests.sync.fake_connector import FakeConnector

SECRET = "tok-very-secret-9f8e7d"

add_connection = partial(svc.add_connection, connectors=build_connector)


async def _org_with_people(session: AsyncSession) -> tuple[int, svc.Actor, svc.Actor]:
    org = await create_org(session, "Acme")
    admin = await ensure_user(session, 1001)
    viewer = await ensure_user(session, 1002)
    await set_membership(session, org.id, admin.id, Role.ADMIN)
    await set_membership(session, org.id, viewer.id, Role.VIEWER)
    return (org.id, svc.Actor(user_id=admin.id, telegram_id=1001),
            svc.Actor(user_id=viewer.id, telegram_id=1002))


async def test_add_tests_first_stores_encrypted_and_audits(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault,
        fake_kind: type[FakeConnector]) -> None:
    async with session_maker() as session, session.begin(), httpx.AsyncClient() as http:
        org, admin, viewer = await _org_with_people(session)
        with pytest.raises(BadCredentials):
            await add_connection(session, vault, http, org_id=org, kind="fake", name="x",
                                     credentials={"account": "a", "token": "bad"}, actor=admin)
        with pytest.raises(ServiceError) as err:
            await add_connection(session, vault, http, org_id=org, kind="fake", name="x",
                                     credentials={"account": "a", "tokn": SECRET}, actor=admin)
        assert "token" in str(err.value)
        assert SECRET not in str(err.value)
        with pytest.raises(Forbidden):
            await add_connection(session, vault, http, org_id=org, kind="fake", name="x",
                                     credentials={"account": "a", "token": SECRET},
                                     actor=viewer)
        with pytest.raises(ServiceError, match="unknown connector kind"):
            await add_connection(session, vault, http, org_id=org, kind="nope", name="x",
                                     credentials={}, actor=admin)
        cid, account = await add_connection(
            session, vault, http, org_id=org, kind="fake", name="Prod",
            credentials={"account": "acc-7", "token": SECRET}, actor=admin, now=NOW)
        assert account.account_id == "acc-7"
        with pytest.raises(Conflict):
            await add_connection(session, vault, http, org_id=org, kind="fake", name="Prod",
                                     credentials={"account": "a", "token": SECRET}, actor=admin)
    async with session_maker() as session:
        conn = (await session.execute(select(Connection))).scalar_one()
        assert conn.id == cid
        assert conn.next_sync_at == NOW
        assert vault.decrypt(conn.credentials) == {"account": "acc-7", "token": SECRET}
        raw = (await session.execute(text("SELECT credentials FROM connections"))).scalar_one()
        assert SECRET.encode() not in bytes(raw)
        entries = (await session.execute(select(AuditEntry))).scalars().all()
        assert [(e.action, e.actor_telegram_id, e.object_id) for e in entries] == [
            ("connection.add", 1001, str(cid))]
        assert SECRET not in str(entries[0].details)
        others = (await session.execute(select(Connection).where(Connection.id != cid))).all()
        assert others == []  # the failed attempts stored nothing


async def test_list_get_change_and_scope(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault,
        fake_kind: type[FakeConnector]) -> None:
    async with session_maker() as session, session.begin(), httpx.AsyncClient() as http:
        org, admin, viewer = await _org_with_people(session)
        other = (await create_org(session, "Other")).id
        cid, _ = await add_connection(
            session, vault, http, org_id=org, kind="fake", name="Prod",
            credentials={"account": "a", "token": SECRET}, actor=admin)
        for day, amount in ((date(2026, 11, 19), "10.50"), (date(2026, 10, 1), "99")):
            session.add(CostLine(
                org_id=org, connection_id=cid, day=day, charge_period_start=NOW,
                charge_period_end=NOW, billed_cost=Decimal(amount),
                effective_cost=Decimal(amount), billing_currency="RUB", provider="fake",
                provider_name="Fake"))
        await session.flush()
        listed = await svc.list_connections(session, org, today=date(2026, 11, 20),
                                            actor=viewer)
        assert [(c.id, c.name, c.status) for c in listed] == [(cid, "Prod", "active")]
        assert listed[0].monthly_cost == {"RUB": Decimal("10.50")}
        with pytest.raises(NotFound):
            await svc.get_connection(session, other, cid, today=date(2026, 11, 20))
        with pytest.raises(NotFound):
            await svc.rename_connection(session, other, cid, "Hijack")
        with pytest.raises(Forbidden):
            await svc.pause_connection(session, org, cid, actor=viewer)
        await svc.rename_connection(session, org, cid, "Production", actor=admin)
        await svc.set_interval(session, org, cid, 60, actor=admin)
        with pytest.raises(ServiceError, match="interval"):
            await svc.set_interval(session, org, cid, 1, actor=admin)
        await svc.pause_connection(session, org, cid, actor=admin)
        got = await svc.get_connection(session, org, cid, today=date(2026, 11, 20))
        assert (got.name, got.status, got.sync_interval_minutes) == ("Production", "paused", 60)
        await svc.resume_connection(session, org, cid, actor=admin, now=NOW)
        assert (await svc.get_connection(session, org, cid, today=NOW.date())).status == "active"
        await svc.delete_connection(session, org, cid, actor=admin)
        assert await svc.list_connections(session, org, today=NOW.date()) == []
        assert (await session.execute(select(CostLine))).all() == []
        actions = (await session.execute(select(AuditEntry.action).order_by(
            AuditEntry.id))).scalars().all()
    assert actions == ["connection.add", "connection.rename", "connection.interval",
                       "connection.pause", "connection.resume", "connection.delete"]
