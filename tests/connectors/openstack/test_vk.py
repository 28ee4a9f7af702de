"""VK Cloud preset: Keystone with the `users` domain, and the balance by console PID."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiohttp import web

from connectors.errors import BadCredentials, ProviderError
from connectors.openstack.vk import VkCloudConnector
from core.clock import FrozenClock
from core.domain.collection import Window
from tests.connectors.openstack.fake import Fault, OpenStackFake
from tests.connectors.rigs import FAST, NOW, PRICES
from tests.support.fake_server import run_fake

CREDS: dict[str, Any] = {"username": "ops@example.com", "password": "s3cret",
                         "project_id": "p-prod", "pid": "mcs1234567890"}
WINDOW = Window(date(2026, 11, 20), date(2026, 11, 21))


@dataclass
class VkFake(OpenStackFake):
    balances: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_routes(self, app: web.Application) -> None:
        super().add_routes(app)
        app.router.add_get("/billing/public/v1/projects/{pid}/balances/amount", self.balance)

    async def balance(self, request: web.Request) -> web.Response:
        if request.headers.get("X-Auth-Token", "") not in self.tokens:
            return web.json_response({"error": "Unauthorized"}, status=401)
        found = self.balances.get(request.match_info["pid"])
        if found is None:
            return web.json_response({"error": "Project not found"}, status=404)
        return web.json_response(found)


@pytest.fixture
async def vk() -> AsyncIterator[tuple[VkFake, VkCloudConnector]]:
    raw = OpenStackFake.from_fixture()
    fake = VkFake(projects=raw.projects, regions=raw.regions, data=raw.data,
                  users={"ops@example.com": "s3cret"}, user_domain="users",
                  balances={"mcs1234567890": {"base": 1532.40, "bonus": 2000.0}})
    async with run_fake(fake.app()) as url, httpx.AsyncClient() as client:
        yield fake, VkCloudConnector(
            client, endpoint=f"{url}/identity/v3", retry=FAST, clock=FrozenClock(NOW),
            options={"price_list": PRICES, "billing_url": f"{url}/billing/public/v1"})


async def test_vk_collects_with_the_users_domain_and_the_balance(vk) -> None:
    fake, connector = vk
    result = await connector.collect(connector.parse_credentials(CREDS), WINDOW)
    body = fake.token_bodies[0]["auth"]
    assert body["identity"]["password"]["user"]["domain"] == {"name": "users"}
    assert body["scope"] == {"project": {"id": "p-prod"}}
    assert result.account.balance == Decimal("1532.4")
    assert result.account.extra["bonus"] == "2000.0"
    assert result.cost_lines[0].provider_name == "VK Cloud"
    assert VkCloudConnector.default_endpoint == "https://infra.mail.ru:5000/v3"


async def test_vk_test_reports_a_wrong_pid(vk) -> None:
    _, connector = vk
    with pytest.raises(ProviderError, match="Project not found"):
        await connector.test(connector.parse_credentials({**CREDS, "pid": "mcs0"}))


@pytest.mark.parametrize(("fault", "expected"), [
    (Fault(status=404, body='{"error": "Project not found"}'), "Project not found"),
    (Fault(status=422, body='{"loc": ["path", "pid"], "msg": "bad pid", "type": "value_error"}'),
     "bad pid"),
    (Fault(status=200, body='{"base": "lots"}'), "base"),
])
async def test_vk_balance_failures_inside_collect_are_warnings(vk, fault: Fault,
                                                                expected: str) -> None:
    fake, connector = vk
    fake.fail("/billing/", fault)
    result = await connector.collect(connector.parse_credentials(CREDS), WINDOW)
    assert result.account.balance is None
    assert any(w.startswith("balance of mcs1234567890 not read") and expected in w
               for w in result.warnings)
    assert result.resources


async def test_vk_without_pid_has_no_balance(vk) -> None:
    fake, connector = vk
    creds = {k: v for k, v in CREDS.items() if k != "pid"}
    info = await connector.test(connector.parse_credentials(creds))
    assert info.balance is None
    assert fake.count("/billing/") == 0


async def test_vk_wrong_password(vk) -> None:
    _, connector = vk
    with pytest.raises(BadCredentials):
        await connector.test(connector.parse_credentials({**CREDS, "password": "x"}))
