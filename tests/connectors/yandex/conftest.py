"""The Yandex rig, plus a service-account key pair the fake trusts and both kinds of creds."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.yandex.connector import YandexCredentials
from tests.connectors.rigs import YANDEX, YANDEX_EXPORT, Rig
from tests.connectors.yandex.fake import YandexFake

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
def rig() -> Rig:
    return YANDEX


@pytest.fixture
def fake(sa_private_key: rsa.RSAPrivateKey) -> YandexFake:
    f = YandexFake()
    f.sa_keys[KEY_ID] = (SA_ID, sa_private_key.public_key())
    return f


@pytest.fixture
def oauth_creds(creds: YandexCredentials) -> YandexCredentials:
    return creds


@pytest.fixture
def sa_creds(sa_private_key: rsa.RSAPrivateKey) -> YandexCredentials:
    return YandexCredentials.model_validate(
        {"service_account_key": key_file(sa_private_key), **YANDEX_EXPORT})
