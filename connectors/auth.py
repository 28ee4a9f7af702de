"""A cached bearer token as an `httpx.Auth`: each provider says how to get one, this keeps it.

A subclass implements `_exchange()` — the provider's own token request — and returns the token
with its expiry (epoch seconds). The token is reused until `refresh_margin` seconds before it
expires, fetched under a lock so concurrent requests share one exchange, and fetched again once
when an API answers 401, after which the request is replayed exactly once. The exchange goes
through `ProviderHttp`, so it shares the retries and typed errors of every other call.
Used by Yandex IAM, Cloud.ru and Beget's v1 JWT; Keystone (a token object with a catalog, one
per project scope) keeps its own session.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from typing import Any, ClassVar

import httpx

from connectors.errors import BadCredentials, ProviderError
from connectors.http import ProviderHttp

__all__ = ["CachedBearerAuth"]


class CachedBearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` from a cached exchange; one refresh on 401."""

    refresh_margin: ClassVar[float] = 120.0

    def __init__(self, http: ProviderHttp, url: str) -> None:
        self.http = http
        self.url = url
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.exchanges = 0

    async def token(self, *, force: bool = False) -> str:
        """The cached token, or a fresh one when forced or about to expire."""
        async with self._lock:
            if force or self._token is None or self._expires - self.refresh_margin < time.time():
                self._token, self._expires = await self._exchange()
                self.exchanges += 1
            return self._token

    async def _exchange(self) -> tuple[str, float]:
        """The provider's token request: (token, expiry in epoch seconds)."""
        raise NotImplementedError

    async def _post(self, body: dict[str, Any], *, error_parser: Callable[[httpx.Response], str],
                    refused: tuple[int, ...]) -> Any:
        """POST the exchange; the statuses in `refused` mean the user's credentials are bad."""
        try:
            return await self.http.post(self.url, json=body, error_parser=error_parser)
        except ProviderError as exc:
            if any(f"HTTP {code}" in exc.detail for code in refused):
                raise BadCredentials(exc.detail, provider=self.http.provider) from exc
            raise

    def _token_in(self, data: Any, key: str) -> str:
        """`data[key]` as the token; an answer without it is the provider's fault."""
        token = data.get(key) if isinstance(data, dict) else None
        if not token:
            raise ProviderError(f"IAM answered without {key}", provider=self.http.provider)
        return str(token)

    async def async_auth_flow(
            self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {await self.token()}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {await self.token(force=True)}"
            yield request

    def sync_auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"{type(self).__name__} is async-only")
