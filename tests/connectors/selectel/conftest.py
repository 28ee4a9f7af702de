"""Fixtures: a fresh Selectel fake per test on a loopback port and a connector pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from connectors.http import RetryPolicy
from connectors.selectel.connector import SelectelConnector
from core.clock import FrozenClock
from tests.connectors.selectel.fake import ACCOUNT, SelectelFake
from tests.support.fake_server import run_fake

FAST = RetryPolicy(attempts=3, backoff_base=0.001, backoff_max=0.01, max_retry_after=1.0)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CREDS: dict[str, Any] = {"account_id": ACCOUNT, "username": "finops-reader", "password": "s3cret"}


@pytest.fixture
def fake() -> SelectelFake:
    return SelectelFake.default()


@pytest.fixture
async def base_url(fake: SelectelFake) -> AsyncIterator[str]:
    async with run_fake(fake.app()) as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


@pytest.fixture
def make(client: httpx.AsyncClient, base_url: str) -> Callable[..., SelectelConnector]:
    def build(**options: Any) -> SelectelConnector:
        return SelectelConnector(client, endpoint=base_url, retry=FAST, clock=FrozenClock(NOW),
                                 options={"identity_url": f"{base_url}/identity/v3",
                                          "region_url_template": f"{base_url}/{{region}}",
                                          **options})
    return build
