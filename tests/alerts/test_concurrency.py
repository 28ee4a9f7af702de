"""Two workers evaluating one organisation at once store each event once and send it once;
after a snooze ends they send one reminder between them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.alerts.feedback import record_feedback
from core.clock import FrozenClock
from core.db.engine import session_factory
from core.db.models import AlertEvent, OutboxMessage
from core.jobs.alerts import evaluate_org
from core.security.vault import Vault
from tests.alerts import factory
from tests.alerts.test_end_to_end import Deps
from tests.support.jobs import job_runtime


@pytest.fixture
async def deps(engine: AsyncEngine, vault: Vault) -> AsyncIterator[Deps]:
    async with httpx.AsyncClient() as http:
        yield Deps(session_factory(engine), vault, http,
                   FrozenClock(datetime(2026, 11, 20, 6, 0, tzinfo=UTC)))


async def test_concurrent_evaluations_never_duplicate_events_or_messages(deps: Deps) -> None:
    async with deps.sessions() as s, s.begin():
        org = await factory.org(s)
        await factory.member(s, org.id, 4242, "owner")
        conn = await factory.connection(s, org.id)
        for i in range(5):
            await factory.resource(s, conn, f"zombie-{i}", is_zombie=True,
                                   daily_cost=Decimal(50))
    a, b = job_runtime(deps, "a"), job_runtime(deps, "b")
    first, second = await asyncio.gather(evaluate_org(a, org.id), evaluate_org(b, org.id))
    assert len(first) + len(second) == 5
    async with deps.sessions() as s:
        events = (await s.execute(select(func.count()).select_from(AlertEvent))).scalar_one()
        texts = (await s.execute(select(OutboxMessage.payload))).scalars().all()
    assert events == 5
    mentioned = sorted(name for p in texts for name in (f"zombie-{i}" for i in range(5))
                       if name in str(p["text"]))
    assert mentioned == [f"zombie-{i}" for i in range(5)]  # each zombie told exactly once


async def test_concurrent_evaluations_after_a_snooze_send_one_reminder(deps: Deps) -> None:
    async with deps.sessions() as s, s.begin():
        org = await factory.org(s)
        await factory.member(s, org.id, 4343, "owner")
        conn = await factory.connection(s, org.id)
        await factory.resource(s, conn, "zombie", is_zombie=True, daily_cost=Decimal(50))
    a, b = job_runtime(deps, "a"), job_runtime(deps, "b")
    (event,) = await evaluate_org(a, org.id)
    async with deps.sessions() as s, s.begin():
        await record_feedback(s, org_id=org.id, user_id=None, event_id=event.id,
                              action="snooze", now=deps.clock.now())
    deps.clock.advance(days=1, minutes=1)
    first, second = await asyncio.gather(evaluate_org(a, org.id), evaluate_org(b, org.id))
    assert len(first) + len(second) == 1
    async with deps.sessions() as s:
        keys = (await s.execute(select(AlertEvent.dedup_key).order_by(AlertEvent.id))
                ).scalars().all()
        messages = (await s.execute(select(func.count()).select_from(OutboxMessage))
                    ).scalar_one()
    assert keys == [event.dedup_key, f"{event.dedup_key}|snoozed:20261121T060000"]
    assert messages == 2  # the first alert and one reminder
