"""Fault injection for loopback fakes: a path prefix answers with a status, body or delay.

Shared by every provider fake (Beget, Yandex, Cloud.ru, OpenStack and Selectel). Each rule
serves `times` requests, then the real handler answers again, so "429 once, then success" and
"500 forever" are both one line; `method` narrows a rule to one HTTP method.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

__all__ = ["Fault", "Faults"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Fault:
    status: int = 500
    body: str = '{"error": "injected"}'
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int = 1_000
    after: int = 0  # let this many matching requests through first
    method: str | None = None  # only this HTTP method (default: any)


@dataclass
class Faults:
    """Rules by path prefix plus a log of every request the fake saw."""

    rules: list[tuple[str, Fault]] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def add(self, prefix: str, fault: Fault) -> None:
        self.rules.append((prefix, fault))

    def count(self, prefix: str, method: str | None = None) -> int:
        return sum(1 for m, path in self.calls
                   if path.startswith(prefix) and method in (None, m))

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.calls.append((request.method, request.path))
        for prefix, fault in self.rules:
            if (request.path.startswith(prefix) and fault.times > 0
                    and fault.method in (None, request.method)):
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.times -= 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                return web.Response(status=fault.status, text=fault.body,
                                    headers=fault.headers, content_type="application/json")
        return await handler(request)
