"""Fixtures: the Cloud.ru fake on loopback and a connector pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from connectors.cloudru.connector import CloudRuConnector, CloudRuCredentials
from connectors.http import RetryPolicy
from tests.connectors.cloudru.fake import CloudRuFake
from tests.support.fake_server import run_fake

FAST = RetryPolicy(attempts=3, backoff_base=0.001, backoff_max=0.01, max_retry_after=1.0)


@pytest.fixture
def fake() -> CloudRuFake:
    return CloudRuFake()


@pytest.fixture
async def base_url(fake: CloudRuFake) -> AsyncIterator[str]:
    async with run_fake(fake.app()) as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


@pytest.fixture
def make(client: httpx.AsyncClient, base_url: str) -> Callable[..., CloudRuConnector]:
    def build(**options: Any) -> CloudRuConnector:
        return CloudRuConnector(client, endpoint=base_url, retry=FAST,
                                options={"page_size": 2, **options})
    return build


@pytest.fixture
def creds(fake: CloudRuFake) -> CloudRuCredentials:
    return CloudRuCredentials.model_validate(
        {"key_id": fake.key_id, "secret": fake.secret, "project_ids": "proj-prod, proj-dev"})
