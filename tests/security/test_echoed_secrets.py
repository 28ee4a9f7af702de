"""A provider that echoes the submitted key in its error body must not make us repeat it: not in
the error the wizard and the CLI show, not in the sync failure stored in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import httpx
import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.composition import default_adapters
from connectors.errors import BadCredentials
from connectors.registry import KINDS, build_connector, connector_class
from core.clock import FrozenClock
from core.db.models import Connection, SyncSnapshot
from core.security.vault import Vault
from core.services.connections import add_connection
from core.services.orgs import create_org
from core.services.sync.run import run_sync
from tests.bot_ask.fake_cloud import FakeCloudConnector
from tests.security.test_scoping import NOW
from tests.support.fake_server import run_fake

SECRET = "sk-echoed-9d1f2e3c4b5a"


def _echoing_provider() -> web.Application:
    async def account(request: web.Request) -> web.Response:
        return web.json_response(
            {"error": f"invalid api key: {request.headers.get('Authorization')}"}, status=401)

    app = web.Application()
    app.router.add_get("/v1/account", account)
    return app


@pytest.fixture
async def echo(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    async with run_fake(_echoing_provider()) as url:
        monkeypatch.setitem(KINDS, "testcloud", "tests.bot_ask.fake_cloud:FakeCloudConnector")
        monkeypatch.setattr(FakeCloudConnector, "default_endpoint", url)
        connector_class.cache_clear()
        yield url
    connector_class.cache_clear()


async def test_echoed_key_is_masked_in_the_test_error_and_the_stored_sync_failure(
        echo: str, session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    async with session_maker() as s, s.begin():
        org = await create_org(s, "Acme")
        conn = Connection(org_id=org.id, kind="testcloud", name="main", status="active",
                          credentials=vault.encrypt({"login": "ops", "api_key": SECRET}))
        s.add(conn)
        await s.flush()
        conn_id = conn.id
    async with httpx.AsyncClient() as http:
        async with session_maker() as s:
            with pytest.raises(BadCredentials) as caught:
                await add_connection(s, vault, http, connectors=build_connector,
                                     org_id=org.id, kind="testcloud",
                                     name="second", credentials={"login": "ops",
                                                                 "api_key": SECRET})
        assert "invalid api key" in caught.value.detail  # the provider's words stay
        assert SECRET not in caught.value.detail
        assert SECRET not in str(caught.value)

        deps = SimpleNamespace(sessions=session_maker, adapters=default_adapters(),
                               vault=vault, http=http,
                               clock=FrozenClock(NOW))
        result = await run_sync(deps, conn_id)
    assert result.status == "failed"
    assert "invalid api key" in (result.error or "")
    assert SECRET not in (result.error or "")
    async with session_maker() as s:
        stored = await s.get(Connection, conn_id)
        assert stored is not None
        assert SECRET not in (stored.last_error or "")
        snapshots = (await s.execute(SyncSnapshot.__table__.select())).all()
        assert snapshots
        assert all(SECRET not in str(row) for row in snapshots)
