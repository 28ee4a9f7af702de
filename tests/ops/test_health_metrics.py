"""`/healthz` and `/metrics` over real HTTP: a real database (one PostgreSQL is stopped under
it), a real Redis, the real scheduler's heartbeat on a frozen clock, updates through the
production dispatcher, outbox sends to the fake Bot API and syncs against the Beget fake."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.composition import open_app
from bot.delivery.sender import Sender
from bot.ops import OpsServer
from bot.runner import ops_server, run_bot
from core import metrics
from core.app import AppContext
from core.clock import FrozenClock
from core.db.engine import create_engine, session_factory
from core.db.models import Connection
from core.scheduler import (
    HEARTBEAT_SECONDS,
    HEARTBEAT_STALE_AFTER,
    JobSpec,
    beat,
    quiet_scheduler_logs,
    start_scheduler,
)
from core.security.vault import Vault
from core.services import outbox
from core.services.orgs import create_org
from core.services.sync.run import run_sync
from core.settings import load_settings
from core.tasks import spawn
from tests.bot.harness import TOKEN, RecordingFakeBotApi, running_bot
from tests.connectors.beget.fake import BegetFake
from tests.support.fake_server import run_fake
from tests.support.jobs import RENDERING
from tests.support.postgres import start_postgres
from tests.support.redis import start_redis

START = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
STALE = HEARTBEAT_SECONDS * HEARTBEAT_STALE_AFTER


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _get(port: int, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, \
            http.get(f"http://127.0.0.1:{port}{path}") as response:
        if path == "/healthz":
            return response.status, await response.json()
        return response.status, await response.text()


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def _scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    status, text = await _get(port, "/metrics")
    assert status == 200
    return _samples(text)


def _value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
           **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@asynccontextmanager
async def serving(ops: OpsServer) -> AsyncIterator[int]:
    port = _free_port()
    assert await ops.start("127.0.0.1", port)
    try:
        yield port
    finally:
        await ops.close()


@asynccontextmanager
async def app(engine: AsyncEngine, vault: Vault, **env: Any) -> AsyncIterator[AppContext]:
    settings = load_settings(METRICS_PORT=0, **env)
    async with open_app(settings, migrate=False, engine=engine, vault=vault,
                        clock=FrozenClock(START)) as ctx:
        yield ctx


# -- /healthz ------------------------------------------------------------------------------

async def test_healthz_is_ok_then_names_a_scheduler_whose_heartbeat_went_stale(
        sqlite_engine: AsyncEngine, vault: Vault) -> None:
    async with app(sqlite_engine, vault) as ctx:
        clock = ctx.clock
        assert isinstance(clock, FrozenClock)
        handle = start_scheduler(ctx, render=RENDERING, owner="health-test", jobs=())
        try:
            assert handle.next_run("heartbeat") is not None  # the job that keeps it fresh
            async with serving(ops_server(ctx, handle.heartbeat)) as port:
                status, body = await _get(port, "/healthz")
                assert (status, body) == (200, {"status": "ok", "checks": {
                    "database": "ok", "scheduler": "ok"}})

                clock.advance(seconds=STALE)  # the job stamps the (frozen) time it runs at
                await beat("health-test")
                assert handle.heartbeat.last == clock.now()

                handle.shutdown()  # the scheduler stops beating …
                clock.advance(seconds=STALE - 1)
                assert (await _get(port, "/healthz"))[0] == 200  # … within 3 beats: fine
                clock.advance(seconds=2)
                status, body = await _get(port, "/healthz")
                assert status == 503
                assert body["failing"] == ["scheduler"]
                assert body["checks"] == {"database": "ok", "scheduler": "stale"}
        finally:
            handle.shutdown()


@pytest.fixture
def private_postgres() -> Iterator[Any]:
    """A PostgreSQL of this test's own, so it can be stopped under a running app."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


async def test_healthz_names_the_database_when_postgresql_stops(
        private_postgres: Any) -> None:
    engine = create_engine(private_postgres.url)
    ops = OpsServer(engine, session_factory(engine), timeout=5)
    try:
        async with serving(ops) as port:
            assert await _get(port, "/healthz") == (200, {"status": "ok",
                                                          "checks": {"database": "ok"}})
            await asyncio.to_thread(private_postgres.stop)
            status, body = await _get(port, "/healthz")
            assert status == 503
            assert body["status"] == "fail"
            assert body["failing"] == ["database"]
            assert body["checks"]["database"] != "ok"
            assert "127.0.0.1" not in str(body)  # no DSN or host in a public probe
    finally:
        with contextlib.suppress(Exception):
            await engine.dispose()


