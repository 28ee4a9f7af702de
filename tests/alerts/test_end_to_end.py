"""Alerts end to end: a sync's facts → events → outbox → sender → the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.composition import default_adapters
from bot.delivery import Sender, SenderRates
from core.clock import FrozenClock
from core.db.engine import session_factory
from core.db.models import AlertEvent, BoundChat, OutboxMessage
from core.jobs.alerts import evaluate_org
from core.ports import Adapters
from core.security.vault import Vault
from tests.alerts import factory
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_server import run_fake
from tests.support.jobs import job_runtime

TOKEN = "123456:TEST-alerts"
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
FAST = SenderRates(global_per_second=10_000, chat_interval=0.0001, group_interval=0.0001)


@dataclass
class Deps:
    sessions: async_sessionmaker[AsyncSession]
    vault: Vault
    http: httpx.AsyncClient
    clock: FrozenClock
    adapters: Adapters = field(default_factory=default_adapters)


@pytest.fixture
async def wire(sqlite_engine: AsyncEngine,
               vault: Vault) -> AsyncIterator[tuple[FakeBotApi, Bot, Deps]]:
    fake = FakeBotApi(TOKEN)
    async with run_fake(fake.app) as url, httpx.AsyncClient() as http:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
        try:
            yield fake, bot, Deps(session_factory(sqlite_engine), vault, http, FrozenClock(NOW))
        finally:
            await bot.session.close()


async def test_alerts_reach_the_group_coalesced_and_the_owner_with_buttons(
        wire: tuple[FakeBotApi, Bot, Deps]) -> None:
    fake, bot, deps = wire
    async with deps.sessions() as s, s.begin():
        org = await factory.org(s)
        s.add(BoundChat(org_id=org.id, chat_id=-500, scope_kind="org", language="ru"))
        await factory.member(s, org.id, 777, "owner", language="en")
        conn = await factory.connection(s, org.id, kind="beget", name="prepaid",
                                        balance=Decimal(1000), daily_rate=Decimal(500),
                                        balance_currency="RUB", balance_updated_at=NOW)
        await factory.resource(s, conn, "old-vm", is_zombie=True, daily_cost=Decimal(100))
    rt = job_runtime(deps, "w")
    events = await evaluate_org(rt, org.id)
    assert sorted(e.rule for e in events) == ["balance", "zombie"]
    assert await evaluate_org(rt, org.id) == []  # nothing new: nothing sent twice
    stats = await Sender(bot, deps.sessions, clock=deps.clock, rates=FAST).drain()
    assert stats.sent == 2
    (group,) = fake.sent(-500)
    assert group.text.startswith("🔔 Новых оповещений: 2")
    assert "Низкий баланс: prepaid" in group.text
    assert "Зомби-ресурс: old-vm" in group.text
    assert [b["text"] for b in group.buttons()][:2] == ["Подробнее #1", "Принято #1"]
    (owner,) = fake.sent(777)
    assert "Low balance: prepaid" in owner.text
    assert "₽14,000" in owner.text  # the suggested top-up to 30 days
    async with deps.sessions() as s:
        routed = (await s.execute(select(AlertEvent.routed_at))).scalars().all()
        statuses = (await s.execute(select(OutboxMessage.status))).scalars().all()
    assert routed == [NOW, NOW]
    assert statuses == ["sent", "sent"]
