"""Yandex IAM token as an `httpx.Auth`: exchange an OAuth token or a signed PS256 JWT.

Caching until shortly before `expiresAt`, the one refresh on 401 and the shared retries come
from `connectors.auth.CachedBearerAuth`. The service-account JWT follows providers.md §3.1:
header `kid` = key id, `iss` = service account id, `aud` = the IAM tokens URL, lifetime ≤ 1 h.
"""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar

import httpx
import jwt

from connectors.auth import CachedBearerAuth
from connectors.errors import InvalidInput
from connectors.http import ProviderHttp
from connectors.parsing import parse_rfc3339
from connectors.yandex.models import AuthorizedKey

__all__ = ["IAM_AUDIENCE", "YandexIamAuth", "load_authorized_key", "rpc_message",
           "sign_service_account_jwt"]

IAM_AUDIENCE = "https://iam.api.cloud.yandex.net/iam/v1/tokens"


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
    """`expiresAt` (RFC 3339, nanoseconds) → epoch seconds."""
    stamp = parse_rfc3339(text) if isinstance(text, str) else None
    return stamp.timestamp() if stamp else None


class YandexIamAuth(CachedBearerAuth):
    """Bearer IAM token for every Yandex API call; one refresh on 401."""

    refresh_margin: ClassVar[float] = 300.0

    def __init__(self, http: ProviderHttp, iam_url: str, *, oauth_token: str | None = None,
                 key: AuthorizedKey | None = None) -> None:
        if (oauth_token is None) == (key is None):
            raise ValueError("exactly one of oauth_token or key")
        super().__init__(http, f"{iam_url.rstrip('/')}/iam/v1/tokens")
        self._oauth = oauth_token
        self._key = key

    async def _exchange(self) -> tuple[str, float]:
        body = ({"yandexPassportOauthToken": self._oauth} if self._oauth is not None
                else {"jwt": sign_service_account_jwt(self._key)})  # type: ignore[arg-type]
        # a malformed OAuth token or JWT (HTTP 400) is the user's input
        data = await self._post(body, error_parser=rpc_message, refused=(400,))
        token = self._token_in(data, "iamToken")
        return token, _expires_at(data.get("expiresAt")) or time.time() + 3600
