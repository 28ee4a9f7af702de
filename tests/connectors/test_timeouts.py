"""The connection's `timeout` option is one limit in `ProviderHttp`, for every provider: a
provider that hangs fails with `Unreachable` within that time (retries included), the sync
records it, and retries that fit in the budget still happen."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import BaseConnector, Credentials
from connectors.errors import InvalidInput, RateLimited, Unreachable
from connectors.http import ProviderHttp, RetryPolicy, Timeouts
from core.db.models import Connection, SyncSnapshot
from core.security.vault import Vault
from core.services.orgs import create_org
from core.services.sync.run import run_sync
from tests.connectors.cloudru.fake import CloudRuFake
from tests.connectors.rigs import RIGS, Rig
from tests.support.fake_server import run_fake
from tests.support.faults import Fault
from tests.sync.conftest import Deps

LIMIT = 0.3
HANG = 2.0  # the fake answers long after the limit (and the server waits for it on shutdown)


@pytest.mark.parametrize("rig", list(RIGS.values()), ids=list(RIGS))
async def test_a_hanging_provider_fails_within_the_connection_timeout(
        rig: Rig, fake: Any, make: Callable[..., BaseConnector],  # type: ignore[type-arg]
        creds: Credentials) -> None:
    fake.faults.add("/", Fault(status=200, body="{}", delay=HANG))
    connector = make(timeout=LIMIT)
    started = time.monotonic()
    with pytest.raises(Unreachable, match="timed out") as info:
        await connector.test(creds)
    elapsed = time.monotonic() - started
    assert elapsed < HANG / 2
    assert info.value.code == "unreachable"
    assert info.value.provider == rig.kind
    # The retry budget is the same limit: no second try after the first used it all up.
    assert len(fake.faults.calls) == 1


@pytest.mark.parametrize("value", ["soon", 0, -1, float("nan")])
def test_a_timeout_option_that_is_not_a_positive_number_is_refused(value: object) -> None:
    with pytest.raises(InvalidInput, match="option timeout"):
        Timeouts.from_options({"timeout": value}, provider="cloudru")


def test_the_option_sets_the_call_and_attempt_limits() -> None:
    assert Timeouts.from_options({}) == Timeouts()
    limits = Timeouts.from_options({"timeout": "45"})
    assert (limits.total, limits.attempt, limits.connect) == (45.0, 45.0, 10.0)
    assert Timeouts.from_options({"timeout": 2}).connect == 2.0


class _Flaky:
    """Answers 503 `failures` times (with an optional Retry-After), then 200."""

    def __init__(self, failures: int, retry_after: str | None = None) -> None:
        self.failures = failures
        self.retry_after = retry_after
        self.calls = 0

    async def handle(self, _request: web.Request) -> web.Response:
        self.calls += 1
        if self.calls <= self.failures:
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            status = 429 if self.retry_after else 503
            return web.json_response({"message": "busy"}, status=status, headers=headers)
        return web.json_response({"ok": True})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/thing", self.handle)
        return app


async def test_retries_that_fit_in_the_budget_still_happen(client: httpx.AsyncClient) -> None:
    flaky = _Flaky(failures=2)
    policy = RetryPolicy(attempts=4, backoff_base=0.01, backoff_max=0.05)
    async with run_fake(flaky.app()) as url:
        http = ProviderHttp(client, "demo", policy, timeouts=Timeouts(total=5.0, attempt=5.0))
        assert await http.get(f"{url}/thing") == {"ok": True}
    assert flaky.calls == 3


async def test_a_wait_past_the_deadline_is_not_slept(client: httpx.AsyncClient) -> None:
    # Retry-After 3 s is under the policy's cap but over the connection's 1 s: give up now.
    flaky = _Flaky(failures=5, retry_after="3")
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    policy = RetryPolicy(attempts=4, max_retry_after=60.0)
    async with run_fake(flaky.app()) as url:
        http = ProviderHttp(client, "demo", policy, sleep, timeouts=Timeouts(total=1.0))
        with pytest.raises(RateLimited):
            await http.get(f"{url}/thing")
    assert (flaky.calls, slept) == (1, [])


async def test_a_per_request_timeout_is_refused(client: httpx.AsyncClient) -> None:
    http = ProviderHttp(client, "demo")
    with pytest.raises(TypeError, match="per connection"):
        await http.get("http://127.0.0.1:9/never", timeout=1.0)


async def test_the_sync_records_the_timeout(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault,
        client: httpx.AsyncClient) -> None:
    fake = CloudRuFake()
    fake.faults.add("/", Fault(status=200, body="{}", delay=HANG))
    async with run_fake(fake.app()) as url:
        async with session_maker() as session, session.begin():
            org = await create_org(session, "Acme")
            conn = Connection(
                org_id=org.id, kind="cloudru", name="main", endpoint=url,
                credentials=vault.encrypt({"key_id": fake.key_id, "secret": fake.secret,
                                           "project_ids": ["proj-prod"]}),
                options={"timeout": LIMIT}, status="active")
            session.add(conn)
            await session.flush()
            org_id, conn_id = org.id, conn.id
        started = time.monotonic()
        result = await run_sync(Deps(session_maker, vault, client), conn_id, org_id=org_id)
        elapsed = time.monotonic() - started
    assert (result.status, result.error_code) == ("failed", "unreachable")
    assert result.error is not None
    assert "timed out" in result.error
    # it did not wait for the answer, which comes only at HANG (the connector test above
    # bounds the wait itself; here the sync's own database writes come on top, and on a
    # busy machine they took the run to 1.17 s on PostgreSQL)
    assert elapsed < HANG
    async with session_maker() as session:
        stored = await session.get(Connection, conn_id)
        assert stored is not None
        assert stored.last_error_code == "unreachable"
        snaps = (await session.execute(select(SyncSnapshot.status, SyncSnapshot.error_code)
                                       .where(SyncSnapshot.connection_id == conn_id))).all()
    assert [tuple(s) for s in snaps] == [("failed", "unreachable")]
