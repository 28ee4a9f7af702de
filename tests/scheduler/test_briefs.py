"""Scheduled briefs: defaults per finance member, Monday / the 1st at 09:00, preliminary then
final with what changed, delivered as PDF documents through the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.delivery import Sender, SenderRates
from core.db.models import Connection, ReportSchedule
from core.jobs.briefs import due_period, send_briefs
from tests.alerts import factory
from tests.scheduler.conftest import Deps, runtime
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_server import run_fake

TOKEN = "123456:TEST-briefs"
FAST = SenderRates(global_per_second=10_000, chat_interval=0.0001, group_interval=0.0001)
CFO = 9100
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeBotApi, Bot]]:
    fake = FakeBotApi(TOKEN)
    async with run_fake(fake.app) as url:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
        try:
            yield fake, bot
        finally:
            await bot.session.close()


@pytest.mark.parametrize(("frequency", "local", "period"), [
    ("weekly", datetime(2026, 11, 9, 8, 59, tzinfo=MSK), None),
    ("weekly", datetime(2026, 11, 9, 9, 0, tzinfo=MSK), "2026-W45"),
    ("monthly", datetime(2026, 11, 1, 8, 59, tzinfo=MSK), None),
    ("monthly", datetime(2026, 11, 1, 9, 0, tzinfo=MSK), "2026-10"),
])
def test_due_period_starts_at_the_scheduled_local_moment(frequency: str, local: datetime,
                                                         period: str | None) -> None:
    schedule = ReportSchedule(frequency=frequency, weekday=0, day_of_month=1, hour=9)
    due = due_period(schedule, local)
    assert (due.key if due else None) == period


async def test_monthly_preliminary_then_final_with_changes_and_weekly_briefs(
        sqlite_deps: Deps, telegram: tuple[FakeBotApi, Bot]) -> None:
    deps = sqlite_deps
    fake, bot = telegram
    async with deps.sessions() as s, s.begin():
        org = await factory.org(s)
        conn = await factory.connection(s, org.id)
        await factory.costs(s, conn, factory.series(date(2026, 10, 31), 61, 10000))
        await factory.member(s, org.id, CFO, "finance", language="ru")
        await factory.member(s, org.id, 9101, "member")  # not finance: no schedule
    rt = runtime(deps, "w")
    sender = Sender(bot, deps.sessions, clock=deps.clock, rates=FAST)

    deps.clock.at = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # Sunday 1 Nov, 09:00 in Moscow
    assert await send_briefs(rt) == 2  # October (preliminary) and the week of 19 October
    assert await send_briefs(rt) == 0
    async with deps.sessions() as s:
        schedules = (await s.execute(select(ReportSchedule))).scalars().all()
    assert sorted(x.frequency for x in schedules) == ["monthly", "weekly"]
    assert {x.chat_id for x in schedules} == {CFO}

    async with deps.sessions() as s, s.begin():  # the provider adjusts October afterwards
        c = await s.get(Connection, conn.id)
        assert c is not None
        await factory.costs(s, c, [(date(2026, 10, 30), Decimal(5000))], service="Storage")
    deps.clock.at = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)  # the 10th: October is final
    assert await send_briefs(rt) == 2  # October final and the week of 2 November
    await sender.drain()
    docs = fake.sent(CFO)
    assert len(docs) == 4
    assert all(d.files["document"].startswith(b"%PDF") for d in docs)
    captions = [d.text for d in docs]
    assert sum("Предварительная версия" in c for c in captions) == 1
    final = next(c for c in captions if c.startswith("📄 Итоговая сводка за Октябрь 2026"))
    assert "315\xa0000\xa0₽" in final  # 31 × 10 000 + 5 000
    assert "Σ +5\xa0000\xa0₽" in final  # what changed since the preliminary edition
    assert sum(c.startswith("📄 Недельная сводка") for c in captions) == 2
    deps.clock.advance(days=1)
    assert await send_briefs(rt) == 0  # the final edition is sent once
