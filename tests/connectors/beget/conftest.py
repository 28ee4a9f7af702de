"""Fixtures: a fresh Beget fake per test on a loopback port, and a connector pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from connectors.beget.connector import BegetConnector, BegetCredentials
from connectors.http import RetryPolicy
from tests.connectors.beget.fake import BegetFake
from tests.support.fake_server import run_fake

FAST = RetryPolicy(attempts=3, backoff_base=0.001, backoff_max=0.01, max_retry_after=1.0)


@pytest.fixture
def fake() -> BegetFake:
    return BegetFake()


@pytest.fixture
async def base_url(fake: BegetFake) -> AsyncIterator[str]:
    async with run_fake(fake.app()) as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


@pytest.fixture
def make(client: httpx.AsyncClient, base_url: str) -> Callable[..., BegetConnector]:
    def build(**options: Any) -> BegetConnector:
        return BegetConnector(client, endpoint=base_url, retry=FAST,
                              options={"page_size": 2, **options})
    return build


@pytest.fixture
def creds(fake: BegetFake) -> BegetCredentials:
    return BegetCredentials.model_validate({"login": fake.login, "password": fake.password})
