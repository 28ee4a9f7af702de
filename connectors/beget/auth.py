"""Beget v1 JWT: log in once, send `Authorization: Bearer`, log in again once on 401.

`POST /v1/auth` answers HTTP 200 with either `{"token": ...}` or `{"error": "<ENUM>"}`
(providers.md §1.4), so the error enum is mapped here to typed errors a user can act on.
The token's `exp` claim (when present) is honoured so an expired token is replaced before use.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import jwt

from connectors.auth import CachedBearerAuth
from connectors.errors import BadCredentials, ConnectorError, NoPermission, ProviderError
from connectors.http import ProviderHttp

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


class BegetJwtAuth(CachedBearerAuth):
    """Bearer JWT for `/v1/*`: lazy login, one re-login on 401 (`CachedBearerAuth`); the login
    goes through `ProviderHttp`, so it has the shared retries and the connection's timeouts."""

    refresh_margin: ClassVar[float] = 30.0

    def __init__(self, http: ProviderHttp, base_url: str, login: str, password: str,
                 code: str | None = None) -> None:
        super().__init__(http, f"{base_url.rstrip('/')}/v1/auth")
        self._body: dict[str, Any] = {"login": login, "password": password, "saveMe": False}
        if code:
            self._body["code"] = code

    @property
    def logins(self) -> int:
        return self.exchanges

    async def _exchange(self) -> tuple[str, float]:
        try:
            body = await self.http.post(self.url, json=self._body)
        except NoPermission as exc:  # a login refused with 403 is about the credentials
            raise BadCredentials(exc.detail, provider=_PROVIDER) from exc
        token = body.get("token") if isinstance(body, dict) else None
        if not token:
            code = body.get("error") if isinstance(body, dict) else None
            raise _login_error(str(code or "NO_TOKEN"))
        expiry = _expiry(str(token))
        return str(token), expiry if expiry is not None else math.inf
