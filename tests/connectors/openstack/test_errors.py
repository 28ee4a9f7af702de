"""What the user sees when the cloud misbehaves: one typed error per scenario (HA-style table)."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.errors import (
    BadCredentials,
    ConnectorError,
    InvalidInput,
    NoPermission,
    ProviderError,
    RateLimited,
    Unreachable,
)
from core.domain.collection import Window
from tests.connectors.openstack.fake import Fault, OpenStackFake
from tests.connectors.rigs import OPENSTACK_CREDS

TOKENS = "/identity/v3/auth/tokens"
PROJECTS = "/identity/v3/auth/projects"
FORBIDDEN = '{"error": {"code": 403, "message": "You are not authorized.", "title": "Forbidden"}}'

ERRORS = [
    ("wrong_password", None, None, BadCredentials),
    ("forbidden_project_list", PROJECTS, Fault(status=403, body=FORBIDDEN), NoPermission),
    ("rate_limited_for_good", TOKENS,
     Fault(status=429, body="{}", headers={"Retry-After": "0"}), RateLimited),
    ("rate_limited_too_long", TOKENS,
     Fault(status=429, body="{}", headers={"Retry-After": "120"}), RateLimited),
    ("server_error", TOKENS, Fault(status=503), ProviderError),
    ("timeout", TOKENS, Fault(status=201, body="{}", delay=0.3), Unreachable),
    ("malformed_json", PROJECTS, Fault(status=200, body="<html>oops"), ProviderError),
    ("token_without_body", TOKENS, Fault(status=201, body='{"token": 1}'), ProviderError),
]


@pytest.mark.parametrize(("scenario", "prefix", "fault", "expected"), ERRORS,
                         ids=[e[0] for e in ERRORS])
async def test_test_raises_a_typed_error(make, fake: OpenStackFake, scenario: str,
                                         prefix: str | None, fault: Fault | None,
                                         expected: type[ConnectorError]) -> None:
    if prefix and fault:
        fake.fail(prefix, fault)
    creds = OPENSTACK_CREDS
    if scenario == "wrong_password":
        creds = {**OPENSTACK_CREDS, "password": "wrong"}
    connector = make(timeout=0.1 if scenario == "timeout" else 30)
    with pytest.raises(expected) as caught:
        await connector.test(connector.parse_credentials(creds))
    assert caught.value.provider == "openstack"
    assert "s3cret" not in str(caught.value)


async def test_bad_credentials_carry_keystones_message(make) -> None:
    connector = make()
    with pytest.raises(BadCredentials, match="requires authentication"):
        await connector.test(connector.parse_credentials({**OPENSTACK_CREDS, "password": "nope"}))


async def test_retry_after_is_honoured_then_the_call_succeeds(make, fake) -> None:
    fake.fail(TOKENS, Fault(status=429, body="{}", headers={"Retry-After": "0.01"}, times=1))
    connector = make()
    info = await connector.test(connector.parse_credentials(OPENSTACK_CREDS))
    assert info.extra["projects"] == ["prod", "stage"]
    assert fake.count(TOKENS) == 2


async def test_too_long_retry_after_is_not_waited_for(make, fake) -> None:
    fake.fail(TOKENS, Fault(status=429, body="{}", headers={"Retry-After": "120"}))
    connector = make()
    with pytest.raises(RateLimited) as caught:
        await connector.test(connector.parse_credentials(OPENSTACK_CREDS))
    assert caught.value.retry_after == pytest.approx(120, abs=1)
    assert fake.count(TOKENS) == 1


async def test_transient_5xx_is_retried(make, fake) -> None:
    fake.fail("/RegionOne/compute/", Fault(status=500, times=1))
    connector = make()
    result = await connector.collect(connector.parse_credentials(OPENSTACK_CREDS),
                                     Window(date(2026, 11, 20), date(2026, 11, 21)))
    assert result.warnings == []
    assert "srv-web-1" in {r.external_id for r in result.resources}


async def test_malformed_service_json_is_a_warning(make, fake) -> None:
    fake.fail("/RegionOne/network/v2.0/floatingips", Fault(status=200, body="not json"))
    connector = make()
    result = await connector.collect(connector.parse_credentials(OPENSTACK_CREDS),
                                     Window(date(2026, 11, 20), date(2026, 11, 21)))
    assert any("floating_ips not read (provider_error: malformed JSON" in w
               for w in result.warnings)
    assert not result.complete_inventory


async def test_unexpected_row_shape_is_a_warning(make, fake) -> None:
    fake.data["p-prod/RegionOne"]["volumes"].append({"name": "no id"})
    connector = make()
    result = await connector.collect(connector.parse_credentials(OPENSTACK_CREDS),
                                     Window(date(2026, 11, 20), date(2026, 11, 21)))
    assert any("prod/RegionOne: volumes not read (unexpected shape" in w for w in result.warnings)


async def test_a_project_refusing_its_token_is_a_warning(make, fake) -> None:
    fake.projects.append({"id": "p-ghost", "name": "ghost"})  # listed, but cannot be scoped
    original = fake._project

    def refuse_ghost(scope):
        found = original(scope)
        return {} if found and found.get("id") == "p-ghost" else found

    fake._project = refuse_ghost
    connector = make()
    result = await connector.collect(connector.parse_credentials(OPENSTACK_CREDS),
                                     Window(date(2026, 11, 20), date(2026, 11, 21)))
    assert any(w.startswith("ghost: no project token (bad_credentials") for w in result.warnings)
    assert not result.complete_inventory
    assert "srv-web-1" in {r.external_id for r in result.resources}


async def test_empty_account_is_an_empty_collection(make, fake) -> None:
    fake.projects.clear()
    connector = make()
    result = await connector.collect(connector.parse_credentials(OPENSTACK_CREDS),
                                     Window(date(2026, 11, 20), date(2026, 11, 21)))
    assert result.resources == []
    assert result.cost_lines == []
    assert result.warnings == []
    assert result.complete_inventory


def test_credentials_need_one_complete_method(make) -> None:
    connector = make()
    with pytest.raises(ValueError, match="username and password"):
        connector.parse_credentials({"username": "finops"})


async def test_a_bad_price_list_stops_the_sync_naming_the_entry(make) -> None:
    connector = make(price_list={"flavors": {"m1.small": {"price": "two"}}})
    with pytest.raises(InvalidInput, match=r"price_list\.flavors\.m1\.small\.price"):
        await connector.collect(connector.parse_credentials(OPENSTACK_CREDS),
                                Window(date(2026, 11, 20), date(2026, 11, 21)))
