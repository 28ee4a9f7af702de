"""Fixtures: the Yandex fake on loopback, a service-account key pair, connectors and creds."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.http import RetryPolicy
from connectors.yandex.connector import YandexConnector, YandexCredentials
from tests.connectors.yandex.fake import YandexFake
from tests.support.fake_server import run_fake

FAST = RetryPolicy(attempts=3, backoff_base=0.001, backoff_max=0.01, max_retry_after=1.0)
SA_ID = "ajeserviceaccount00"
KEY_ID = "ajekeyid000000000000"


def pem_of(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture(scope="session")
def sa_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_file(key: rsa.RSAPrivateKey) -> str:
    """An authorized key JSON as `yc iam key create` writes it (with the header line)."""
    return json.dumps({
        "id": KEY_ID, "service_account_id": SA_ID, "created_at": "2025-01-10T09:00:00Z",
        "key_algorithm": "RSA_2048", "public_key": "-----BEGIN PUBLIC KEY-----\n...",
        "private_key": "PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <"
                       f"{KEY_ID}>\n{pem_of(key)}"})


@pytest.fixture
def fake(sa_private_key: rsa.RSAPrivateKey) -> YandexFake:
    f = YandexFake()
    f.sa_keys[KEY_ID] = (SA_ID, sa_private_key.public_key())
    return f


@pytest.fixture
async def base_url(fake: YandexFake) -> AsyncIterator[str]:
    async with run_fake(fake.app()) as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


@pytest.fixture
def make(client: httpx.AsyncClient, base_url: str) -> Callable[..., YandexConnector]:
    def build(**options: Any) -> YandexConnector:
        return YandexConnector(client, endpoint=base_url, retry=FAST,
                               options={"page_size": 2, **options})
    return build


EXPORT = {"export_bucket": "acme-billing", "export_prefix": "yc-billing/",
          "export_access_key_id": "YCAJEFAKEKEYID",
          "export_secret_key": "YCFAKESECRETsecretSECRET"}


@pytest.fixture
def oauth_creds(fake: YandexFake) -> YandexCredentials:
    return YandexCredentials.model_validate({"oauth_token": fake.oauth_token, **EXPORT})


@pytest.fixture
def sa_creds(sa_private_key: rsa.RSAPrivateKey) -> YandexCredentials:
    return YandexCredentials.model_validate(
        {"service_account_key": key_file(sa_private_key), **EXPORT})
