"""The shared cached bearer token (connectors/auth.py) over a loopback token service."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from connectors.auth import CachedBearerAuth
from connectors.errors import BadCredentials, ProviderError
from connectors.http import ProviderHttp
from tests.connectors.rigs import FAST
from tests.support.fake_server import run_fake


class TokenService:
    """Issues `t1`, `t2`, … on POST /token; GET /data wants the latest one."""

    def __init__(self) -> None:
        self.issued = 0
        self.token_status = 200
        self.token_body: dict[str, Any] | None = None

    async def token(self, request: web.Request) -> web.Response:
        await asyncio.sleep(0.01)  # long enough for concurrent callers to pile up
        if self.token_status != 200:
            return web.json_response({"error": "nope"}, status=self.token_status)
        self.issued += 1
        return web.json_response(self.token_body or {"token": f"t{self.issued}"})

    async def data(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer t{self.issued}":
            return web.json_response({"error": "expired"}, status=401)
        return web.json_response({"ok": True})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/token", self.token)
        app.router.add_get("/data", self.data)
        return app


class DemoAuth(CachedBearerAuth):
    async def _exchange(self) -> tuple[str, float]:
        data = await self._post({}, error_parser=lambda r: r.text, refused=(400,))
        return self._token_in(data, "token"), time.time() + 3600


@pytest.fixture
def service() -> TokenService:
    return TokenService()


@pytest.fixture
async def auth(service: TokenService) -> AsyncIterator[DemoAuth]:
    async with run_fake(service.app()) as url, httpx.AsyncClient(base_url=url) as client:
        yield DemoAuth(ProviderHttp(client, "demo", FAST), f"{url}/token")


async def _get(auth: DemoAuth) -> int:
    response = await auth.http.client.get("/data", auth=auth)
    return response.status_code


async def test_concurrent_requests_share_one_exchange(service: TokenService,
                                                      auth: DemoAuth) -> None:
    assert await asyncio.gather(*(_get(auth) for _ in range(5))) == [200] * 5
    assert service.issued == 1
    assert auth.exchanges == 1


async def test_a_401_refreshes_once_and_replays(service: TokenService, auth: DemoAuth) -> None:
    assert await _get(auth) == 200
    service.issued += 1  # the server moved on: the cached t1 is now rejected
    assert await _get(auth) == 200
    assert auth.exchanges == 2


@pytest.mark.parametrize(("status", "body", "expected"), [
    (400, None, BadCredentials), (500, None, ProviderError),
    (200, {"other": "x"}, ProviderError)])
async def test_exchange_failures(service: TokenService, auth: DemoAuth, status: int,
                                 body: dict[str, Any] | None,
                                 expected: type[Exception]) -> None:
    service.token_status = status
    service.token_body = body
    with pytest.raises(expected):
        await auth.token()
