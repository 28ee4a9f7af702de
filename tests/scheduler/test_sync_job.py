"""Scheduled syncs: one worker per connection, dead workers' claims expire, pausing on bad keys."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db.models import Connection, Membership, OutboxMessage, SyncSnapshot, User
from core.jobs.sync import LEASE, PAUSE_AFTER, claim_due, sync_due
from core.services.orgs import create_org
from tests.connectors.beget.fake import BegetFake
from tests.scheduler.conftest import Deps, runtime
from tests.support.fake_server import run_fake


@pytest.fixture
async def beget() -> AsyncIterator[tuple[BegetFake, str]]:
    fake = BegetFake()
    async with run_fake(fake.app()) as url:
        yield fake, url


async def _connections(deps: Deps, url: str, count: int, password: str) -> tuple[int, list[int]]:
    async with deps.sessions() as s, s.begin():
        org = await create_org(s, "Acme")
        user = User(telegram_id=501, full_name="Owner", language="ru")
        s.add(user)
        await s.flush()
        s.add(Membership(org_id=org.id, user_id=user.id, role="owner"))
        conns = [Connection(org_id=org.id, kind="beget", name=f"beget-{i}", endpoint=url,
                            credentials=deps.vault.encrypt({"login": "acme",
                                                            "password": password}),
                            options={"page_size": 50}) for i in range(count)]
        s.add_all(conns)
        await s.flush()
        return org.id, [c.id for c in conns]


async def test_two_workers_claim_disjoint_connections_and_expired_claims_return(
        deps: Deps, beget: tuple[BegetFake, str]) -> None:
    _, ids = await _connections(deps, beget[1], 6, "x")
    a, b = runtime(deps, "a", sync_batch=4), runtime(deps, "b", sync_batch=4)
    got_a, got_b = await asyncio.gather(claim_due(a), claim_due(b))
    assert not set(got_a) & set(got_b)
    assert sorted(got_a + got_b) == ids
    assert await claim_due(a) == []  # all leased
    deps.clock.advance(seconds=LEASE.total_seconds() + 1)  # both "died"
    assert len(await claim_due(runtime(deps, "c", sync_batch=10))) == 6


async def test_workers_claiming_at_once_take_every_due_connection_between_them(
        deps: Deps, beget: tuple[BegetFake, str]) -> None:
    """Round after round, two workers claiming at the same moment split all six due
    connections: on SQLite a claim first read the due rows without the write lock, both
    workers picked the same four, and the second claimed none of the other two."""
    _, ids = await _connections(deps, beget[1], 6, "x")
    for round_ in range(20):
        got_a, got_b = await asyncio.gather(claim_due(runtime(deps, f"a{round_}", sync_batch=4)),
                                            claim_due(runtime(deps, f"b{round_}", sync_batch=4)))
        assert not set(got_a) & set(got_b)
        assert sorted(got_a + got_b) == ids, round_
        deps.clock.advance(seconds=LEASE.total_seconds() + 1)


async def test_two_workers_sync_each_due_connection_exactly_once(
        deps: Deps, beget: tuple[BegetFake, str]) -> None:
    fake, url = beget
    _, ids = await _connections(deps, url, 4, fake.password)
    a, b = runtime(deps, "a", sync_batch=3), runtime(deps, "b", sync_batch=3)
    results = [*await asyncio.gather(sync_due(a), sync_due(b))]
    synced = sorted(r.connection_id for batch in results for r in batch)
    assert synced == ids
    async with deps.sessions() as s:
        per_conn = dict((await s.execute(select(SyncSnapshot.connection_id, func.count())
                                         .group_by(SyncSnapshot.connection_id))).all())
        conns = (await s.execute(select(Connection))).scalars().all()
    assert per_conn == {cid: 1 for cid in ids}
    assert all(c.lease_owner is None for c in conns)
    assert all(c.next_sync_at == deps.clock.now() + timedelta(minutes=c.sync_interval_minutes)
               for c in conns)
    assert await sync_due(a) == []  # nothing due until the interval passes


async def test_repeated_credential_failures_pause_the_connection_with_a_notice(
        sqlite_deps: Deps, beget: tuple[BegetFake, str]) -> None:
    deps = sqlite_deps
    _, (cid,) = await _connections(deps, beget[1], 1, "wrong-password")
    rt = runtime(deps, "a")
    for _ in range(PAUSE_AFTER):
        (result,) = await sync_due(rt)
        assert result.error_code == "bad_credentials"
        deps.clock.advance(hours=7)
    async with deps.sessions() as s:
        conn = await s.get(Connection, cid)
        notices = (await s.execute(select(OutboxMessage).where(
            OutboxMessage.dedup_key.like("notice:paused:%")))).scalars().all()
        alerts = (await s.execute(select(OutboxMessage).where(
            OutboxMessage.dedup_key.like("alert:%")))).scalars().all()
    assert conn is not None
    assert conn.status == "paused"
    assert [n.chat_id for n in notices] == [501]
    assert "приостановлено" in str(notices[0].payload["text"])
    assert await sync_due(rt) == []  # a paused connection is not retried
    # alerts were evaluated after the syncs: the failing connection reached its owner once
    assert [a.chat_id for a in alerts] == [501]
    assert "не синхронизируется" in str(alerts[0].payload["text"])
