"""The embedded default keeps answering while a big file imports (SQLite, the production
dispatcher, the fake Bot API).

An admin sends a 501,000-row FOCUS export (one row per resource and day, gzipped) to the bot;
while it imports, members ask "how much did we spend this month?" and newcomers send `/start`
and the same question, again and again. Every update gets its reply (none fails, none is
dropped), the import ends with the file's row count and exact total, and the reply latency seen
meanwhile is printed (`-s` shows it; not asserted: the machine's load decides it).
"""

from __future__ import annotations

import asyncio
import gzip
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import FrozenClock
from core.db.models import Connection, CostLine, JobLease, cost_line_staging
from core.domain.roles import Role
from core.security.vault import Vault
from core.tasks import default_tasks
from tests.bot.harness import BotHarness, ChatClient, running_bot
from tests.bot.seed import org_with
from tests.reliability.focus_file import daily_focus_file

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ADMIN = 5001
MEMBERS = (5002, 5003, 5004)
QUESTION = "сколько потратили в этом месяце?"
PAUSE = 0.3  # seconds between one person's messages
LIMIT = 240  # seconds the import may take before the test gives up


@dataclass
class Traffic:
    latencies: list[float] = field(default_factory=list)
    unanswered: list[tuple[int, str]] = field(default_factory=list)
    failures: list[tuple[int, str, BaseException]] = field(default_factory=list)

    async def say(self, client: ChatClient, text: str) -> None:
        started = time.perf_counter()
        try:
            replies = await client.send(text)
        except Exception as exc:  # a handler that failed: the update got no answer
            self.failures.append((client.user_id, text, exc))
            return
        self.latencies.append(time.perf_counter() - started)
        if not any(r.method == "sendMessage" and r.text for r in replies):
            self.unanswered.append((client.user_id, text))


async def _member_chat(client: ChatClient, traffic: Traffic, done: asyncio.Event) -> None:
    while not done.is_set():
        for text in (QUESTION, "/start"):
            await traffic.say(client, text)
            await asyncio.sleep(PAUSE)


async def _newcomers(h: BotHarness, first_id: int, traffic: Traffic,
                     done: asyncio.Event) -> None:
    """A new person every round: /start (their user row is written) and the question."""
    user_id = first_id
    while not done.is_set():
        client = h.client(user_id, first_name=f"Guest {user_id}")
        for text in ("/start", QUESTION):
            await traffic.say(client, text)
            await asyncio.sleep(PAUSE)
        user_id += 1


async def _outcome(h: BotHarness, chat_id: int, message_id: int,
                   done: asyncio.Event) -> tuple[str, float]:
    """The text the "importing…" message is edited into, and when (then everybody stops)."""
    try:
        async with asyncio.timeout(LIMIT):
            while True:
                for call in h.fake.calls:
                    if (call.method == "editMessageText" and call.chat_id == chat_id
                            and int(call.params.get("message_id", 0)) == message_id):
                        return call.text, time.perf_counter()
                await asyncio.sleep(0.2)
    finally:
        done.set()


@pytest.mark.slow
async def test_every_update_is_answered_while_500k_rows_import(
        sqlite_engine: AsyncEngine, vault: Vault, tmp_path: Path) -> None:
    export = daily_focus_file(tmp_path / "export.csv", resources=16_700,
                              first_day=date(2026, 11, 1), days=30)
    blob = gzip.compress(export.path.read_bytes(), compresslevel=1)
    assert export.rows >= 500_000
    async with running_bot(sqlite_engine, vault, clock=FrozenClock(NOW),
                           throttle=(1000, 1)) as h:
        org_id = await org_with(h, "ООО Большой импорт", (ADMIN, Role.ADMIN),
                                *((m, Role.MEMBER) for m in MEMBERS))
        async with h.ctx.session() as s:
            conn = Connection(org_id=org_id, kind="focus", name="Облако", status="active",
                              credentials=vault.encrypt({}))
            s.add(conn)
            await s.flush()
            conn_id = conn.id
        admin = h.client(ADMIN)
        started = time.perf_counter()
        ack = (await admin.send_document("export.csv.gz", blob,
                                         mime_type="application/gzip"))[-1]
        ack_seconds = time.perf_counter() - started
        assert "Импортирую «export.csv.gz»" in ack.text
        assert ack.message_id is not None

        traffic, done = Traffic(), asyncio.Event()
        async with asyncio.TaskGroup() as people:
            for member in MEMBERS:
                people.create_task(_member_chat(h.client(member), traffic, done))
            for first_id in (7000, 8000, 9000):
                people.create_task(_newcomers(h, first_id, traffic, done))
            finished = people.create_task(_outcome(h, admin.chat_id, ack.message_id, done))
        outcome, finished_at = finished.result()
        import_seconds = finished_at - started
        await default_tasks().wait_all()
        after = (await h.client(MEMBERS[0]).send(QUESTION))[-1].text

        async with h.ctx.session() as s:
            lines, total = (await s.execute(
                select(func.count(), func.sum(CostLine.billed_cost))
                .where(CostLine.connection_id == conn_id))).one()
            staged = (await s.execute(
                select(func.count()).select_from(cost_line_staging))).scalar_one()

    latencies = sorted(traffic.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    print(f"\nimport of {export.rows:,} rows through the bot: {import_seconds:.1f} s "
          f"({export.rows / import_seconds:,.0f} rows/s), acknowledged in {ack_seconds:.2f} s; "
          f"{len(latencies)} updates answered meanwhile: median "
          f"{statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
          f"worst {latencies[-1]:.2f} s")

    assert not traffic.failures, traffic.failures[:3]
    assert not traffic.unanswered, traffic.unanswered[:5]
    assert len(latencies) >= 20  # people kept talking during the whole import
    assert f"строк {export.rows}" in outcome
    assert lines == export.rows  # one daily line per resource and day
    assert total == export.total  # exact, to the kopeck
    assert staged == 0  # nothing left behind in the staging table
    assert "Расходы за ноябрь 2026" in after


async def test_a_file_for_a_connection_that_is_still_importing_is_told_so(
        sqlite_engine: AsyncEngine, vault: Vault) -> None:
    """Another process (a CLI import, a second replica) is importing into the connection."""
    async with running_bot(sqlite_engine, vault, clock=FrozenClock(NOW)) as h:
        org_id = await org_with(h, "ООО Очередь", (ADMIN, Role.ADMIN))
        async with h.ctx.session() as s:
            conn = Connection(org_id=org_id, kind="manual_csv", name="Ручной учёт",
                              status="active", credentials=vault.encrypt({}))
            s.add(conn)
            await s.flush()
            s.add(JobLease(name=f"import:{conn.id}", owner="cli:4711:abcdef",
                           expires_at=datetime.now(UTC) + timedelta(minutes=2)))
        admin = h.client(ADMIN)
        await admin.send_document("costs.csv", b"date,service,resource,cost\n"
                                                b"2026-11-01,Compute,vm-1,100\n")
        await default_tasks().wait_all()
        outcome = admin.last_reply()
        async with h.ctx.session() as s:
            lines = (await s.execute(select(func.count()).select_from(CostLine))).scalar_one()
    assert outcome.method == "editMessageText"
    assert "В это подключение уже идёт импорт" in outcome.text
    assert "«costs.csv» не импортирован" in outcome.text
    assert lines == 0
