"""Keystone session and `httpx.Auth`: cached tokens, one re-authentication on 401."""

from __future__ import annotations

import httpx
import pytest

from connectors.errors import BadCredentials
from connectors.http import ProviderHttp
from connectors.openstack.auth import KeystoneSession, tokens_url
from connectors.openstack.client import OpenStackClient
from tests.connectors.openstack.fake import OpenStackFake
from tests.connectors.rigs import FAST

IDENTITY = {"methods": ["password"], "password": {"user": {
    "name": "finops", "domain": {"name": "Default"}, "password": "s3cret"}}}


def _session(client: httpx.AsyncClient, base_url: str) -> KeystoneSession:
    return KeystoneSession(ProviderHttp(client, "openstack", FAST), f"{base_url}/identity/v3",
                           IDENTITY, {"project": {"id": "p-prod"}})


@pytest.mark.parametrize(("auth_url", "expected"), [
    ("https://k.example:5000", "https://k.example:5000/v3/auth/tokens"),
    ("https://k.example:5000/v3/", "https://k.example:5000/v3/auth/tokens"),
    ("https://k.example/identity/v3", "https://k.example/identity/v3/auth/tokens"),
])
def test_tokens_url(auth_url: str, expected: str) -> None:
    assert tokens_url(auth_url) == expected


async def test_token_is_cached(client, base_url, fake: OpenStackFake) -> None:
    session = _session(client, base_url)
    first = await session.token()
    assert await session.token() is first
    assert first.project is not None
    assert first.project.id == "p-prod"
    assert fake.count("/identity/v3/auth/tokens") == 1


async def test_a_revoked_token_is_replaced_once_and_the_request_replayed(
        client, base_url, fake: OpenStackFake) -> None:
    session = _session(client, base_url)
    api = OpenStackClient(ProviderHttp(client, "openstack", FAST), session.auth())
    assert len(await api.servers(f"{base_url}/RegionOne/compute/v2.1")) == 4
    fake.revoke_all()
    assert len(await api.servers(f"{base_url}/RegionOne/compute/v2.1")) == 4
    assert fake.count("/identity/v3/auth/tokens") == 2


async def test_a_second_401_is_bad_credentials(client, base_url, fake: OpenStackFake) -> None:
    session = _session(client, base_url)
    api = OpenStackClient(ProviderHttp(client, "openstack", FAST), session.auth())
    await session.token()
    fake.revoke_all()
    fake.users["finops"] = "rotated"  # the re-authentication fails too
    with pytest.raises(BadCredentials):
        await api.volumes(f"{base_url}/RegionOne/volume/v3/p-prod")
