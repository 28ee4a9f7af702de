"""Drift end to end: two real syncs → what changed in the resource history → an alert that
names the field and its before → after values, in Russian to the group and English to the
owner, through the sender and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.composition import default_adapters
from bot.delivery import Sender, SenderRates
from core.clock import FrozenClock
from core.db.engine import session_factory
from core.db.models import BoundChat
from core.domain.collection import AccountInfo, Collection, ResourceKind, ResourceRecord, Window
from core.jobs.alerts import evaluate_org
from core.ports import Adapters
from core.security.vault import Vault
from core.services.sync.apply import apply_collection
from tests.alerts import factory
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_server import run_fake
from tests.support.jobs import job_runtime

TOKEN = "123456:TEST-drift"
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
FAST = SenderRates(global_per_second=10_000, chat_interval=0.0001, group_interval=0.0001)
WINDOW = Window(date(2026, 11, 18), date(2026, 11, 21))


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


def server(ext: str, env: str, flavor: str, ram_mb: int, region: str = "ru-1",
           cost: str = "100") -> ResourceRecord:
    return ResourceRecord(external_id=ext, name=ext, kind=ResourceKind.SERVER, region=region,
                          daily_cost=Decimal(cost), tags={"env": env},
                          config={"flavor": flavor, "ram_mb": ram_mb, "raw_status": "ACTIVE"})


async def sync(deps: Deps, org_id: int, conn_id: int, *records: ResourceRecord) -> None:
    now = deps.clock.now()
    async with deps.sessions() as s, s.begin():
        await apply_collection(s, org_id=org_id, connection_id=conn_id, window=WINDOW,
                               collection=Collection(account=AccountInfo(account_id="a"),
                                                     resources=list(records)),
                               started_at=now, now=now)


async def test_flavor_change_and_prod_creation_reach_chats_with_before_and_after(
        wire: tuple[FakeBotApi, Bot, Deps]) -> None:
    fake, bot, deps = wire
    async with deps.sessions() as s, s.begin():
        org = await factory.org(s)
        s.add(BoundChat(org_id=org.id, chat_id=-700, scope_kind="org", language="ru"))
        await factory.member(s, org.id, 778, "owner", language="en")
        conn = await factory.connection(s, org.id)
    rt = job_runtime(deps, "w")
    await sync(deps, org.id, conn.id, server("db-1", "prod", "s1.small", 8192),
               server("dev-1", "dev", "s1.small", 4096))
    assert await evaluate_org(rt, org.id) == []  # the first sync of a connection is not news

    deps.clock.advance(hours=1)
    await sync(deps, org.id, conn.id,
               server("db-1", "prod", "s1.large", 16384, cost="250"),  # resized
               server("dev-1", "dev", "s1.small", 4096, region="ru-7"),  # moved
               server("web-9", "prod", "s1.small", 4096))  # new in production
    events = await evaluate_org(rt, org.id)
    assert sorted(e.payload["values"]["name"] for e in events) == [  # type: ignore[index]
        "db-1", "dev-1", "web-9"]
    assert await Sender(bot, deps.sessions, clock=deps.clock, rates=FAST).drain()
    (group,) = fake.sent(-700)
    assert "Изменение конфигурации: db-1" in group.text
    assert "• конфигурация (flavor): s1.small → s1.large" in group.text
    assert "• ОЗУ, МБ: 8192 → 16384" in group.text
    assert "• регион: ru-1 → ru-7" in group.text
    assert "В продакшене появился новый ресурс." in group.text
    (owner,) = fake.sent(778)
    assert "Configuration change: db-1" in owner.text
    assert "• flavor: s1.small → s1.large" in owner.text
    assert "• RAM, MB: 8192 → 16384" in owner.text
    assert "A new resource appeared in production." in owner.text

    deps.clock.advance(hours=1)  # a cost-only change is not drift
    await sync(deps, org.id, conn.id,
               server("db-1", "prod", "s1.large", 16384, cost="260"),
               server("dev-1", "dev", "s1.small", 4096, region="ru-7"),
               server("web-9", "prod", "s1.small", 4096))
    assert await evaluate_org(rt, org.id) == []

    deps.clock.advance(hours=1)  # web-9 disappears from a complete inventory
    await sync(deps, org.id, conn.id,
               server("db-1", "prod", "s1.large", 16384, cost="260"),
               server("dev-1", "dev", "s1.small", 4096, region="ru-7"))
    (gone,) = await evaluate_org(rt, org.id)
    assert gone.payload["values"] == {"name": "web-9", "what": "deleted", "changes": []}
    await Sender(bot, deps.sessions, clock=deps.clock, rates=FAST).drain()
    assert "Ресурс в продакшене удалён." in fake.sent(-700)[-1].text
