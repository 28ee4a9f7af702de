"""A loopback Selectel: IAM (Keystone) + billing statistics + balance, over the OpenStack fake.

Billing endpoints demand an account-scoped token and the documented query parameters; a bad
parameter answers 422 `{"error": {"<field>": ["message"]}}` as public clients expect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.connectors.openstack.fake import OpenStackFake, load

__all__ = ["ACCOUNT", "FIXTURES", "SelectelFake"]

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT = "123456"
GROUP_TYPES = {"project", "object", "metric", "project_metric", "region_metric",
               "object_metric", "project_object_region_metric"}
PERIODS = {"hour", "day", "week", "month", "year", "all"}


@dataclass
class SelectelFake(OpenStackFake):
    consumption: list[dict[str, Any]] = field(default_factory=list)
    billing_projects: list[dict[str, Any]] = field(default_factory=list)
    balances: dict[str, Any] = field(default_factory=dict)
    prediction: dict[str, Any] = field(default_factory=dict)
    consumption_queries: list[dict[str, Any]] = field(default_factory=list)
    prices: dict[str, Any] = field(default_factory=dict)
    # server id → Gnocchi measures of that server (`{"cpu_util": {"mean": [[ts, 300, v]]}}`)
    measures: dict[str, dict[str, Any]] = field(default_factory=dict)
    aggregate_bodies: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def default(cls) -> SelectelFake:
        inv = load("inventory.json", FIXTURES)
        return cls(projects=inv["projects"], regions=inv["regions"], data=inv["data"],
                   users={"finops-reader": "s3cret"}, user_domain=ACCOUNT,
                   consumption=load("consumption.json", FIXTURES)["data"],
                   billing_projects=load("billing_projects.json", FIXTURES)["data"],
                   balances=load("balances.json", FIXTURES),
                   prediction=load("prediction.json", FIXTURES),
                   prices=load("vpc_prices.json", FIXTURES))

    @classmethod
    def real_account(cls, days: list[date]) -> SelectelFake:
        """The account of `real_account.json`: its one billed hour repeated for every hour
        of `days` (the bill of an account that did not change), its inventory and prices."""
        raw = load("real_account.json", FIXTURES)
        rows = []
        for day in days:
            for hour in range(24):
                start = datetime.combine(day, time(hour)).isoformat()
                end = datetime.combine(day, time(hour, 59, 59)).isoformat()
                for row in raw["hour"]:
                    rows.append({**row, "period": start, "provision_start": start,
                                 "provision_end": end})
        inv = raw["inventory"]
        return cls(projects=inv["projects"], regions=inv["regions"], data=inv["data"],
                   users={"finops-reader": "s3cret"}, user_domain=ACCOUNT, consumption=rows,
                   billing_projects=inv["projects"], balances=load("balances.json", FIXTURES),
                   prediction=load("prediction.json", FIXTURES),
                   prices=load("vpc_prices.json", FIXTURES))

    def add_routes(self, app: web.Application) -> None:
        super().add_routes(app)
        app.router.add_get("/v3/balances", self.get_balances)
        app.router.add_get("/v2/billing/prediction", self.get_prediction)
        app.router.add_get("/v1/cloud_billing/statistic/projects", self.get_projects)
        app.router.add_get("/v1/cloud_billing/statistic/consumption", self.get_consumption)
        app.router.add_get("/v2/billing/vpc/prices", self.get_prices)
        app.router.add_post("/{region}/metric/v1/aggregates", self.post_aggregates)

    def _account(self, request: web.Request) -> web.Response | None:
        token = request.headers.get("X-Auth-Token", "")
        if token not in self.tokens:
            return web.json_response({"status": "error", "error": "invalid token"}, status=401)
        if self.tokens[token] is not None:
            return web.json_response({"status": "error", "error": "account scope required"},
                                     status=403)
        return None

    async def get_balances(self, request: web.Request) -> web.Response:
        return self._account(request) or web.json_response(self.balances)

    async def get_prediction(self, request: web.Request) -> web.Response:
        return self._account(request) or web.json_response(self.prediction)

    async def get_prices(self, request: web.Request) -> web.Response:
        return self._account(request) or web.json_response(self.prices)

    async def post_aggregates(self, request: web.Request) -> web.Response:
        """Gnocchi aggregates with a project-scoped token; `search` is `id=<server>`."""
        token = request.headers.get("X-Auth-Token", "")
        if self.tokens.get(token) is None:
            return web.json_response({"code": 401, "title": "Unauthorized"}, status=401)
        body = await request.json()
        self.aggregate_bodies.append({**body, **dict(request.query)})
        if request.query.get("granularity") != "300" or "operations" not in body:
            return web.json_response({"code": 400, "description": "bad request"}, status=400)
        server = str(body.get("search", "")).removeprefix("id=")
        found = self.measures.get(server)
        return web.json_response({"measures": {server: found} if found else {}})

    async def get_projects(self, request: web.Request) -> web.Response:
        denied = self._account(request)
        if denied:
            return denied
        if not request.query.getall("provider_keys", []):
            return web.json_response({"error": {"provider_keys": ["required"]}}, status=422)
        return web.json_response({"status": "success", "data": self.billing_projects})

    async def get_consumption(self, request: web.Request) -> web.Response:
        denied = self._account(request)
        if denied:
            return denied
        q = request.query
        self.consumption_queries.append({k: q.getall(k) for k in q})
        errors = {}
        if not q.getall("provider_keys", []):
            errors["provider_keys"] = ["required"]
        if q.get("group_type") not in GROUP_TYPES:
            errors["group_type"] = ["not a valid choice"]
        if q.get("period_group_type") not in PERIODS:
            errors["period_group_type"] = ["not a valid choice"]
        try:
            start = datetime.fromisoformat(q["start"])
            end = datetime.fromisoformat(q["end"])
        except (KeyError, ValueError):
            errors["start"] = ["invalid date-time"]
        if errors:
            return web.json_response({"error": errors}, status=422)
        keys = set(q.getall("provider_keys"))
        rows = [r for r in self.consumption if r["provider_key"] in keys
                and start <= datetime.fromisoformat(r["period"]) <= end]
        return web.json_response({"status": "success", "data": rows})
