"""A loopback fake of Cloud.ru Evolution (providers.md §5): IAM token, billing consumption v2
with `page_filter.*` token paging, and the compute lists (`/api/v1/disks` can answer 403), paged
by `page_token`/`next_page_token` when `inventory_page` is set (§5.3, UNCONFIRMED)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.support.bearer import BearerFake
from tests.support.faults import Faults

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


class CloudRuFake(BearerFake):
    def __init__(self) -> None:
        self.key_id = "ak-0123456789"
        self.secret = "sk-s3cr3t-value"
        self.tokens: set[str] = set()
        self.exchanges = 0
        self.revoke_on: str | None = None
        self.rows: list[dict[str, Any]] = fixture("consumption")["consumptions"]
        self.vms: dict[str, Any] = fixture("vms")
        self.fips: dict[str, Any] = fixture("floating_ips")
        self.disks: dict[str, Any] = fixture("disks")
        self.disks_forbidden = False
        self.inventory_page: int | None = None  # items per inventory page; None: one page
        self.queries: list[dict[str, Any]] = []
        self.faults = Faults()

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.faults.middleware])
        r = app.router
        r.add_post("/api/v1/auth/token", self.token)
        r.add_get("/v2/consumption", self.consumption)
        r.add_get("/api/v1/vms", self.listing(lambda: self.vms))
        r.add_get("/api/v1/vms/{id}", self.vm)
        r.add_get("/api/v1/floating-ips", self.listing(lambda: self.fips))
        r.add_get("/api/v1/disks", self.disk_list)
        return app

    async def token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("keyId") != self.key_id or body.get("secret") != self.secret:
            return web.json_response({"error": "invalid_client",
                                      "error_description": "Invalid client credentials"},
                                     status=401)
        self.exchanges += 1
        data = fixture("token")
        data["access_token"] = f"eyJ.{secrets.token_hex(8)}.sig"
        self.tokens.add(data["access_token"])
        return web.json_response(data)

    @staticmethod
    def _unauthorised() -> web.Response:
        return web.json_response({"code": 16, "message": "unauthenticated"}, status=401)

    async def consumption(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._unauthorised()
        q = request.query
        projects = q.getall("project_ids", [])
        self.queries.append({"projects": projects, "agreement": q.get("agreement_id"),
                             "start": q.get("start_date"), "end": q.get("end_date"),
                             "size": q.get("page_filter.page_size")})
        if not (projects or q.get("agreement_id")) or not q.get("start_date") \
                or not q.get("end_date"):
            return web.json_response({"message": "agreement_id or project_ids, start_date "
                                                 "and end_date are required"}, status=400)
        rows = [r for r in self.rows
                if q["start_date"] <= r["usedate"] <= q["end_date"]
                and (q.get("agreement_id") or r.get("project_id") in projects)]
        size = int(q.get("page_filter.page_size", 25000))
        start = int(q.get("page_filter.page_token") or 0)
        body: dict[str, Any] = {"consumptions": rows[start:start + size]}
        if start + size < len(rows):
            body["next_page_token"] = str(start + size)
        return web.json_response(body)

    def listing(self, source: Any) -> Any:
        async def handler(request: web.Request) -> web.Response:
            if not self._authorised(request):
                return self._unauthorised()
            return self._page(request, source().get(request.query["project_id"], {"items": []}))
        return handler

    def _page(self, request: web.Request, body: Any) -> web.Response:
        """One page of an `{"items": [...]}` list when `inventory_page` is set."""
        items = body.get("items") if isinstance(body, dict) else None
        if self.inventory_page is None or not isinstance(items, list):
            return web.json_response(body)
        start = int(request.query.get("page_token") or 0)
        page: dict[str, Any] = {**body, "items": items[start:start + self.inventory_page]}
        if start + self.inventory_page < len(items):
            page["next_page_token"] = str(start + self.inventory_page)
        return web.json_response(page)

    async def vm(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._unauthorised()
        for project in self.vms.values():
            for vm in project["items"]:
                if vm["id"] == request.match_info["id"]:
                    return web.json_response(vm)
        return web.json_response({"message": "not found"}, status=404)

    async def disk_list(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._unauthorised()
        if self.disks_forbidden:
            return web.json_response({"message": "permission denied"}, status=403)
        return self._page(request, self.disks.get(request.query["project_id"], {"items": []}))
