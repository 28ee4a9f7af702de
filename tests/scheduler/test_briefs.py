"""Scheduled briefs: defaults per finance member, Monday / the 1st at 09:00, preliminary then
final with what changed, delivered as PDF documents through the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select, text, update

from bot.delivery import Sender, SenderRates
from core.db.models import Connection, OutboxMessage, ReportSchedule
from core.domain.reports import BriefData
from core.jobs.briefs import CLAIM_TTL, due_period, ensure_default_schedules, send_briefs
from core.jobs.runtime import JobRuntime
from core.services.leases import acquire_job
from renderers.jobs import JobRenderers
from tests.alerts import factory
from tests.scheduler.conftest import Deps, runtime
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_server import run_fake
from tests.support.swaps import end_swap, swapping

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


SUNDAY_9_MSK = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # October and the week of 19 Oct due


async def _schedules(deps: Deps) -> dict[str, int]:
    """An org with October's costs and a finance member with the default schedules; returns
    the schedule ids by frequency. The clock stands at Sunday 1 November, 09:00 in Moscow."""
    async with deps.sessions() as s, s.begin():
        org = await factory.org(s)
        conn = await factory.connection(s, org.id)
        await factory.costs(s, conn, factory.series(date(2026, 10, 31), 61, 10000))
        await factory.member(s, org.id, CFO, "finance", language="ru")
        assert await ensure_default_schedules(s) == 1
    deps.clock.at = SUNDAY_9_MSK
    async with deps.sessions() as s:
        return {x.frequency: x.id for x in (await s.execute(select(ReportSchedule))).scalars()}


async def _documents(deps: Deps) -> list[str]:
    async with deps.sessions() as s:
        return sorted((await s.execute(select(OutboxMessage.dedup_key).where(
            OutboxMessage.kind == "document"))).scalars())


async def test_two_workers_at_once_send_each_brief_exactly_once(deps: Deps) -> None:
    ids = await _schedules(deps)
    a, b = runtime(deps, "a"), runtime(deps, "b")
    first, second = await asyncio.gather(send_briefs(a), send_briefs(b))
    assert first + second == 2
    assert await _documents(deps) == sorted([f"brief:{ids['monthly']}:2026-10:preliminary",
                                             f"brief:{ids['weekly']}:2026-W43:weekly"])
    assert await send_briefs(a) + await send_briefs(b) == 0


async def test_two_workers_making_the_defaults_at_once_make_one_pair(deps: Deps) -> None:
    """Both see a finance member without schedules; the unique constraint lets one pair in
    and the other worker skips it instead of failing, so no brief goes out twice."""
    async with deps.sessions() as s, s.begin():
        org = await factory.org(s)
        await factory.member(s, org.id, CFO, "finance", language="ru")

    async def make() -> int:
        async with deps.sessions() as s, s.begin():
            return await ensure_default_schedules(s)

    made = await asyncio.gather(make(), make())
    assert sorted(made) == [0, 1]
    async with deps.sessions() as s:
        schedules = (await s.execute(select(ReportSchedule))).scalars().all()
    assert sorted(x.frequency for x in schedules) == ["monthly", "weekly"]


class _EditsWhileRendering(JobRenderers):
    """The real renderers; before each PDF another connection writes the recipient's schedules
    (as /settings would), waiting at most two seconds for a row lock."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.edits = 0

    async def brief_pdf(self, data: BriefData) -> bytes:
        async with self.deps.sessions() as s, s.begin():
            if s.get_bind().dialect.name == "postgresql":
                await s.execute(text("SET LOCAL lock_timeout = '2s'"))
            await s.execute(update(ReportSchedule).where(ReportSchedule.chat_id == CFO)
                            .values(language="en"))
        self.edits += 1
        return await super().brief_pdf(data)


async def test_no_lock_is_held_on_the_schedule_while_the_pdf_renders(deps: Deps) -> None:
    ids = await _schedules(deps)
    render = _EditsWhileRendering(deps)
    assert await send_briefs(JobRuntime(deps=deps, owner="w", render=render)) == 2
    assert render.edits == 2  # neither edit waited on the job's lock (nor timed out)
    async with deps.sessions() as s:
        monthly = await s.get(ReportSchedule, ids["monthly"])
    assert monthly is not None
    assert monthly.language == "en"  # the edit stands
    assert monthly.state["sent"] == {"2026-10": "preliminary"}


class _DiesOnce(JobRenderers):
    """The real renderers, except that the first PDF crashes (a worker killed mid-render)."""

    died = False

    async def brief_pdf(self, data: BriefData) -> bytes:
        if not self.died:
            self.died = True
            raise RuntimeError("renderer died")
        return await super().brief_pdf(data)


async def test_a_brief_whose_rendering_failed_is_sent_by_the_next_tick_once(
        deps: Deps) -> None:
    ids = await _schedules(deps)
    crashing = JobRuntime(deps=deps, owner="a", render=_DiesOnce())
    assert await send_briefs(crashing) == 1  # the weekly one died; the monthly one went out
    assert await _documents(deps) == [f"brief:{ids['monthly']}:2026-10:preliminary"]
    assert await send_briefs(runtime(deps, "b")) == 1  # claim given back: no wait for expiry
    assert await send_briefs(runtime(deps, "b")) == 0
    assert len(await _documents(deps)) == 2


async def test_a_claim_left_by_a_dead_worker_expires_and_the_brief_follows(deps: Deps) -> None:
    ids = await _schedules(deps)
    async with deps.sessions() as s, s.begin():  # a worker claimed the weekly brief and died
        assert await acquire_job(s, f"brief:{ids['weekly']}", owner="dead",
                                 now=deps.clock.now(), ttl=CLAIM_TTL)
    assert await send_briefs(runtime(deps, "b")) == 1  # only the monthly one
    deps.clock.advance(seconds=CLAIM_TTL.total_seconds())
    assert await send_briefs(runtime(deps, "b")) == 1
    assert await _documents(deps) == sorted([f"brief:{ids['monthly']}:2026-10:preliminary",
                                             f"brief:{ids['weekly']}:2026-W43:weekly"])


async def test_a_brief_waits_while_a_file_import_switches_the_orgs_days(
        sqlite_deps: Deps) -> None:
    """Mid-swap (SQLite) part of the month shows a file's new lines and the rest the old: no
    brief is made of that; the next tick after the swap sends it, once."""
    deps = sqlite_deps
    async with deps.sessions() as s, s.begin():
        org = await factory.org(s)
        conn = await factory.connection(s, org.id)
        await factory.costs(s, conn, factory.series(date(2026, 10, 31), 61, 10000))
        await factory.member(s, org.id, CFO, "finance", language="ru")
        swap = swapping(org.id, conn.id, "aws", date(2026, 10, 1), date(2026, 10, 31),
                        started_at=datetime(2026, 11, 1, 5, 59, tzinfo=UTC))
        s.add(swap)
    rt = runtime(deps, "w")
    deps.clock.at = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # Sunday 1 Nov, 09:00 in Moscow
    assert await send_briefs(rt) == 0
    async with deps.sessions() as s:
        assert (await s.execute(select(OutboxMessage))).first() is None

    async with deps.sessions() as s, s.begin():  # the swap's last step
        await end_swap(s, swap.id)
    deps.clock.advance(minutes=5)
    assert await send_briefs(rt) == 2  # October (preliminary) and the week of 19 October
    assert await send_briefs(rt) == 0
