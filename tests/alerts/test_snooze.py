"""Snooze end to end: the button snoozes an alert; while snoozed, the rule reporting the same
fact sends nothing; the first evaluation after the snooze ends that still finds the fact sends
one reminder (once per snooze); a fact gone by then sends nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import Sender, SenderRates
from core.clock import FrozenClock
from core.db.models import AlertEvent, BoundChat, Resource
from core.domain.roles import Role
from core.jobs.alerts import evaluate_org
from core.jobs.runtime import JobRuntime
from core.security.vault import Vault
from tests.alerts import factory
from tests.bot.harness import BotHarness, running_bot
from tests.bot.seed import org_with
from tests.support.jobs import job_runtime

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 09:00 in Moscow: no quiet hours
OWNER, GROUP = 1001, -900
FAST = SenderRates(global_per_second=10_000, chat_interval=0.0001, group_interval=0.0001)


@pytest.fixture
async def h(sqlite_engine: AsyncEngine, vault: Vault) -> AsyncIterator[BotHarness]:
    async with running_bot(sqlite_engine, vault, clock=FrozenClock(NOW)) as harness:
        yield harness


async def _round(h: BotHarness, rt: JobRuntime,
                 org_id: int) -> tuple[list[AlertEvent], list[str]]:
    """One evaluation and one drain: the new events and the texts the owner received."""
    before = len(h.fake.sent_texts(OWNER))
    events = await evaluate_org(rt, org_id)
    await Sender(h.bot, h.ctx.sessions, clock=h.ctx.clock, rates=FAST).drain()
    return events, h.fake.sent_texts(OWNER)[before:]


async def test_a_snoozed_alert_is_silent_until_the_snooze_ends_then_reminds_once(
        h: BotHarness) -> None:
    clock = h.ctx.clock
    assert isinstance(clock, FrozenClock)
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER))
    async with h.ctx.session() as s:
        s.add(BoundChat(org_id=org_id, chat_id=GROUP, scope_kind="org", language="en"))
        conn = await factory.connection(s, org_id)
        await factory.resource(s, conn, "old-vm", is_zombie=True, daily_cost=Decimal(100))
        fixed = await factory.resource(s, conn, "tmp-vm", is_zombie=True,
                                       daily_cost=Decimal(50))
    rt = job_runtime(h.ctx, "w")
    events, texts = await _round(h, rt, org_id)
    assert len(events) == 2
    assert len(texts) == 1  # both coalesced into one message
    ids = {e.payload["values"]["name"]: e.id for e in events}  # type: ignore[index]

    owner = h.client(OWNER)
    for name in ("old-vm", "tmp-vm"):
        await owner.click_data(f"al:s:{ids[name]}")
        assert owner.alerts()[0].startswith("Отложено до ")

    clock.advance(hours=23)  # the rule still reports both facts: nothing is sent
    assert await _round(h, rt, org_id) == ([], [])
    async with h.ctx.session() as s:  # tmp-vm gets fixed before the snooze ends
        row = await s.get(Resource, fixed.id)
        assert row is not None
        row.is_zombie = False

    clock.advance(hours=2)  # the snooze has ended and old-vm is still a zombie
    group_before = len(h.fake.sent_texts(GROUP))
    (reminder,), (text,) = await _round(h, rt, org_id)
    assert text.startswith("⚠️ 🔁 Напоминание. Зомби-ресурс: old-vm")
    (group_text,) = h.fake.sent_texts(GROUP)[group_before:]
    assert group_text.startswith("⚠️ 🔁 Reminder. Zombie resource: old-vm")
    assert reminder.dedup_key == f"zombie:{reminder.resource_id}|snoozed:20261121T060000"
    assert reminder.payload["reminder_of"] == ids["old-vm"]

    clock.advance(hours=1)  # once per snooze
    assert await _round(h, rt, org_id) == ([], [])

    await owner.click_data(f"al:s:{reminder.id}")  # snoozing the reminder: the same cycle
    clock.advance(hours=12)
    assert await _round(h, rt, org_id) == ([], [])
    clock.advance(hours=13)
    (again,), (text,) = await _round(h, rt, org_id)
    assert "Напоминание. Зомби-ресурс: old-vm" in text
    assert again.dedup_key.endswith("|snoozed:20261122T080000")
    async with h.ctx.session() as s:
        statuses = dict((await s.execute(select(AlertEvent.id, AlertEvent.status))).all())
    assert statuses[ids["old-vm"]] == "reminded"
    assert statuses[reminder.id] == "reminded"
    assert statuses[again.id] == "open"
    assert statuses[ids["tmp-vm"]] == "snoozed"  # its fact was gone: no reminder
