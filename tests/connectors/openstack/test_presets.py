"""Registry lines, credential fields the wizard asks, and the Platform9 preset's URL rule."""

from __future__ import annotations

import httpx
import pytest

from connectors.base import secret_fields, wizard_fields
from connectors.errors import InvalidInput
from connectors.openstack.platform9 import Platform9Connector
from connectors.registry import connector_class


@pytest.mark.parametrize(("kind", "asked", "secret"), [
    ("openstack", ["auth_url", "username", "password", "user_domain_name", "project_name",
                   "region"], ["password", "application_credential_secret"]),
    ("vk", ["username", "password", "region", "project_id"],
     ["password", "application_credential_secret"]),
    ("selectel", ["account_id", "username", "password"], ["password"]),
])
def test_registry_kinds_and_their_fields(kind: str, asked: list[str], secret: list[str]) -> None:
    cls = connector_class(kind)
    assert cls.kind == kind
    assert wizard_fields(cls.credentials_model) == asked
    assert secret_fields(cls.credentials_model) == secret
    assert "price_list" not in wizard_fields(cls.credentials_model)


@pytest.mark.parametrize(("given", "expected"), [
    ("https://acme.platform9.net", "https://acme.platform9.net/keystone/v3"),
    ("https://acme.platform9.net/keystone/v3/", "https://acme.platform9.net/keystone/v3"),
])
async def test_platform9_completes_the_keystone_url(given: str, expected: str) -> None:
    async with httpx.AsyncClient() as client:
        connector = Platform9Connector(client)
        creds = connector.parse_credentials({"auth_url": given, "username": "u",
                                             "password": "p"})
        assert connector.auth_url(creds) == expected


async def test_a_missing_keystone_url_is_invalid_input() -> None:
    async with httpx.AsyncClient() as client:
        connector = connector_class("openstack")(client)
        creds = connector.parse_credentials({"username": "u", "password": "p"})
        with pytest.raises(InvalidInput, match="auth_url"):
            await connector.test(creds)
