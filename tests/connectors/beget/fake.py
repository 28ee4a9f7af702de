"""A loopback fake of api.beget.com built from the shapes in providers.md §1.

Legacy calls answer HTTP 200 with the two-level envelope (gateway `status`, then `answer`);
sections in `denied` answer "Cannot access method <section>". v1 issues JWTs from `/v1/auth`,
pages lists with offset/limit/total_count and answers 401 to a revoked token.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web

from tests.support.bearer import BearerFake
from tests.support.faults import Faults

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


EMPTY_LIST = {"status": "success", "answer": {"status": "success", "result": []}}


class BegetFake(BearerFake):
    """State the tests steer: credentials, denied sections, overrides, revoked tokens."""

    def __init__(self) -> None:
        self.login = "acme"
        self.password = "api-s3cr&t"
        self.cloud_password = "api-s3cr&t"
        self.denied: set[str] = set()
        self.legacy: dict[str, Any] = {}
        self.vps: list[dict[str, Any]] = fixture("vps_list")["vps"]
        self.services: list[dict[str, Any]] = fixture("cloud")["service"]
        self.login_error: str | None = None
        self.tokens: set[str] = set()
        self.revoke_on: str | None = None
        self.logins = 0
        self.faults = Faults()
        # (cpu, memory MB, disk MB) → price_day the configurator answers; else a formula
        self.configurator: dict[tuple[int, int, int], float] = {}
        self.configurator_error: str | None = None
        # (metric, vps id) → a `{"<metric>": {"date": [...], "value": [...]}}` answer
        self.statistics: dict[tuple[str, str], dict[str, Any]] = {}

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.faults.middleware])
        app.router.add_post("/api/{section}/{method}", self.legacy_call)
        app.router.add_post("/v1/auth", self.v1_auth)
        app.router.add_get("/v1/vps/server/list", self.vps_list)
        app.router.add_get("/v1/vps/statistic/{metric}/{id}", self.statistic)
        app.router.add_get("/v1/cloud", self.cloud)
        app.router.add_get("/v1/vps/configurator/calculation", self.calculation)
        return app

    async def legacy_call(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("login") != self.login or form.get("passwd") != self.password:
            return web.json_response(fixture("auth_error"))
        section, method = request.match_info["section"], request.match_info["method"]
        if section in self.denied:
            return web.json_response({"status": "error", "error_code": "AUTH_ERROR",
                                      "error_text": f"Cannot access method {section}"})
        name = f"{section}_{method}"
        if name in self.legacy:
            return web.json_response(self.legacy[name])
        if (FIXTURES / f"{name}.json").exists():
            return web.json_response(fixture(name))
        return web.json_response({"status": "error", "error_code": "NO_SUCH_METHOD",
                                  "error_text": f"No such method {name}"})

    async def v1_auth(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.login_error:
            return web.json_response({"error": self.login_error})
        if body.get("login") != self.login or body.get("password") != self.cloud_password:
            return web.json_response({"error": "INCORRECT_CREDENTIALS"})
        self.logins += 1
        token = jwt.encode({"customerLogin": self.login, "n": self.logins,
                            "exp": int(time.time()) + 3600}, "fake-signing-key-0123456789abcdef",
                           algorithm="HS256")
        self.tokens.add(token)
        return web.json_response({"token": token})

    @staticmethod
    def _page(request: web.Request, items: list[dict[str, Any]], key: str) -> web.Response:
        offset = int(request.query.get("offset", 0))
        limit = int(request.query.get("limit", 100))
        return web.json_response({key: items[offset:offset + limit], "total_count": len(items)})

    async def vps_list(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "UNAUTHENTICATED"}, status=401)
        return self._page(request, self.vps, "vps")

    async def statistic(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "UNAUTHENTICATED"}, status=401)
        assert request.query.get("period") in ("HOUR", "DAY", "WEEK", "MONTH")
        metric = request.match_info["metric"]
        override = self.statistics.get((metric, request.match_info["id"]))
        return web.json_response(override or fixture(f"statistic_{metric}"))

    async def calculation(self, request: web.Request) -> web.Response:
        """`Configurator_GetCalculationResponse`: `success` with the price of the asked size,
        or `error` (openapi-vps v1.8.1)."""
        if not self._authorised(request):
            return web.json_response({"error": "UNAUTHENTICATED"}, status=401)
        if self.configurator_error:
            return web.json_response({"error": {"code": self.configurator_error,
                                                "message": "try later"}})
        q = request.query
        cpu, memory, disk = (int(q["params.cpu_count"]), int(q["params.memory"]),
                             int(q["params.disk_size"]))
        # default tariff: 5.2 ₽/day a vCPU + 3.4 ₽/day a GB of RAM + 0.05 ₽/day a GB of disk
        price = self.configurator.get((cpu, memory, disk),
                                      round(cpu * 5.2 + memory / 1024 * 3.4 + disk / 1024 * 0.05,
                                            2))
        return web.json_response({"success": {
            "params": {"cpu_count": cpu, "memory": memory, "disk_size": disk},
            "price_day": price, "price_month": round(price * 30, 2),
            "settings": {"cpu_settings": {"range": {"min": 1, "max": 32}, "step": 1}}}})

    async def cloud(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "UNAUTHENTICATED"}, status=401)
        return self._page(request, self.services, "service")
