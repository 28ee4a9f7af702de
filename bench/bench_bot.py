"""Bot answers as users feel them: 200 simulated users × 20 mixed questions (charts included)
over the demo org with a year of history, 20 users asking at once (each in their own chat),
through the production dispatcher (`feed_update`) and a Bot pointed at the fake Bot API on
loopback (every reply is a real HTTP round trip), on SQLite and on a throwaway PostgreSQL.

A question is timed from its update to the LAST Bot API call it causes (the text, then the
chart drawn in the worker pool): how many calls each question causes is counted once per
question and language before the run, and each user waits for all of them before asking the
next question, as a person would. Figures: p50 / p95 / p99 / max per engine, per question, and
the handler-only latency for comparison. Targets (issue 16): p50 ≤ 50 ms, p99 ≤ 300 ms.

Where the time goes, per stage: computing the answer (`ask.execute`: the SQL and the
arithmetic), each Bot API call by method (a loopback HTTP round trip), and each chart split
into its wait for the worker pool (queue, pickling) and its render in the worker (wall and
CPU); SQL statements per question are counted while calibrating (one question at a time).
All 200 users are members of one org, so after the first drawing of each chart (per language)
the answer charts come from the render cache; `--no-chart-cache` draws every one of them.
The load average (`uptime`) is printed before and after: other work on the machine moves
every figure.

With no pause between a user's questions (the default) the run is a saturation test: latency
is then about concurrency ÷ throughput. `--think S` gives each user a pause of S seconds on
average (exponential) before each question, as people read an answer first (and start their
sessions at random moments): 20 users in session at once, not 20 requests in flight at every
moment.

`--dataset year-10m` asks the same questions of a year of a large account instead (10M cost
lines, `bench.year_dataset`: built on first use, then reused from `bench/.cache/`), with the
bench users as viewers of that org.

Run: `.venv/bin/python -m bench.bench_bot [--users 200] [--questions 20] [--concurrency 20]
[--engines sqlite,postgres] [--no-chart-cache] [--think 5] [--dataset year-10m]`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from sqlalchemy import event, select

from bench import year_dataset
from bot.composition import open_app
from bot.factory import build_bot, build_dispatcher
from bot.features.questions import drawing, handlers, reply
from bot.runner import freeze_startup_heap
from core.clock import FrozenClock
from core.db import cost_store
from core.db.engine import create_engine
from core.db.migrate import upgrade
from core.db.models import CostLine
from core.domain.roles import Role
from core.security.vault import Vault
from core.services.demo import seed_demo
from core.services.orgs import ensure_user, set_membership
from core.services.users import set_active_org
from core.settings import load_settings
from core.tasks import default_tasks
from core.workers import cpu_pool, run_cpu
from tests.support.fake_bot_api import Call, FakeBotApi
from tests.support.fake_server import run_fake

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TOKEN = "123456789:BENCH-token-for-the-fake-bot-api"
KEY = b"kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="
EXTRA_DAYS = 182  # the demo seeds 180 days; shifting 26 weeks back makes 362 (a year)
FIRST_USER = 500_000

QUESTIONS: tuple[tuple[str, str], ...] = (
    ("command", "/spend"), ("command", "/top"), ("command", "/resources"),
    ("command", "/recs"), ("command", "/budget"), ("command", "/forecast"),
    ("command", "/anomalies"), ("command", "/chart"), ("command", "/menu"),
    ("command", "/connections"),
    ("text", "сколько потратили на Selectel в октябре?"),
    ("text", "расходы за прошлую неделю по проекту core-api"),
    ("text", "топ 5 самых дорогих ресурсов за последние 30 дней"),
    ("text", "прогноз на конец месяца"),
    ("text", "динамика расходов с начала года"),
    ("text", "how much did we spend last month?"),
    ("text", "top 10 services in Q3"),
    ("text", "spend on Beget year to date"),
    ("text", "show anomalies last 30 days"),
    ("text", "что-то непонятное про котиков"),
)


async def _extend_history(session: Any, org_id: int) -> int:
    """Copy the first 26 weeks back in time at 93 %: a year of history, weekdays aligned."""
    first = TODAY - timedelta(days=180)
    rows = (await session.execute(select(CostLine).where(
        CostLine.org_id == org_id, CostLine.day < first + timedelta(days=EXTRA_DAYS)))).scalars()
    shift = timedelta(days=EXTRA_DAYS)
    batch: list[dict[str, Any]] = []
    for line in rows:
        amount = (line.billed_cost * 93 / 100).quantize(line.billed_cost)
        batch.append({
            "org_id": line.org_id, "connection_id": line.connection_id,
            "resource_id": line.resource_id, "day": line.day - shift,
            "charge_period_start": line.charge_period_start - shift,
            "charge_period_end": line.charge_period_end - shift, "billed_cost": amount,
            "effective_cost": amount, "list_cost": amount,
            "billing_currency": line.billing_currency, "provider": line.provider,
            "provider_name": line.provider_name, "service_name": line.service_name,
            "service_category": line.service_category, "charge_category": line.charge_category,
            "resource_external_id": line.resource_external_id,
            "resource_name": line.resource_name, "resource_type": line.resource_type,
            "region_id": line.region_id, "sub_account_id": line.sub_account_id,
            "sub_account_name": line.sub_account_name, "tags": line.tags, "source": "bench"})
    await cost_store.write_rows(session, batch, rollup=True)
    return len(batch)


async def _prepare(url: str, users: int) -> tuple[int, int]:
    engine = create_engine(url)
    await upgrade(engine)
    from core.db.engine import session_factory

    async with session_factory(engine)() as session:
        summary = await seed_demo(session, Vault([KEY]), today=TODAY)
        extra = await _extend_history(session, summary.org_id)
        for i in range(users):
            user = await ensure_user(session, FIRST_USER + i, full_name=f"Bench {i}",
                                     language="ru" if i % 3 else "en")
            await set_membership(session, summary.org_id, user.id, Role.VIEWER)
            await set_active_org(session, user.id, summary.org_id)
        await session.commit()
    await engine.dispose()
    return summary.org_id, summary.cost_lines + extra


async def _join(url: str, org_id: int, users: int) -> None:
    """The bench users as viewers of an org already there (the year-10m dataset)."""
    engine = create_engine(url)
    from core.db.engine import session_factory

    async with session_factory(engine)() as session:
        for i in range(users):
            user = await ensure_user(session, FIRST_USER + i, full_name=f"Bench {i}",
                                     language="ru" if i % 3 else "en")
            await set_membership(session, org_id, user.id, Role.VIEWER)
            await set_active_org(session, user.id, org_id)
        await session.commit()
    await engine.dispose()


class CallLog(list[Call]):
    """The fake's call list that also tells waiting users when their chat got a call."""

    def __init__(self) -> None:
        super().__init__()
        self.per_chat: dict[int, list[float]] = defaultdict(list)
        self.changed: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def append(self, call: Call) -> None:
        super().append(call)
        if call.chat_id is not None:
            self.per_chat[call.chat_id].append(call.at)
            self.changed[call.chat_id].set()