@pytest.fixture
def redis_server() -> Iterator[Any]:
    server = start_redis()
    try:
        yield server
    finally:
        server.stop()


async def test_healthz_checks_redis_when_it_is_configured(
        sqlite_engine: AsyncEngine, vault: Vault, redis_server: Any) -> None:
    async with app(sqlite_engine, vault, REDIS_URL=redis_server.url) as ctx, \
            serving(ops_server(ctx, None)) as port:
        assert await _get(port, "/healthz") == (200, {"status": "ok", "checks": {
            "database": "ok", "redis": "ok"}})
        await asyncio.to_thread(redis_server.stop)
        status, body = await _get(port, "/healthz")
        assert status == 503
        assert body["failing"] == ["redis"]


async def test_a_taken_metrics_port_is_reported_and_the_process_goes_on(
        sqlite_engine: AsyncEngine, vault: Vault, caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with app(sqlite_engine, vault) as ctx:
            ops = ops_server(ctx, None)
            assert await ops.start("127.0.0.1", port) is False
            await ops.close()
    assert f"cannot listen on 127.0.0.1:{port}" in caplog.text


# -- /metrics ------------------------------------------------------------------------------

async def test_updates_are_counted_and_timed_by_type_and_outcome(
        sqlite_engine: AsyncEngine, vault: Vault) -> None:
    async with running_bot(sqlite_engine, vault, throttle=(1000, 1)) as h, \
            serving(ops_server(h.ctx, None)) as port:
        before = await _scrape(port)
        ann = h.client(501, language_code="en")
        await ann.send("/start")
        await ann.send("/help")
        await ann.click_data("no:such:button")
        after = await _scrape(port)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("infrazen_updates_total", type="message", outcome="handled") == 2
    assert delta("infrazen_update_duration_seconds_count", type="message") == 2
    assert delta("infrazen_update_duration_seconds_sum", type="message") > 0
    assert delta("infrazen_update_duration_seconds_count", type="callback_query") == 1
    assert sum(delta("infrazen_updates_total", type="callback_query", outcome=o)
               for o in ("handled", "unhandled")) == 1


async def test_outbox_backlog_sends_and_send_errors(sqlite_engine: AsyncEngine,
                                                    vault: Vault) -> None:
    async with running_bot(sqlite_engine, vault) as h, \
            serving(ops_server(h.ctx, None)) as port:
        now = h.ctx.clock.now()
        async with h.ctx.session() as s:
            for chat in (601, 602, 603):
                await outbox.enqueue(s, chat_id=chat, kind="text", dedup_key=f"m:{chat}",
                                     payload={"text": f"hello {chat}"}, now=now)
        h.fake.blocked_chats.add(603)
        before = await _scrape(port)
        assert _value(before, "infrazen_outbox_backlog") == 3
        stats = await Sender(h.bot, h.ctx.sessions, clock=h.ctx.clock).drain()
        assert (stats.sent, stats.blocked) == (2, 1)
        after = await _scrape(port)
    assert _value(after, "infrazen_outbox_backlog") == 0
    assert _value(after, "infrazen_outbox_sent_total") - \
        _value(before, "infrazen_outbox_sent_total") == 2
    assert _value(after, "infrazen_outbox_send_errors_total", reason="blocked") - \
        _value(before, "infrazen_outbox_send_errors_total", reason="blocked") == 1


async def test_sync_durations_and_failures_by_connector_kind(
        sqlite_engine: AsyncEngine, vault: Vault) -> None:
    fake = BegetFake()
    async with run_fake(fake.app()) as url, app(sqlite_engine, vault) as ctx, \
            serving(ops_server(ctx, None)) as port:
        async with ctx.session() as s:
            org = await create_org(s, "Acme")
            good, bad = (Connection(org_id=org.id, kind="beget", name=name, endpoint=url,
                                    credentials=vault.encrypt({"login": "acme",
                                                               "password": password}))
                         for name, password in (("good", fake.password), ("bad", "wrong")))
            s.add_all([good, bad])
            await s.flush()
            good_id, bad_id = good.id, bad.id
        before = await _scrape(port)
        assert (await run_sync(ctx, good_id)).status in ("success", "partial")
        failed = await run_sync(ctx, bad_id)
        assert failed.status == "failed"
        after = await _scrape(port)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    ok = sum(delta("infrazen_sync_duration_seconds_count", kind="beget", status=status)
             for status in ("success", "partial"))
    assert ok == 1
    assert delta("infrazen_sync_duration_seconds_count", kind="beget", status="failed") == 1
    assert delta("infrazen_sync_failures_total", kind="beget",
                 code=str(failed.error_code)) == 1


async def test_import_rows_recorded_by_the_import_service_are_exposed(
        sqlite_engine: AsyncEngine, vault: Vault) -> None:
    async with app(sqlite_engine, vault) as ctx, serving(ops_server(ctx, None)) as port:
        before = _value(await _scrape(port), "infrazen_import_rows_total", kind="focus")
        metrics.record_import(1200, "focus")
        metrics.record_import(0, "focus")
        after = _value(await _scrape(port), "infrazen_import_rows_total", kind="focus")
    assert after - before == 1200


# -- the processes ---------------------------------------------------------------------------

async def test_run_serves_health_and_metrics_in_polling_and_webhook_mode(
        sqlite_engine: AsyncEngine, vault: Vault) -> None:
    fake = RecordingFakeBotApi()
    metrics_port, hook_port = _free_port(), _free_port()
    async with run_fake(fake.app) as api:
        for webhook in (False, True):
            env: dict[str, Any] = {"BOT_TOKEN": TOKEN, "TELEGRAM_API_SERVER": api,
                                   "METRICS_PORT": metrics_port}
            if webhook:
                env |= {"WEBHOOK_URL": f"http://127.0.0.1:{hook_port}/hook",
                        "WEBHOOK_PORT": hook_port, "WEBHOOK_SECRET": "s3cret"}
            settings = load_settings(**env)
            async with open_app(settings, migrate=False, engine=sqlite_engine,
                                vault=vault) as ctx:
                stop = asyncio.Event()
                task = spawn(run_bot(ctx, stop=stop))
                try:
                    for _ in range(500):
                        with contextlib.suppress(aiohttp.ClientError):
                            status, body = await _get(metrics_port, "/healthz")
                            break
                        await asyncio.sleep(0.02)
                    assert status == 200
                    assert set(body["checks"]) == {"database", "scheduler"}
                    status, text = await _get(metrics_port, "/metrics")
                    assert status == 200
                    assert "infrazen_scheduler_heartbeat_timestamp_seconds" in text
                    if webhook:  # the webhook's own port answers /healthz, not /metrics
                        assert (await _get(hook_port, "/healthz"))[0] == 200
                        assert (await _get(hook_port, "/metrics"))[0] == 404
                finally:
                    stop.set()
                    await task


async def test_worker_serves_health_and_metrics(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL")}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
            "METRICS_PORT": str(port)}
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "infrazen"), "--lang", "en", "worker", cwd=tmp_path,
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    try:
        lines: list[str] = []
        while not any("jobs" in line for line in lines):
            line = (await asyncio.wait_for(proc.stderr.readline(), 60)).decode()
            assert line, f"worker exited early: {lines}"
            lines.append(line)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            health = await http.get("/healthz")
            scrape = await http.get("/metrics")
        assert health.status_code == 200
        assert health.json() == {"status": "ok",
                                 "checks": {"database": "ok", "scheduler": "ok"}}
        assert scrape.status_code == 200
        assert "infrazen_outbox_backlog 0.0" in scrape.text
        assert "infrazen_scheduler_heartbeat_timestamp_seconds" in scrape.text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0


