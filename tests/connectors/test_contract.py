"""Every registered connector honours the shared rules (a hassfest-style guard, style.md §13).

Adding a line to `connectors.registry.KINDS` adds a row here: the class imports, its `kind`
is the registry key, it has a display name, a `Credentials` model whose secret-looking fields
are `SecretStr`, an endpoint override, and it is a `BaseConnector` that implements the
`Connector` protocol (both coroutines of its own).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.base import BaseConnector, Connector, Credentials, secret_fields
from connectors.registry import KINDS, connector_class

# `password`, `secret`, `token`, `key` name secrets; `*_id` fields (`key_id`,
# `export_access_key_id`) name a key without being one.
SECRET_NAME = re.compile(r"password|secret|token|key")
OVERRIDE = "http://127.0.0.1:9/override"


def _secret_looking(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not name.endswith("_id")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_connector_contract(kind: str, client: httpx.AsyncClient) -> None:
    cls = connector_class(kind)
    assert cls.kind == kind
    assert cls.display_name.strip()
    assert issubclass(cls, BaseConnector)
    assert cls.test is not BaseConnector.test
    assert cls.collect is not BaseConnector.collect
    model = cls.credentials_model
    assert issubclass(model, Credentials)
    assert model is not Credentials
    looking = [name for name in model.model_fields if _secret_looking(name)]
    assert set(looking) <= set(secret_fields(model)), f"{kind}: {looking} must be SecretStr"

    connector = cls(client, endpoint=f"{OVERRIDE}/")
    assert isinstance(connector, BaseConnector)
    assert isinstance(connector, Connector)
    assert connector.endpoint == OVERRIDE
    assert isinstance(cls.default_endpoint, str)
    assert isinstance(cls.has_balance, bool)


@pytest.mark.parametrize(("name", "secret"), [
    ("password", True), ("application_credential_secret", True), ("oauth_token", True),
    ("service_account_key", True), ("key_id", False), ("export_access_key_id", False),
    ("username", False)])
def test_secret_looking_names(name: str, secret: bool) -> None:
    assert _secret_looking(name) is secret
