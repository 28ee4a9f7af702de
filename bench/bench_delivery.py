"""Delivery at scale: a daily digest to N recipients (default 10,000), each also getting
`--extra` alerts right behind it (several messages for one chat: Telegram's 1/s per chat), and
`--groups` group chats with `--group-messages` each (20/min per group), through a fake Bot API
that enforces Telegram's limits (30 msg/s overall, 1/s per chat, 20/min per group) on the real
clock. The digest charts are drawn in the worker pool (`core.workers`).

Prints: enqueue time, sustained messages/s (target ≥ 27, i.e. 90 % of the limit), lost = 0,
duplicates = 0, chats whose messages arrived out of order = 0, 429s received, when the private
chats were done versus the groups (a group's backlog must not hold the others back), messages
the sender put back for their chat's later slot; then the CFO brief's render median (≤ 1.5 s)
and one chart (≤ 250 ms). 10,000 recipients × 3 messages take about 18 minutes at 28/s.
Run: `.venv/bin/python -m bench.bench_delivery [--recipients N] [--extra 2] [--groups 10]
[--group-messages 25]` (or via `python -m bench`).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bot.composition import default_adapters  # noqa: E402
from bot.delivery import Sender, SenderRates  # noqa: E402
from core.clock import FrozenClock, SystemClock  # noqa: E402
from core.db import cost_store  # noqa: E402
from core.db.engine import create_engine, session_factory  # noqa: E402
from core.db.migrate import upgrade  # noqa: E402
from core.db.models import Connection, Membership, User  # noqa: E402
from core.jobs.digests import send_digests  # noqa: E402
from core.jobs.runtime import JobRuntime  # noqa: E402
from core.security.vault import Vault  # noqa: E402
from core.services import outbox  # noqa: E402
from core.services.orgs import create_org  # noqa: E402
from renderers.charts.trend import render_trend  # noqa: E402
from renderers.jobs import RENDERING  # noqa: E402
from renderers.pdf import render_brief  # noqa: E402
from tests.renderers import sample_data  # noqa: E402
from tests.support.fake_bot_api import FakeBotApi, TelegramLimits  # noqa: E402
from tests.support.fake_server import run_fake  # noqa: E402

TOKEN = "123456:BENCH"
FIRST_CHAT = 50_000_000
SERVICES = ("Compute", "Storage", "Network", "Database")


class Deps:
    def __init__(self, engine, clock) -> None:
        self.sessions = session_factory(engine)
        self.vault = Vault([b"kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="])
        self.http = httpx.AsyncClient()
        self.clock = clock
        self.adapters = default_adapters()


async def seed(sessions, recipients: int, today) -> None:
    async with sessions() as s, s.begin():
        org = await create_org(s, "Bench Co")
        conn = Connection(org_id=org.id, kind="selectel", name="main", credentials=b"x")
        s.add(conn)
        await s.flush()
        lines = []
        for back in range(1, 41):
            day = today - timedelta(days=back)
            start = datetime.combine(day, dtime(), tzinfo=UTC)
            for i, service in enumerate(SERVICES):
                amount = Decimal(2000 + 500 * i + (back % 7) * 40)
                lines.append({"org_id": org.id, "connection_id": conn.id, "day": day,
                              "charge_period_start": start,
                              "charge_period_end": start + timedelta(days=1),
                              "billed_cost": amount, "effective_cost": amount,
                              "billing_currency": "RUB", "provider": "selectel",
                              "provider_name": "Selectel", "service_name": service})
        await cost_store.write_rows(s, lines, rollup=True)
        for chunk in range(0, recipients, 1000):
            users = [{"telegram_id": FIRST_CHAT + i, "full_name": f"r{i}",
                      "language": "en" if i % 10 == 0 else "ru"}
                     for i in range(chunk, min(recipients, chunk + 1000))]
            ids = (await s.execute(insert(User).returning(User.id), users)).scalars().all()
            await s.execute(insert(Membership), [{"org_id": org.id, "user_id": uid,
                                                  "role": "finance"} for uid in ids])


FIRST_GROUP = -1_000_000_000


async def enqueue_backlogs(sessions, recipients: int, extra: int, groups: int,
                           group_messages: int, now: datetime) -> dict[int, list[str]]:
    """Alerts behind each digest and a backlog for each group; returns chat → texts in order."""
    expected: dict[int, list[str]] = {}
    async with sessions() as s, s.begin():
        for i in range(recipients):
            chat = FIRST_CHAT + i
            expected[chat] = [f"alert {chat} {n}" for n in range(extra)]
        for g in range(groups):
            chat = FIRST_GROUP - g
            expected[chat] = [f"group {chat} {n}" for n in range(group_messages)]
        for chat, texts in expected.items():
            for text in texts:  # the groups' backlog was there first: it is claimed first
                await outbox.enqueue(s, chat_id=chat, kind="text", dedup_key=text,
                                     payload={"text": text},
                                     now=now - timedelta(minutes=1) if chat < 0 else now)
    return expected


async def deliver(engine, recipients: int, extra: int, groups: int,
                  group_messages: int, hold: float) -> None:
    sessions = session_factory(engine)
    real_now = datetime.now(UTC)
    at = datetime.combine(real_now.date() - timedelta(days=1), dtime(6, 0), tzinfo=UTC)
    await seed(sessions, recipients, at.date())  # 09:00 yesterday in Moscow: all due
    deps = Deps(engine, FrozenClock(at))
    started = time.perf_counter()
    queued = await send_digests(JobRuntime(deps=deps, owner="bench", render=RENDERING))
    enqueue_s = time.perf_counter() - started
    await deps.http.aclose()
    print(f"digests enqueued      {queued:>10} in {enqueue_s:.1f} s")
    backlog = await enqueue_backlogs(sessions, recipients, extra, groups, group_messages, at)
    print(f"alerts and group messages enqueued {sum(map(len, backlog.values())):>6}")

    fake = FakeBotApi(TOKEN, limits=TelegramLimits())
    async with run_fake(fake.app) as url:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
        sender = Sender(bot, sessions, clock=SystemClock(), owner="bench", batch=200,
                        rates=SenderRates(hold=hold))
        started = time.perf_counter()
        try:
            while True:
                await sender.drain()  # pipelined: claims ahead while sending
                async with sessions() as s:
                    counts = await outbox.status_counts(s)
                if not counts.get("pending") and not counts.get("sending"):
                    break
                await asyncio.sleep(0.1)  # 429s: rescheduled a second or so later
        finally:
            await bot.session.close()
        wall = time.perf_counter() - started
    ok = [c for c in fake.sent() if c.chat_id is not None]
    by_chat: dict[int, list[Any]] = defaultdict(list)
    for c in ok:
        by_chat[int(c.chat_id or 0)].append(c)
    times = sorted(c.at for c in ok)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    digests = Counter(c.chat_id for c in ok if c.method == "sendPhoto")
    texts = Counter(c.text for c in ok if c.method == "sendMessage")
    lost = (sum(1 for i in range(recipients) if not digests[FIRST_CHAT + i])
            + sum(1 for chat_texts in backlog.values() for t in chat_texts if not texts[t]))
    duplicates = (sum(n - 1 for n in digests.values() if n > 1)
                  + sum(n - 1 for n in texts.values() if n > 1))
    out_of_order = 0
    done: dict[int, float] = {}
    spans: list[float] = []  # a group's first to last message
    for chat, expected_texts in backlog.items():
        calls = by_chat.get(chat, [])
        seen = [c.text for c in calls if c.method == "sendMessage"]
        if chat > 0 and calls and calls[0].method != "sendPhoto":
            out_of_order += 1  # the alert came before the chat's digest
        elif seen != expected_texts:
            out_of_order += 1
        if calls:
            done[chat] = calls[-1].at - times[0]
            if chat < 0:
                spans.append(calls[-1].at - calls[0].at)
    private = sorted(v for k, v in done.items() if k > 0)
    group_done = sorted(v for k, v in done.items() if k < 0)
    gaps = sorted(b - a for a, b in zip(times, times[1:], strict=False))
    print(f"messages delivered    {len(ok):>10} in {wall:.1f} s wall")
    if gaps:
        print(f"gap median / p99 / max {statistics.median(gaps) * 1000:>9.1f} / "
              f"{gaps[int(0.99 * (len(gaps) - 1))] * 1000:.0f} / {gaps[-1] * 1000:.0f} ms")
    print(f"sustained msg/s       {len(ok) / span if span else 0:>10.2f}   (target ≥ 27)")
    print(f"lost                  {lost:>10}   (target 0)")
    print(f"duplicates            {duplicates:>10}   (target 0)")
    if done:
        print(f"chats out of order    {out_of_order:>10}   (target 0)")
    if private:
        in_private = sum(1 for c in ok if c.chat_id and c.chat_id > 0)
        print(f"private chats done    {_pct(private, 50):>8.1f} s median, "
              f"{private[-1]:.1f} s last ({in_private / private[-1]:.1f} msg/s until then)")
    if group_done:
        print(f"groups done           {_pct(group_done, 50):>8.1f} s median, "
              f"{group_done[-1]:.1f} s last; first to last message "
              f"{_pct(sorted(spans), 50):.1f} s median (floor {(group_messages - 1) * 3} s "
              f"at 20/min)")
    print(f"put back for a slot   {sender.deferred:>10}")
    print(f"429s received         {fake.throttled:>10}")
    print(f"outbox states         {dict(counts)}")


def _pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def renders() -> None:
    data = sample_data.brief("ru", "final")
    render_brief(data)  # warm-up: fonts, catalogues
    times = []
    for _ in range(7):
        start = time.perf_counter()
        render_brief(data)
        times.append(time.perf_counter() - start)
    print(f"brief render median   {statistics.median(times):>10.3f} s (target ≤ 1.5)")
    trend = sample_data.trend()
    render_trend(trend, lang="ru")
    times = []
    for _ in range(10):
        start = time.perf_counter()
        render_trend(trend, lang="ru")
        times.append(time.perf_counter() - start)
    print(f"chart render median   {statistics.median(times) * 1000:>10.0f} ms (target ≤ 250)")


async def run(recipients: int, extra: int, groups: int, group_messages: int,
              hold: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await upgrade(engine)
        try:
            await deliver(engine, recipients, extra, groups, group_messages, hold)
        finally:
            await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--extra", type=int, default=2, help="alerts behind each digest")
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--group-messages", type=int, default=25)
    parser.add_argument("--hold", type=float, default=SenderRates().hold,
                        help="seconds of a chat's backlog kept in memory (1e9: never put back, "
                             "the sender before per-chat scheduling)")
    args = parser.parse_args(argv)
    print(f"digest + {args.extra} alerts to {args.recipients} recipients, {args.group_messages} "
          f"messages to each of {args.groups} groups, through Telegram's limits (real clock)")
    asyncio.run(run(args.recipients, args.extra, args.groups, args.group_messages, args.hold))
    renders()


if __name__ == "__main__":
    main()
