"""Cloud.ru access token as an `httpx.Auth`: key id + secret → bearer, one refresh on 401.

`POST https://iam.api.cloud.ru/api/v1/auth/token` with `{"keyId", "secret"}` answers
`access_token` and `expires_in` (3600 s, providers.md §5.1). Caching, the 401 refresh and the
shared retries come from `connectors.auth.CachedBearerAuth`; a 400/401/404 is bad credentials.
"""

from __future__ import annotations

import time

import httpx

from connectors.auth import CachedBearerAuth
from connectors.http import ProviderHttp

__all__ = ["CloudRuTokenAuth", "error_message"]

def error_message(response: httpx.Response) -> str:
    """Error bodies are UNCONFIRMED: take `message`, `error_description`, `error` or `detail`."""
    body = response.json()
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "detail"):
            if body.get(key):
                return str(body[key])
    return response.text[:200]


class CloudRuTokenAuth(CachedBearerAuth):
    """Bearer access token for every Cloud.ru API call; one refresh on 401."""

    def __init__(self, http: ProviderHttp, iam_url: str, key_id: str, secret: str) -> None:
        super().__init__(http, f"{iam_url.rstrip('/')}/api/v1/auth/token")
        self._body = {"keyId": key_id, "secret": secret}

    async def _exchange(self) -> tuple[str, float]:
        data = await self._post(self._body, error_parser=error_message, refused=(400, 404))
        token = self._token_in(data, "access_token")
        try:
            lifetime = float(data.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        return token, time.time() + lifetime
