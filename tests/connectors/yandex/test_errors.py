"""What the user is told when Yandex Cloud fails: one table over every failure mode."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.errors import (
    BadCredentials,
    ConnectorError,
    InvalidInput,
    NoPermission,
    ProviderError,
    RateLimited,
    Unreachable,
)
from connectors.yandex.connector import YandexConnector, YandexCredentials
from tests.connectors.yandex.conftest import key_file
from tests.connectors.yandex.fake import YandexFake
from tests.support.faults import Fault


def rpc(code: int, message: str) -> str:
    return json.dumps({"code": code, "message": message, "details": []})


# (scenario, path prefixes to break, fault, expected error)
SCENARIOS: list[tuple[str, tuple[str, ...], Fault, type[ConnectorError]]] = [
    ("iam_401", ("/iam/",), Fault(401, rpc(16, "OAuth token is invalid")), BadCredentials),
    ("iam_400", ("/iam/",), Fault(400, rpc(3, "Invalid JWT")), BadCredentials),
    ("api_401_after_refresh", ("/billing/",), Fault(401, rpc(16, "Token expired")),
     BadCredentials),
    ("api_403_everywhere", ("/billing/", "/resource-manager/"),
     Fault(403, rpc(7, "Permission denied")), NoPermission),
    ("api_429", ("/billing/",), Fault(429, rpc(8, "Quota exceeded"), {"Retry-After": "0"}),
     RateLimited),
    ("api_500", ("/billing/",), Fault(500, rpc(13, "Internal")), ProviderError),
    ("api_503_html", ("/billing/",), Fault(503, "<html>unavailable</html>"), ProviderError),
    ("timeout", ("/billing/",), Fault(200, "{}", delay=0.5), Unreachable),
    ("malformed_json", ("/billing/",), Fault(200, '{"billingAccounts": ['), ProviderError),
]


@pytest.mark.parametrize(("scenario", "prefixes", "fault", "expected"), SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
async def test_connection_test_errors(scenario: str, prefixes: tuple[str, ...], fault: Fault,
                                      expected: type[ConnectorError], fake: YandexFake,
                                      make: Callable[..., YandexConnector],
                                      oauth_creds: YandexCredentials) -> None:
    for prefix in prefixes:
        fake.faults.add(prefix, Fault(fault.status, fault.body, fault.headers, fault.delay))
    with pytest.raises(expected) as info:
        await make(timeout=0.1 if scenario == "timeout" else 30).test(oauth_creds)
    assert info.value.provider == "yandex"
    assert fake.oauth_token not in str(info.value)


async def test_rpc_message_reaches_the_user(fake: YandexFake,
                                            make: Callable[..., YandexConnector],
                                            oauth_creds: YandexCredentials) -> None:
    fake.faults.add("/billing/", Fault(500, rpc(13, "Billing is on fire")))
    with pytest.raises(ProviderError, match="Billing is on fire"):
        await make().test(oauth_creds)


async def test_wrong_oauth_token(make: Callable[..., YandexConnector]) -> None:
    creds = YandexCredentials.model_validate({"oauth_token": "y0_wrong"})
    with pytest.raises(BadCredentials, match="OAuth token is invalid"):
        await make().test(creds)


async def test_jwt_signed_with_another_key_is_refused(
        make: Callable[..., YandexConnector]) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    creds = YandexCredentials.model_validate({"service_account_key": key_file(stranger)})
    with pytest.raises(BadCredentials, match="JWT"):
        await make().test(creds)


@pytest.mark.parametrize("raw", ["not json", '{"id": "k"}',
                                 '{"id": "k", "service_account_id": "s", "private_key": "junk"}'])
async def test_unusable_key_file_is_invalid_input(
        raw: str, make: Callable[..., YandexConnector]) -> None:
    creds = YandexCredentials.model_validate({"service_account_key": raw})
    with pytest.raises(InvalidInput):
        await make().test(creds)


def test_credentials_need_exactly_one_identity() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        YandexCredentials.model_validate({})
    with pytest.raises(ValueError, match="exactly one"):
        YandexCredentials.model_validate({"oauth_token": "a", "service_account_key": "b"})
    with pytest.raises(ValueError, match="go together"):
        YandexCredentials.model_validate({"oauth_token": "a", "export_bucket": "b"})


async def test_429_once_then_success(fake: YandexFake, make: Callable[..., YandexConnector],
                                     oauth_creds: YandexCredentials) -> None:
    fake.faults.add("/billing/", Fault(429, rpc(8, "slow down"), {"Retry-After": "0"}, times=1))
    info = await make().test(oauth_creds)
    assert info.account_id == "dn2abc0000000000000"
    assert fake.faults.count("/billing/") == 2
