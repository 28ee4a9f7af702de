"""Yandex IAM token as an `httpx.Auth`: exchange an OAuth token or a signed PS256 JWT.

The exchange goes through `ProviderHttp` (so it gets the shared retries and typed errors);
the token is cached until shortly before `expiresAt` and refreshed once when an API answers
401. The service-account JWT follows providers.md §3.1: header `kid` = key id, `iss` = service
account id, `aud` = the IAM tokens URL, lifetime ≤ 1 hour.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import httpx
import jwt

from connectors.errors import BadCredentials, InvalidInput, ProviderError
from connectors.http import ProviderHttp
from connectors.yandex.models import AuthorizedKey

__all__ = ["IAM_AUDIENCE", "YandexIamAuth", "load_authorized_key", "rpc_message",
           "sign_service_account_jwt"]

IAM_AUDIENCE = "https://iam.api.cloud.yandex.net/iam/v1/tokens"
_REFRESH_MARGIN = 300.0


def rpc_message(response: httpx.Response) -> str:
    """`google.rpc.Status` error body → "code N: message"."""
    body = response.json()
    return f"code {body.get('code')}: {body.get('message', '')}".strip()


def load_authorized_key(raw: str) -> AuthorizedKey:
    """Parse the key file JSON; strip the 'PLEASE DO NOT REMOVE THIS LINE!' header line."""
    try:
        key = AuthorizedKey.model_validate(json.loads(raw))
    except ValueError as exc:
        raise InvalidInput("service account key: not a Yandex authorized key JSON",
                           provider="yandex") from exc
    pem = key.private_key
    if pem.startswith("PLEASE DO NOT REMOVE THIS LINE!"):
        pem = pem.split("\n", 1)[1] if "\n" in pem else ""
    return key.model_copy(update={"private_key": pem.strip() + "\n"})


def sign_service_account_jwt(key: AuthorizedKey, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    payload = {"iss": key.service_account_id, "aud": IAM_AUDIENCE, "iat": issued,
               "exp": issued + 3600}
    try:
        return jwt.encode(payload, key.private_key, algorithm="PS256", headers={"kid": key.id})
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise InvalidInput("service account key: the private key cannot sign (PEM expected)",
                           provider="yandex") from exc


def _expires_at(text: Any) -> float | None:
    """`2025-10-11T05:12:44.123456789Z` (nanoseconds) → epoch seconds."""
    if not isinstance(text, str) or not text:
        return None
    base, _, frac = text.rstrip("Z").partition(".")
    try:
        stamp = datetime.fromisoformat(base + "+00:00")
    except ValueError:
        return None
    return stamp.timestamp() + (float(f"0.{frac}") if frac.isdigit() else 0.0)


class YandexIamAuth(httpx.Auth):
    """Bearer IAM token for every Yandex API call; one refresh on 401."""

    def __init__(self, http: ProviderHttp, iam_url: str, *, oauth_token: str | None = None,
                 key: AuthorizedKey | None = None, timeout: httpx.Timeout | None = None) -> None:
        if (oauth_token is None) == (key is None):
            raise ValueError("exactly one of oauth_token or key")
        self.http = http
        self.url = f"{iam_url.rstrip('/')}/iam/v1/tokens"
        self._oauth = oauth_token
        self._key = key
        self._extra: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.exchanges = 0

    async def token(self, *, force: bool = False) -> str:
        async with self._lock:
            if force or self._token is None or self._expires - _REFRESH_MARGIN < time.time():
                await self._exchange()
            assert self._token is not None
            return self._token

    async def _exchange(self) -> None:
        body = ({"yandexPassportOauthToken": self._oauth} if self._oauth is not None
                else {"jwt": sign_service_account_jwt(self._key)})  # type: ignore[arg-type]
        try:
            data = await self.http.post(self.url, json=body, error_parser=rpc_message,
                                        **self._extra)
        except ProviderError as exc:
            if "HTTP 400" in exc.detail:  # a malformed OAuth token or JWT is the user's input
                raise BadCredentials(exc.detail, provider="yandex") from exc
            raise
        token = data.get("iamToken") if isinstance(data, dict) else None
        if not token:
            raise ProviderError("IAM answered without iamToken", provider="yandex")
        self._token = str(token)
        self._expires = _expires_at(data.get("expiresAt")) or time.time() + 3600
        self.exchanges += 1

    async def async_auth_flow(
            self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {await self.token()}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {await self.token(force=True)}"
            yield request

    def sync_auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        raise RuntimeError("YandexIamAuth is async-only")
