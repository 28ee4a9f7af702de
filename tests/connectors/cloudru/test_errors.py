"""What the user is told when Cloud.ru fails: one table over every failure mode."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from connectors.cloudru.connector import CloudRuConnector, CloudRuCredentials
from connectors.errors import (
    BadCredentials,
    ConnectorError,
    NoPermission,
    ProviderError,
    RateLimited,
    Unreachable,
)
from core.domain.collection import Window
from tests.connectors.cloudru.fake import CloudRuFake
from tests.support.faults import Fault

BILLING = "/v2/consumption"
TOKEN = "/api/v1/auth/token"

SCENARIOS: list[tuple[str, str, Fault, type[ConnectorError]]] = [
    ("token_400", TOKEN, Fault(400, '{"error": "invalid_request"}'), BadCredentials),
    ("token_503", TOKEN, Fault(503, "<html>down</html>"), ProviderError),
    ("api_401_after_refresh", BILLING, Fault(401, '{"message": "expired"}'), BadCredentials),
    ("api_403", BILLING, Fault(403, '{"message": "billing role required"}'), NoPermission),
    ("api_429", BILLING, Fault(429, '{"message": "slow"}', {"Retry-After": "0"}), RateLimited),
    ("api_500", BILLING, Fault(500, '{"message": "internal"}'), ProviderError),
    ("timeout", BILLING, Fault(200, "{}", delay=0.5), Unreachable),
    ("malformed_json", BILLING, Fault(200, '{"consumptions": ['), ProviderError),
    ("not_an_object", BILLING, Fault(200, "[]"), ProviderError),
]


@pytest.mark.parametrize(("scenario", "prefix", "fault", "expected"), SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
async def test_connection_test_errors(scenario: str, prefix: str, fault: Fault,
                                      expected: type[ConnectorError], fake: CloudRuFake,
                                      make: Callable[..., CloudRuConnector],
                                      creds: CloudRuCredentials) -> None:
    fake.faults.add(prefix, fault)
    with pytest.raises(expected) as info:
        await make(timeout=0.1 if scenario == "timeout" else 30).test(creds)
    assert info.value.provider == "cloudru"
    assert fake.secret not in str(info.value)


async def test_wrong_secret(fake: CloudRuFake, make: Callable[..., CloudRuConnector]) -> None:
    creds = CloudRuCredentials.model_validate(
        {"key_id": fake.key_id, "secret": "wrong", "project_ids": ["proj-prod"]})
    with pytest.raises(BadCredentials, match="Invalid client credentials"):
        await make().test(creds)
    with pytest.raises(BadCredentials):
        await make().collect(creds, Window.last_days(1))


async def test_test_returns_account(fake: CloudRuFake, make: Callable[..., CloudRuConnector],
                                    creds: CloudRuCredentials) -> None:
    info = await make().test(creds)
    assert info.account_id == "proj-prod,proj-dev"
    assert fake.queries[0]["size"] == "1"


async def test_429_once_then_success(fake: CloudRuFake, make: Callable[..., CloudRuConnector],
                                     creds: CloudRuCredentials) -> None:
    fake.faults.add(BILLING, Fault(429, "{}", {"Retry-After": "0"}, times=1))
    await make().test(creds)
    assert fake.faults.count(BILLING) == 2


def test_credentials_need_a_scope() -> None:
    with pytest.raises(ValueError, match="project_ids or agreement_id"):
        CloudRuCredentials.model_validate({"key_id": "k", "secret": "s"})
