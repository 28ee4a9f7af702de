"""Keystone v3 tokens: a cached session per scope and an `httpx.Auth` that re-authenticates once.

`KeystoneSession` asks Keystone for a token through the shared `ProviderHttp` (so the token
request gets the same retries and typed errors as everything else) and caches it until shortly
before `expires_at`. `KeystoneAuth` puts it in `X-Auth-Token`; on a 401 it drops the cached
token, fetches a fresh one and replays the request exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from connectors.errors import ProviderError
from connectors.http import ProviderHttp
from connectors.openstack.models import Project, Token

__all__ = ["KeystoneAuth", "KeystoneSession", "keystone_error", "tokens_url"]

_MARGIN = timedelta(minutes=5)


def tokens_url(auth_url: str) -> str:
    """`{auth_url}/v3/auth/tokens`, whether or not `auth_url` already ends in `/v3`."""
    base = auth_url.rstrip("/")
    if not base.endswith("/v3"):
        base += "/v3"
    return base + "/auth/tokens"


def keystone_error(response: httpx.Response) -> str:
    """Keystone's `{"error": {"message", ...}}` or another OpenStack fault shape."""
    body = response.json()
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, dict) and "message" in value:
                return str(value["message"])
        if isinstance(body.get("error"), str):
            return str(body["error"])
    return response.text[:300]


class KeystoneSession:
    """One identity + one scope → one cached token (with its service catalog)."""

    def __init__(self, http: ProviderHttp, auth_url: str, identity: dict[str, Any],
                 scope: dict[str, Any] | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.http = http
        self.auth_url = auth_url
        self.identity = identity
        self.scope = scope
        self._clock = clock or (lambda: datetime.now(UTC))
        self._token: Token | None = None
        self._lock = asyncio.Lock()

    def rescoped(self, scope: dict[str, Any]) -> KeystoneSession:
        """The same identity scoped elsewhere (a project, a domain)."""
        return KeystoneSession(self.http, self.auth_url, self.identity, scope, self._clock)

    def _fresh(self, token: Token | None) -> bool:
        if token is None:
            return False
        return token.expires_at is None or token.expires_at - _MARGIN > self._clock()

    async def token(self, *, stale: Token | None = None) -> Token:
        """The cached token or a new one; `stale` (just rejected by a 401) is never reused."""
        async with self._lock:
            if self._token is not None and self._token is not stale and self._fresh(self._token):
                return self._token
            self._token = await self._issue()
            return self._token

    async def _issue(self) -> Token:
        auth: dict[str, Any] = {"identity": self.identity}
        if self.scope is not None:
            auth["scope"] = self.scope
        response = await self.http.request(
            "POST", tokens_url(self.auth_url), json={"auth": auth}, expected=(200, 201),
            error_parser=keystone_error)
        token_id = response.headers.get("X-Subject-Token")
        body = self.http.decode(response)
        if not token_id or not isinstance(body, dict) or not isinstance(body.get("token"), dict):
            raise ProviderError("Keystone answered without a token", provider=self.http.provider)
        raw = body["token"]
        user = raw.get("user") or {}
        domain = raw.get("domain") or {}
        project = raw.get("project")
        return Token.model_validate({
            "id": token_id, "expires_at": raw.get("expires_at"),
            "user_id": user.get("id", ""), "user_name": user.get("name", ""),
            "project": Project.model_validate(project) if isinstance(project, dict) else None,
            "domain_name": domain.get("name"), "catalog": raw.get("catalog") or [],
        })

    def auth(self) -> KeystoneAuth:
        return KeystoneAuth(self)

    async def projects(self) -> list[Project]:
        """Every project this identity may scope to (`GET /v3/auth/projects`)."""
        url = tokens_url(self.auth_url).removesuffix("/tokens") + "/projects"
        body = await self.http.get(url, auth=self.auth(), error_parser=keystone_error)
        rows = body.get("projects") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise ProviderError("Keystone listed no projects", provider=self.http.provider)
        return [Project.model_validate(p) for p in rows if isinstance(p, dict)]


class KeystoneAuth(httpx.Auth):
    """`X-Auth-Token` from a `KeystoneSession`; one re-authentication on 401."""

    def __init__(self, session: KeystoneSession) -> None:
        self.session = session

    def sync_auth_flow(self, request: httpx.Request) -> Any:  # pragma: no cover - async only
        raise RuntimeError("KeystoneAuth works with httpx.AsyncClient only")

    async def async_auth_flow(
            self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.session.token()
        request.headers["X-Auth-Token"] = token.id
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()
        token = await self.session.token(stale=token)
        request.headers["X-Auth-Token"] = token.id
        yield request