# -- logs ------------------------------------------------------------------------------------

@pytest.fixture
def scheduler_log_level() -> Iterator[None]:
    logger = logging.getLogger("apscheduler")
    level = logger.level
    try:
        yield
    finally:
        logger.setLevel(level)


class Runs:
    """A drain hook that counts its runs."""

    def __init__(self, wanted: int) -> None:
        self.wanted, self.count, self.enough = wanted, 0, asyncio.Event()

    async def __call__(self) -> None:
        self.count += 1
        if self.count >= self.wanted:
            self.enough.set()


@pytest.mark.usefixtures("scheduler_log_level")
async def test_scheduler_runs_are_logged_only_at_debug(
        sqlite_engine: AsyncEngine, vault: Vault, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fast = [JobSpec("outbox", "core.jobs.delivery:drain_outbox", "interval",
                    {"seconds": 0.05})]
    for level, expect_chatter in (("INFO", False), ("DEBUG", True)):
        quiet_scheduler_logs(level)
        caplog.clear()
        runs = Runs(3)
        async with app(sqlite_engine, vault) as ctx:
            handle = start_scheduler(ctx, render=RENDERING, owner=f"log-{level}", drain=runs,
                                     jobs=fast)
            try:
                await asyncio.wait_for(runs.enough.wait(), 30)
            finally:
                handle.shutdown()
        chatter = [r for r in caplog.records
                   if r.name.startswith("apscheduler") and r.levelno < logging.WARNING]
        assert bool(chatter) is expect_chatter, (level, [r.getMessage() for r in chatter])
