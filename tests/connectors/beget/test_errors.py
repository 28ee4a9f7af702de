"""What the user is told when Beget fails: one table over every failure mode (style.md §13)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest

from connectors.beget.connector import BegetConnector, BegetCredentials
from connectors.errors import (
    BadCredentials,
    ConnectorError,
    NoPermission,
    ProviderError,
    RateLimited,
    Unreachable,
)
from connectors.http import ProviderHttp, RetryPolicy
from core.domain.collection import Window
from tests.connectors.beget.fake import BegetFake, fixture
from tests.support.faults import Fault

ACCOUNT = "/api/user/getAccountInfo"


def _envelope(name: str) -> Fault:
    return Fault(status=200, body=json.dumps(fixture(name)))


SCENARIOS: list[tuple[str, Fault | None, type[ConnectorError]]] = [
    ("auth_error_envelope", _envelope("auth_error"), BadCredentials),
    ("http_401", Fault(status=401, body='{"error": "unauthorized"}'), BadCredentials),
    ("http_403", Fault(status=403, body='{"error": "forbidden"}'), NoPermission),
    ("http_429_retry_after", Fault(status=429, headers={"Retry-After": "0"}), RateLimited),
    ("limit_error_envelope", _envelope("limit_error"), RateLimited),
    ("http_503", Fault(status=503, body="<html>bad gateway</html>"), ProviderError),
    ("timeout", Fault(status=200, body="{}", delay=0.5), Unreachable),
    ("malformed_json", Fault(status=200, body="{not json"), ProviderError),
    ("method_error", _envelope("invalid_data"), ProviderError),
    ("not_an_object", Fault(status=200, body="[1, 2]"), ProviderError),
]


@pytest.mark.parametrize(("scenario", "fault", "expected"), SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
async def test_connection_test_errors(scenario: str, fault: Fault | None,
                                      expected: type[ConnectorError], fake: BegetFake,
                                      make: Callable[..., BegetConnector],
                                      creds: BegetCredentials) -> None:
    if fault is not None:
        fake.faults.add(ACCOUNT, fault)
    connector = make(timeout=0.1 if scenario == "timeout" else 30)
    with pytest.raises(expected) as info:
        await connector.test(creds)
    assert info.value.provider == "beget"
    assert fake.password not in str(info.value)


async def test_wrong_password_is_bad_credentials(
        make: Callable[..., BegetConnector]) -> None:
    creds = BegetCredentials.model_validate({"login": "acme", "password": "wrong"})
    with pytest.raises(BadCredentials):
        await make().test(creds)


async def test_test_returns_account_info(make: Callable[..., BegetConnector],
                                         creds: BegetCredentials) -> None:
    info = await make().test(creds)
    assert info.account_id == "acme"
    assert str(info.balance) == "512.35"


async def test_429_honours_retry_after_then_succeeds(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    fake.faults.add(ACCOUNT, Fault(status=429, headers={"Retry-After": "7"}, times=1))
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    connector = make()
    connector.http = ProviderHttp(connector.http.client, "beget",
                                  RetryPolicy(attempts=3, max_retry_after=60), sleep=record)
    info = await connector.test(creds)
    assert info.plan == "Blog"
    assert slept == [7.0]
    assert fake.faults.count(ACCOUNT) == 2


async def test_5xx_then_success_is_retried(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    fake.faults.add(ACCOUNT, Fault(status=502, times=2))
    assert (await make().test(creds)).plan == "Blog"
    assert fake.faults.count(ACCOUNT) == 3


async def test_collect_fails_when_the_account_itself_fails(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    fake.faults.add(ACCOUNT, _envelope("auth_error"))
    with pytest.raises(BadCredentials):
        await make().collect(creds, Window(date(2025, 6, 1), date(2025, 6, 2)))


async def test_forbidden_v1_list_is_a_warning(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    fake.faults.add("/v1/cloud", Fault(status=403, body='{"error": "FORBIDDEN"}'))
    out = await make().collect(creds, Window(date(2025, 6, 1), date(2025, 6, 2)))
    assert any(w.startswith("no_permission: cloud:") for w in out.warnings)
    assert out.complete_inventory is False
    assert len([r for r in out.resources if r.kind.value == "server"]) == 3


@pytest.mark.parametrize(("fault", "expected"), [
    (Fault(status=500), ProviderError),
    (Fault(status=429, headers={"Retry-After": "0"}), RateLimited),
    (Fault(status=200, body="{oops"), ProviderError),
], ids=["5xx", "429", "malformed"])
async def test_transient_failure_of_a_priced_list_fails_the_sync(
        fault: Fault, expected: type[ConnectorError], fake: BegetFake,
        make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    # The engine replaces the window's cost lines: a half collection would erase the VPS
    # costs already stored, so the sync fails and the last good state stays.
    fake.faults.add("/v1/vps/server/list", fault)
    with pytest.raises(expected):
        await make().collect(creds, Window(date(2025, 6, 1), date(2025, 6, 2)))


async def test_limit_error_once_is_retried(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    fake.faults.add(ACCOUNT, Fault(200, json.dumps(fixture("limit_error")), times=1))
    assert (await make().test(creds)).plan == "Blog"
    assert fake.faults.count(ACCOUNT) == 2


async def test_method_level_denial_is_a_section_warning(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    fake.legacy["ftp_getList"] = {"status": "success", "answer": {"status": "error", "errors": [
        {"error_code": 7, "error_text": "Cannot access method ftp"}]}}
    out = await make().collect(creds, Window(date(2025, 6, 1), date(2025, 6, 2)))
    assert any(w.startswith("section_denied: ftp:") for w in out.warnings)
    assert any(r.external_id == "site:501" for r in out.resources)
