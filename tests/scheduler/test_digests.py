"""Digests at 09:00 local time across time zones, with content, through the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.delivery import Sender, SenderRates
from core.db.models import (
    AlertEvent,
    Budget,
    Connection,
    NotificationPreference,
    Recommendation,
)
from core.jobs.digests import send_digests
from tests.alerts import factory
from tests.scheduler.conftest import Deps, runtime
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_server import run_fake
from tests.support.swaps import end_swap, swapping

TOKEN = "123456:TEST-digest"
FAST = SenderRates(global_per_second=10_000, chat_interval=0.0001, group_interval=0.0001)
MOSCOW, VLADIVOSTOK, OPTED_OUT = 9001, 9002, 9003


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeBotApi, Bot]]:
    fake = FakeBotApi(TOKEN)
    async with run_fake(fake.app) as url:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
        try:
            yield fake, bot
        finally:
            await bot.session.close()


async def _org(deps: Deps) -> int:
    async with deps.sessions() as s, s.begin():
        org = await factory.org(s)  # Europe/Moscow
        conn = await factory.connection(s, org.id)
        days = factory.series(date(2026, 11, 18), 40, 10000) + [(date(2026, 11, 19),
                                                                 Decimal(12000))]
        await factory.costs(s, conn, days)
        s.add(Budget(org_id=org.id, name="Cloud", amount=Decimal(400000)))
        s.add(Recommendation(org_id=org.id, dedup_key="r1", kind="idle", title="Stop idle-vm",
                             monthly_saving=Decimal(3000),
                             created_at=datetime(2026, 11, 19, 12, tzinfo=UTC)))
        s.add(AlertEvent(org_id=org.id, rule="zombie", severity="warning", dedup_key="z",
                         payload={"money": {"monthly": "3000"}, "values": {"name": "old-vm"}},
                         created_at=datetime(2026, 11, 19, 12, tzinfo=UTC)))
        await factory.member(s, org.id, MOSCOW, "owner", language="ru")
        await factory.member(s, org.id, VLADIVOSTOK, "finance", language="en",
                             timezone="Asia/Vladivostok")
        out = await factory.member(s, org.id, OPTED_OUT, "admin")
        s.add(NotificationPreference(user_id=out.id, org_id=org.id, digest_enabled=False))
        return org.id


async def test_digest_goes_out_at_nine_in_each_recipients_time_zone(
        sqlite_deps: Deps, telegram: tuple[FakeBotApi, Bot]) -> None:
    deps = sqlite_deps
    fake, bot = telegram
    await _org(deps)
    rt = runtime(deps, "w")
    sender = Sender(bot, deps.sessions, clock=deps.clock, rates=FAST)

    deps.clock.at = datetime(2026, 11, 19, 22, 59, tzinfo=UTC)  # 08:59 Vladivostok, 01:59 MSK
    assert await send_digests(rt) == 0
    deps.clock.advance(minutes=1)  # 09:00 on 20 November in Vladivostok
    assert await send_digests(rt) == 1
    assert await send_digests(rt) == 0  # once per local day
    await sender.drain()
    (vlad,) = fake.sent(VLADIVOSTOK)
    assert vlad.text.startswith("📊 Digest for November 19")
    assert fake.sent(MOSCOW) == []

    deps.clock.at = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    assert await send_digests(rt) == 1
    await sender.drain()
    (moscow,) = fake.sent(MOSCOW)
    assert moscow.text.startswith("📊 Сводка за 19 ноября")
    assert fake.sent(OPTED_OUT) == []

    deps.clock.advance(days=1)  # the next morning: a new day, a new digest each
    assert await send_digests(rt) == 2


async def test_digest_content_and_one_shared_chart(sqlite_deps: Deps,
                                                   telegram: tuple[FakeBotApi, Bot]) -> None:
    deps = sqlite_deps
    fake, bot = telegram
    org_id = await _org(deps)
    async with deps.sessions() as s, s.begin():
        second = await factory.member(s, org_id, 9004, "finance", language="ru")
        assert second.id
    deps.clock.at = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    assert await send_digests(runtime(deps, "w")) == 3  # both Moscow members + Vladivostok
    await Sender(bot, deps.sessions, clock=deps.clock, rates=FAST).drain()
    (first,) = fake.sent(MOSCOW)
    (other,) = fake.sent(9004)
    text = first.text
    assert "Вчера: 12\xa0000\xa0₽ (+20% к позавчера, +20% к среднему за неделю)" in text
    assert "С начала месяца: 192\xa0000\xa0₽ из 400\xa0000\xa0₽ бюджета (48%)" in text
    assert "Прогноз на месяц:" in text
    assert "• Compute: +2\xa0000\xa0₽" in text
    assert "• Stop idle-vm — 3\xa0000\xa0₽/мес" in text
    assert "🔔 Открытых оповещений: 1" in text
    assert "Зомби-ресурс: old-vm" in text
    assert first.files["photo"].startswith(b"\x89PNG")  # the chart, uploaded once …
    assert other.params["photo"] == "photo-1"
    assert not other.files
    assert other.text == text


async def test_a_digest_waits_while_a_file_import_switches_the_orgs_days(
        sqlite_deps: Deps, telegram: tuple[FakeBotApi, Bot]) -> None:
    """Mid-swap (SQLite) some of the month's days show a file's new lines and the rest the
    old: the digest is not sent with that month; it goes at the next tick after the swap."""
    deps = sqlite_deps
    fake, bot = telegram
    org_id = await _org(deps)
    async with deps.sessions() as s, s.begin():
        conn_id = (await s.execute(select(Connection.id).where(
            Connection.org_id == org_id))).scalar_one()
        swap = swapping(org_id, conn_id, "aws", date(2026, 11, 1), date(2026, 11, 19),
                        started_at=datetime(2026, 11, 20, 5, 59, tzinfo=UTC))
        s.add(swap)
    rt = runtime(deps, "w")
    deps.clock.at = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    assert await send_digests(rt) == 0
    await Sender(bot, deps.sessions, clock=deps.clock, rates=FAST).drain()
    assert fake.sent(MOSCOW) == []

    async with deps.sessions() as s, s.begin():  # the swap's last step
        await end_swap(s, swap.id)
    deps.clock.advance(minutes=5)
    assert await send_digests(rt) == 2  # Moscow, and Vladivostok (past nine there too)
    await Sender(bot, deps.sessions, clock=deps.clock, rates=FAST).drain()
    (moscow,) = fake.sent(MOSCOW)
    assert moscow.text.startswith("📊 Сводка за 19 ноября")
