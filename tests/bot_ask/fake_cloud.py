"""A tiny connector and its loopback fake provider, so the wizard runs over real HTTP.

`testcloud` takes a login and a secret API key; the fake answers 401 for a wrong key and
serves one server and three days of costs for the right one. The fixture registers the kind
in `connectors.registry.KINDS` for the test only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from aiohttp import web
from pydantic import SecretStr

from connectors.base import BaseConnector, Credentials
from core.domain.collection import (
    AccountInfo,
    Collection,
    CostLine,
    ResourceKind,
    ResourceRecord,
    ResourceStatus,
    Window,
)

GOOD_KEY = "sk-live-7f3a9c1e5b2d"


class FakeCloudCredentials(Credentials):
    login: str
    api_key: SecretStr


class FakeCloudConnector(BaseConnector[FakeCloudCredentials]):
    kind: ClassVar[str] = "testcloud"
    display_name: ClassVar[str] = "Test Cloud"
    credentials_model: ClassVar[type[Credentials]] = FakeCloudCredentials

    def _headers(self, creds: FakeCloudCredentials) -> dict[str, str]:
        return {"Authorization": f"Bearer {creds.api_key.get_secret_value()}",
                "X-Login": creds.login}

    async def test(self, creds: FakeCloudCredentials) -> AccountInfo:
        body = await self.http.get(f"{self.endpoint}/v1/account", headers=self._headers(creds))
        return AccountInfo(account_id=str(body["id"]), display_name=str(body["name"]))

    async def collect(self, creds: FakeCloudCredentials, window: Window) -> Collection:
        account = await self.test(creds)
        body = await self.http.get(f"{self.endpoint}/v1/costs", headers=self._headers(creds))
        resources = [ResourceRecord(external_id="vm-1", name="test-vm-1",
                                    kind=ResourceKind.SERVER, status=ResourceStatus.RUNNING,
                                    service_name="Compute")]
        lines = []
        for item in body["items"]:
            start = datetime.fromisoformat(item["day"]).replace(tzinfo=UTC)
            lines.append(CostLine(charge_period_start=start,
                                  charge_period_end=start + timedelta(days=1),
                                  billed_cost=Decimal(item["cost"]), service_name="Compute",
                                  resource_id="vm-1", resource_name="test-vm-1"))
        return Collection(account=account, resources=resources, cost_lines=lines)


def fake_provider() -> web.Application:
    async def account(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {GOOD_KEY}":
            return web.json_response({"error": "invalid api key"}, status=401)
        return web.json_response({"id": "acc-42", "name": "ООО Тест"})

    async def costs(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {GOOD_KEY}":
            return web.json_response({"error": "invalid api key"}, status=401)
        return web.json_response({"items": [
            {"day": "2026-11-19", "cost": "1000.50"}, {"day": "2026-11-20", "cost": "1100"},
            {"day": "2026-11-21", "cost": "1200"}]})

    app = web.Application()
    app.router.add_get("/v1/account", account)
    app.router.add_get("/v1/costs", costs)
    return app
