"""Beget v1 JWT: log in once, send `Authorization: Bearer`, log in again once on 401.

`POST /v1/auth` answers HTTP 200 with either `{"token": ...}` or `{"error": "<ENUM>"}`
(providers.md §1.4), so the error enum is mapped here to typed errors a user can act on.
The token's `exp` claim (when present) is honoured so an expired token is replaced before use.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator

import httpx
import jwt

from connectors.errors import BadCredentials, ConnectorError, NoPermission, ProviderError

__all__ = ["BegetJwtAuth"]

_PROVIDER = "beget"
_BAD_CREDENTIALS = frozenset({
    "EMPTY_LOGIN", "EMPTY_PASSWORD", "INCORRECT_CREDENTIALS", "CODE_REQUIRED", "INCORRECT_CODE",
    "CODE_REQUIRED_EMAIL", "CODE_REQUIRED_SMS", "TOKEN_REVOKED", "PAYLOAD_CHANGED",
})
_NO_PERMISSION = frozenset({"IP_BLOCKED", "ACCOUNT_DELETED", "ACCOUNT_ON_MAINTANCE"})


def _login_error(code: str) -> ConnectorError:
    detail = f"v1 login refused: {code}"
    if code in _BAD_CREDENTIALS:
        return BadCredentials(detail, provider=_PROVIDER)
    if code in _NO_PERMISSION:
        return NoPermission(detail, provider=_PROVIDER)
    return ProviderError(detail, provider=_PROVIDER)


def _expiry(token: str) -> float | None:
    """The `exp` claim without verifying the signature (we are the bearer, not the verifier)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) else None


class BegetJwtAuth(httpx.Auth):
    """An `httpx.Auth` for `/v1/*`: lazy login, bearer header, one re-login on 401."""

    requires_response_body = False

    def __init__(self, base_url: str, login: str, password: str, code: str | None = None) -> None:
        self.auth_url = f"{base_url.rstrip('/')}/v1/auth"
        self._body = {"login": login, "password": password, "saveMe": False}
        if code:
            self._body["code"] = code
        self._token: str | None = None
        self._expires: float | None = None
        self._lock = asyncio.Lock()
        self.logins = 0

    def _fresh(self) -> bool:
        if self._token is None:
            return False
        return self._expires is None or self._expires - 30 > time.time()

    def _login_request(self) -> httpx.Request:
        return httpx.Request("POST", self.auth_url, content=json.dumps(self._body).encode(),
                             headers={"Content-Type": "application/json"})

    async def _accept_login(self, response: httpx.Response) -> None:
        await response.aread()
        if response.status_code in (401, 403):
            raise BadCredentials(f"v1 login: HTTP {response.status_code}", provider=_PROVIDER)
        if response.status_code >= 400:
            raise ProviderError(f"v1 login: HTTP {response.status_code}", provider=_PROVIDER)
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderError("v1 login: malformed JSON", provider=_PROVIDER) from exc
        token = body.get("token") if isinstance(body, dict) else None
        if not token:
            code = body.get("error") if isinstance(body, dict) else None
            raise _login_error(str(code or "NO_TOKEN"))
        self._token = str(token)
        self._expires = _expiry(self._token)
        self.logins += 1

    async def async_auth_flow(
            self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if not self._fresh():
            async with self._lock:
                if not self._fresh():
                    await self._accept_login((yield self._login_request()))
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code != 401:
            return
        async with self._lock:
            await self._accept_login((yield self._login_request()))
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def sync_auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        raise RuntimeError("BegetJwtAuth is async-only")
