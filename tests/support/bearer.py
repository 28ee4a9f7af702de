"""Bearer-token checks shared by the fakes that issue tokens (Beget v1, Cloud.ru, Yandex IAM).

A fake keeps the tokens it issued in `tokens`; setting `revoke_on` to a path prefix revokes them
all at the first request there, so a connector must refresh its token once on the 401.
"""

from __future__ import annotations

from aiohttp import web

__all__ = ["BearerFake"]


class BearerFake:
    """Mixin: `tokens` and `revoke_on` are set by the fake's `__init__`."""

    tokens: set[str]
    revoke_on: str | None

    def _authorised(self, request: web.Request) -> bool:
        if self.revoke_on and request.path.startswith(self.revoke_on):
            self.revoke_on = None
            self.tokens.clear()
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and header[7:] in self.tokens
