"""Fixtures every provider's tests share, driven by the `rig` its own conftest names.

`fake` (a fresh fake per test), `base_url` (that fake served on loopback), `client` (one
httpx client), `make(**options)` (a connector pointed at the fake) and `creds` (what the fake
accepts). A provider overrides any of them where it needs more (Yandex: its key pair).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

import httpx
import pytest

from connectors.base import BaseConnector, Credentials
from tests.connectors.rigs import Rig
from tests.support.fake_server import run_fake


@pytest.fixture
def rig() -> Rig:
    raise NotImplementedError("name the provider's rig in its conftest (tests/connectors/rigs)")


@pytest.fixture
def fake(rig: Rig) -> Any:
    return rig.new_fake()


@pytest.fixture
async def base_url(fake: Any) -> AsyncIterator[str]:
    async with run_fake(fake.app()) as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


@pytest.fixture
def make(rig: Rig, client: httpx.AsyncClient,
         base_url: str) -> Callable[..., BaseConnector]:  # type: ignore[type-arg]
    return partial(rig.build, client, base_url)


@pytest.fixture
def creds(rig: Rig, fake: Any) -> Credentials:
    return rig.creds(fake)