def _lang(user_id: int) -> str:
    return "en" if (user_id - FIRST_USER) % 3 == 0 else "ru"


def _timed_call(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    """`fn` in a worker, with its wall and CPU seconds there (module-level: it is pickled)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


class Stages:
    """Durations of the parts of an answer, by stage name, and SQL statements run."""

    def __init__(self) -> None:
        self.spans: dict[str, list[float]] = defaultdict(list)
        self.statements = 0

    def timed(self, name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                self.spans[name].append(time.perf_counter() - start)
        return wrapper

    async def run_cpu(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """What `drawing` submits to the pool, split into waiting and rendering."""
        start = time.perf_counter()
        result, wall, cpu = await run_cpu(_timed_call, fn, *args, **kwargs)
        self.spans["chart: pool wait (queue, pickling)"].append(
            time.perf_counter() - start - wall)
        self.spans["chart: render in worker, wall"].append(wall)
        self.spans["chart: render in worker, CPU"].append(cpu)
        return result

    def install(self, bot: Bot, engine: Any) -> None:
        """Wrap the stages in timers (the bench's process only; the bot's code is unchanged)."""
        execute = "answer: ask.execute (SQL + compute)"
        reply.execute = self.timed(execute, reply.execute)  # type: ignore[attr-defined]
        handlers.execute = self.timed(execute, handlers.execute)  # type: ignore[attr-defined]
        drawing.run_cpu = self.run_cpu  # type: ignore[attr-defined]
        reply.draw_chart = self.timed(  # type: ignore[attr-defined]
            "chart: draw_chart (cache or pool)", drawing.draw_chart)
        make_request = bot.session.make_request

        async def request(bot: Bot, method: Any, **timeout: Any) -> Any:
            start = time.perf_counter()
            try:
                return await make_request(bot, method, **timeout)
            finally:
                self.spans[f"bot api: {type(method).__name__}"].append(
                    time.perf_counter() - start)
        bot.session.make_request = request  # type: ignore[method-assign,assignment]

        def count(*_: Any) -> None:
            self.statements += 1
        event.listen(engine.sync_engine, "before_cursor_execute", count)


class Sim:
    """Feeds updates the way Telegram would and times each to its last Bot API call."""

    def __init__(self, bot: Bot, dp: Dispatcher, log: CallLog) -> None:
        self.bot, self.dp, self.log = bot, dp, log
        self.ids = itertools.count(1)
        self.expected: dict[tuple[str, str], int] = {}  # (question, lang) → Bot API calls
        self.statements: dict[tuple[str, str], int] = {}  # (question, lang) → SQL statements
        self.stages = Stages()
        self.times: dict[str, list[float]] = defaultdict(list)  # to the last call
        self.handler: list[float] = []  # update in → handler done
        self.short = 0  # questions whose calls did not all arrive within the timeout
        self.failed = 0  # updates whose handler raised (e.g. no pooled connection in time)

    async def _feed(self, user_id: int, text: str) -> float:
        user = {"id": user_id, "is_bot": False, "first_name": "Bench",
                "language_code": _lang(user_id)}
        update = Update.model_validate({"update_id": next(self.ids), "message": {
            "message_id": next(self.ids), "date": int(time.time()), "text": text,
            "chat": {"id": user_id, "type": "private", "first_name": "Bench"}, "from": user}},
            context={"bot": self.bot})
        start = time.perf_counter()
        try:
            await self.dp.feed_update(self.bot, update)
        except Exception as exc:  # polling logs it and goes on; the user gets no answer
            self.failed += 1
            if self.failed <= 3:
                print(f"update failed: {exc!r}"[:300])
        self.handler.append(time.perf_counter() - start)
        return start

    async def calibrate(self, user_id: int, text: str) -> None:
        """Count the calls this question causes (handler and background chart together)."""
        before, statements = len(self.log.per_chat[user_id]), self.stages.statements
        await self._feed(user_id, text)
        await default_tasks().wait_all()
        self.expected[(text, _lang(user_id))] = len(self.log.per_chat[user_id]) - before
        self.statements[(text, _lang(user_id))] = self.stages.statements - statements

    async def ask(self, user_id: int, text: str, patience: float = 20.0) -> None:
        calls = self.log.per_chat[user_id]
        target = len(calls) + self.expected[(text, _lang(user_id))]
        start = await self._feed(user_id, text)
        event = self.log.changed[user_id]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while len(calls) < target and loop.time() < deadline:
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), deadline - loop.time())
            except TimeoutError:
                break
        if len(calls) < target:
            self.short += 1
        last = calls[min(target, len(calls)) - 1] if calls else start
        self.times[text].append(max(0.0, last - start))


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def _load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


async def _measure(url: str, users: int, questions: int, concurrency: int,
                   chart_cache: bool = True, think: float = 0.0,
                   dataset: year_dataset.YearDataset | None = None) -> None:
    t0 = time.perf_counter()
    if dataset is None:
        _org, lines = await _prepare(url, users)
        print(f"seeded demo + a year of history: {lines} cost lines "
              f"in {time.perf_counter() - t0:.1f} s")
    else:
        await _join(url, dataset.org_id, users)
        print(f"dataset {year_dataset.NAME}: {dataset.lines:,} cost lines, "
              f"{dataset.meta.get('rollup_rows', 0):,} rollup rows (cached)")
    fake = FakeBotApi(clock=time.perf_counter)
    log = fake.calls = CallLog()
    async with run_fake(fake.app) as base_url:
        settings = load_settings(BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=base_url,
                                 DATABASE_URL=url)
        async with open_app(settings, migrate=False, vault=Vault([KEY]),
                            clock=FrozenClock(NOW)) as ctx:
            bot = build_bot(settings)
            dp = build_dispatcher(ctx, throttle=(10_000, 1))
            sim = Sim(bot, dp, log)
            sim.stages.install(bot, ctx.engine)
            drawing.chart_cache.clear()
            drawing.chart_cache.max_bytes = 32 << 20 if chart_cache else 0
            await cpu_pool().warm()  # as a running bot would be after its first charts
            freeze_startup_heap()  # as `run_bot` does before its first update
            for _kind, text in QUESTIONS:  # warm-up, and how many calls each question makes
                await sim.calibrate(FIRST_USER, text)
                await sim.calibrate(FIRST_USER + 1, text)
            sim.handler.clear()
            sim.stages.spans.clear()
            hits, misses = drawing.chart_cache.hits, drawing.chart_cache.misses
            print(_load())
            rng = random.Random(42)
            plans = [[QUESTIONS[(u + q) % len(QUESTIONS)] for q in range(questions)]
                     for u in range(users)]
            for plan in plans:
                rng.shuffle(plan)
            gate = asyncio.Semaphore(concurrency)

            pauses = random.Random(7)

            async def user(u: int) -> None:
                async with gate:
                    for _kind, text in plans[u]:
                        # reading the answer before asking again; before the first question
                        # too: people start their sessions at random moments, not all 20 in
                        # the same millisecond (that volley is the saturation test's case)
                        if think:
                            await asyncio.sleep(pauses.expovariate(1 / think))
                        await sim.ask(FIRST_USER + u, text)

            t1, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(user(u) for u in range(users)))
            wall = time.perf_counter() - t1
            cpu = time.process_time() - cpu
            await default_tasks().wait_all()
            await bot.session.close()
            print(f"bot process CPU (event loop and its threads, not the chart workers): "
                  f"{cpu:.1f} s in {wall:.1f} s, {1000 * cpu / (users * questions):.1f} ms "
                  f"an answer")
            print(f"{_load()}; chart cache {'on' if chart_cache else 'off'}: "
                  f"{drawing.chart_cache.hits - hits} hits, "
                  f"{drawing.chart_cache.misses - misses} drawn")
    _report(sim, fake, users, users * questions, wall, concurrency, think)


async def run(users: int, questions: int, concurrency: int, engines: list[str],
              chart_cache: bool = True, think: float = 0.0, dataset: str = "demo") -> None:
    for kind in engines:
        print(f"== {kind}")
        if dataset == year_dataset.NAME:
            async with year_dataset.served(kind) as data:
                await _measure(data.url, users, questions, concurrency, chart_cache, think,
                               data)
        elif kind == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                await _measure(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", users,
                               questions, concurrency, chart_cache, think)
        elif kind == "postgres":
            from tests.support.postgres import start_postgres

            server = start_postgres()
            try:
                await _measure(server.url, users, questions, concurrency, chart_cache,
                               think)
            finally:
                server.stop()
        else:
            raise SystemExit(f"unknown engine {kind!r}: sqlite or postgres")


def _report(sim: Sim, fake: FakeBotApi, users: int, total: int, wall: float,
            concurrency: int, think: float = 0.0) -> None:
    everything = [t for values in sim.times.values() for t in values]
    pace = f", reading {think:g} s on average between questions" if think else \
        ", each asking again as soon as answered (saturation)"
    print(f"{total} questions from {users} users, {concurrency} at once{pace}: "
          f"{wall:.1f} s ({total / wall:.0f} answers/s)")
    print(f"to the last Bot API call, ms: p50 {_pct(everything, 50):.1f}  "
          f"p95 {_pct(everything, 95):.1f}  p99 {_pct(everything, 99):.1f}  "
          f"max {max(everything) * 1000:.1f}  mean {statistics.fmean(everything) * 1000:.1f}"
          f"   (targets: p50 ≤ 50, p99 ≤ 300)")
    print(f"handler only, ms:           p50 {_pct(sim.handler, 50):.1f}  "
          f"p95 {_pct(sim.handler, 95):.1f}  p99 {_pct(sim.handler, 99):.1f}")
    print(f"{'stage':<52}{'n':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'mean':>8}")
    for name, values in sorted(sim.stages.spans.items()):
        print(f"{name[:50]:<52}{len(values):>6}{_pct(values, 50):>8.1f}{_pct(values, 95):>8.1f}"
              f"{_pct(values, 99):>8.1f}{statistics.fmean(values) * 1000:>8.1f}")
    print(f"{'question':<52}{'calls':>6}{'sql':>6}{'n':>5}{'p50':>8}{'p95':>8}{'p99':>8}")
    for text, values in sorted(sim.times.items(), key=lambda kv: -_pct(kv[1], 99)):
        calls = "/".join(str(sim.expected.get((text, lang), "?")) for lang in ("ru", "en"))
        sql = max(sim.statements.get((text, lang), 0) for lang in ("ru", "en"))
        print(f"{text[:50]:<52}{calls:>6}{sql:>6}{len(values):>5}{_pct(values, 50):>8.1f}"
              f"{_pct(values, 95):>8.1f}{_pct(values, 99):>8.1f}")
    photos = sum(1 for c in fake.calls if c.method == "sendPhoto")
    errors = sum(1 for c in fake.calls if c.status != 200)
    print(f"bot API calls: {len(fake.calls)} ({photos} photos, {errors} non-200); "
          f"questions short of their calls: {sim.short}; updates that failed: {sim.failed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=20,
                        help="users asking at the same time (1 = one after another)")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a user reads an answer before the next question "
                             "(exponential; 0 = ask again at once, a saturation test)")
    parser.add_argument("--no-chart-cache", action="store_true",
                        help="draw every chart (as for many orgs with different data)")
    parser.add_argument("--dataset", choices=("demo", year_dataset.NAME), default="demo",
                        help="the demo org with a year of history, or a year of a large "
                             "account (10M cost lines, built once into bench/.cache/)")
    args = parser.parse_args()
    asyncio.run(run(args.users, args.questions, args.concurrency, args.engines.split(","),
                    not args.no_chart_cache, args.think, args.dataset))


if __name__ == "__main__":
    main()
