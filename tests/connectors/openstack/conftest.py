"""Fixtures: a fresh OpenStack fake per test on a loopback port and connectors pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from connectors.http import RetryPolicy
from connectors.openstack.connector import OpenStackConnector
from core.clock import FrozenClock
from tests.connectors.openstack.fake import OpenStackFake
from tests.support.fake_server import run_fake

FAST = RetryPolicy(attempts=3, backoff_base=0.001, backoff_max=0.01, max_retry_after=1.0)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

PRICES: dict[str, Any] = {
    "currency": "RUB",
    "flavors": {"m1.small": {"price": "2.50", "per": "hour"}},
    "vcpu": {"price": "1", "per": "hour"},
    "ram_gb": {"price": "0.5", "per": "hour"},
    "volume_gb": {"fast-ssd": {"price": "12", "per": "month"},
                  "*": {"price": "6", "per": "month"}},
    "floating_ip": {"price": "150", "per": "month"},
    "snapshot_gb": {"price": "3", "per": "month"},
}

CREDS: dict[str, Any] = {"username": "finops", "password": "s3cret"}


@pytest.fixture
def fake() -> OpenStackFake:
    return OpenStackFake.from_fixture()


@pytest.fixture
async def base_url(fake: OpenStackFake) -> AsyncIterator[str]:
    async with run_fake(fake.app()) as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


@pytest.fixture
def make(client: httpx.AsyncClient, base_url: str) -> Callable[..., OpenStackConnector]:
    def build(cls: type[OpenStackConnector] = OpenStackConnector,
              **options: Any) -> OpenStackConnector:
        return cls(client, endpoint=f"{base_url}/identity/v3", retry=FAST,
                   options={"price_list": PRICES, **options}, clock=FrozenClock(NOW))
    return build
