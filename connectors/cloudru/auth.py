"""Cloud.ru access token as an `httpx.Auth`: key id + secret → bearer, one refresh on 401.

`POST https://iam.api.cloud.ru/api/v1/auth/token` with `{"keyId", "secret"}` answers
`access_token` and `expires_in` (3600 s, providers.md §5.1). The exchange goes through
`ProviderHttp` so it shares retries and typed errors; a 400/401/404 there is bad credentials.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from typing import Any

import httpx

from connectors.errors import BadCredentials, ProviderError
from connectors.http import ProviderHttp

__all__ = ["CloudRuTokenAuth", "error_message"]

_MARGIN = 120.0


def error_message(response: httpx.Response) -> str:
    """Error bodies are UNCONFIRMED: take `message`, `error_description`, `error` or `detail`."""
    body = response.json()
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "detail"):
            if body.get(key):
                return str(body[key])
    return response.text[:200]


class CloudRuTokenAuth(httpx.Auth):
    def __init__(self, http: ProviderHttp, iam_url: str, key_id: str, secret: str, *,
                 timeout: httpx.Timeout | None = None) -> None:
        self.http = http
        self.url = f"{iam_url.rstrip('/')}/api/v1/auth/token"
        self._body = {"keyId": key_id, "secret": secret}
        self._extra: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.exchanges = 0

    async def token(self, *, force: bool = False) -> str:
        async with self._lock:
            if force or self._token is None or self._expires - _MARGIN < time.time():
                await self._exchange()
            assert self._token is not None
            return self._token

    async def _exchange(self) -> None:
        try:
            data = await self.http.post(self.url, json=self._body, error_parser=error_message,
                                        **self._extra)
        except ProviderError as exc:
            if any(f"HTTP {code}" in exc.detail for code in (400, 404)):
                raise BadCredentials(exc.detail, provider="cloudru") from exc
            raise
        token = data.get("access_token") if isinstance(data, dict) else None
        if not token:
            raise ProviderError("IAM answered without access_token", provider="cloudru")
        self._token = str(token)
        try:
            lifetime = float(data.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        self._expires = time.time() + lifetime
        self.exchanges += 1

    async def async_auth_flow(
            self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {await self.token()}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {await self.token(force=True)}"
            yield request

    def sync_auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        raise RuntimeError("CloudRuTokenAuth is async-only")
