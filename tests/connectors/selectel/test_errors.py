"""Selectel failure modes: a typed error per scenario for `test`, warnings inside `collect`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from connectors.errors import (
    BadCredentials,
    ConnectorError,
    NoPermission,
    ProviderError,
    RateLimited,
    Unreachable,
)
from connectors.selectel.connector import SelectelConnector
from core.domain.collection import Window
from tests.connectors.openstack.fake import Fault
from tests.connectors.rigs import SELECTEL_CREDS
from tests.connectors.selectel.fake import SelectelFake

TOKENS = "/identity/v3/auth/tokens"
BALANCES = "/v3/balances"
CONSUMPTION = "/v1/cloud_billing/statistic/consumption"
WINDOW = Window(date(2026, 11, 20), date(2026, 11, 21))

ERRORS = [
    ("wrong_password", {"password": "nope"}, None, None, BadCredentials),
    ("wrong_account", {"account_id": "999999"}, None, None, BadCredentials),
    ("no_billing_role", {}, BALANCES,
     Fault(status=403, body='{"status": "error", "error": "forbidden"}'), NoPermission),
    ("rate_limited", {}, BALANCES,
     Fault(status=429, body="{}", headers={"Retry-After": "0"}), RateLimited),
    ("server_error", {}, BALANCES, Fault(status=502, body="bad gateway"), ProviderError),
    ("timeout", {}, TOKENS, Fault(status=201, body="{}", delay=0.3), Unreachable),
    ("malformed_json", {}, BALANCES, Fault(status=200, body="{oops"), ProviderError),
    ("error_envelope", {}, BALANCES,
     Fault(status=200, body='{"status": "error", "error": "billing down", "data": null}'),
     ProviderError),
]


@pytest.mark.parametrize(("scenario", "creds", "prefix", "fault", "expected"), ERRORS,
                         ids=[e[0] for e in ERRORS])
async def test_test_raises_a_typed_error(make: Callable[..., SelectelConnector],
                                         fake: SelectelFake, scenario: str,
                                         creds: dict[str, str], prefix: str | None,
                                         fault: Fault | None,
                                         expected: type[ConnectorError]) -> None:
    if prefix and fault:
        fake.fail(prefix, fault)
    connector = make(timeout=0.1 if scenario == "timeout" else 30)
    with pytest.raises(expected) as caught:
        await connector.test(connector.parse_credentials({**SELECTEL_CREDS, **creds}))
    assert caught.value.provider == "selectel"
    assert "s3cret" not in str(caught.value)


async def test_test_returns_the_balance(make) -> None:
    connector = make()
    info = await connector.test(connector.parse_credentials(SELECTEL_CREDS))
    assert str(info.balance) == "15365.50"
    assert info.plan == "prepay"


async def test_rate_limit_with_retry_after_is_waited_out(make, fake) -> None:
    fake.fail(BALANCES, Fault(status=429, body="{}", headers={"Retry-After": "0.01"}, times=1))
    connector = make()
    info = await connector.test(connector.parse_credentials(SELECTEL_CREDS))
    assert info.balance is not None
    assert fake.count(BALANCES) == 2


async def test_an_expired_token_is_renewed_once(make, fake) -> None:
    fake.fail("/v1/cloud_billing/statistic/projects",
              Fault(status=401, body='{"status": "error", "error": "expired"}', times=1))
    connector = make()
    result = await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)
    assert result.cost_lines
    account_tokens = [b for b in fake.token_bodies if "domain" in b["auth"]["scope"]]
    assert len(account_tokens) == 2


async def test_billing_refused_fails_the_sync(make, fake) -> None:
    fake.fail(CONSUMPTION, Fault(status=403, body='{"status": "error", "error": "no role"}'))
    connector = make()
    with pytest.raises(NoPermission, match="no role"):
        await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)


async def test_validation_errors_are_named(make, fake) -> None:
    fake.fail(CONSUMPTION, Fault(status=422, body='{"error": {"start": ["invalid date"]}}'))
    connector = make()
    with pytest.raises(ProviderError, match="start: invalid date"):
        await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)


async def test_unreadable_consumption_rows_are_a_provider_error(make, fake) -> None:
    fake.consumption.append({"provider_key": "vpc", "value": 1,
                             "period": "2026-11-20T05:00:00", "object": {"id": "x"}})
    connector = make()
    with pytest.raises(ProviderError, match="unreadable"):
        await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)


async def test_balance_failure_inside_collect_is_a_warning(make, fake) -> None:
    fake.fail(BALANCES, Fault(status=500))
    fake.fail("/v2/billing/prediction", Fault(status=500))
    connector = make()
    result = await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)
    assert result.account.balance is None
    assert any(w.startswith("balance not read (provider_error") for w in result.warnings)
    assert result.cost_lines


async def test_prediction_failure_keeps_the_balance(make, fake) -> None:
    fake.fail("/v2/billing/prediction", Fault(status=404, body="{}"))
    connector = make()
    result = await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)
    assert result.account.balance is not None
    assert result.account.days_to_block is None
    assert "balance prediction not read (provider_error)" in result.warnings


async def test_a_project_without_a_token_is_a_warning(make, fake) -> None:
    fake.billing_projects.append({"id": "p-foreign", "name": "foreign"})
    connector = make()
    result = await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)
    assert [w for w in result.warnings if "foreign" in w] == [
        "foreign: no project token (bad_credentials: No project with that scope.)"]
    assert not result.complete_inventory
    assert "srv-web-1" in {r.external_id for r in result.resources}


async def test_a_missing_service_in_the_catalog_is_a_warning(make, fake) -> None:
    fake.missing.add(("ru-3", "network"))
    connector = make()
    result = await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)
    assert any("prod/ru-3: no network endpoint" in w for w in result.warnings)
    assert "srv-app-3" in {r.external_id for r in result.resources}
