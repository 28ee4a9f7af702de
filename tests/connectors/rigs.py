"""One rig per provider: how to start its loopback fake, build a connector on it, and log in.

The shared fixtures in `tests/connectors/conftest.py` (`fake`, `base_url`, `client`, `make`,
`creds`) read the `rig` fixture each provider's conftest names, and cross-provider tests
(`test_sync_apply.py`) parametrize over the rigs directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors.base import BaseConnector, Credentials
from connectors.beget.connector import BegetConnector, BegetCredentials
from connectors.cloudru.connector import CloudRuConnector, CloudRuCredentials
from connectors.http import RetryPolicy
from connectors.openstack.connector import OpenStackConnector
from connectors.openstack.credentials import OpenStackCredentials
from connectors.selectel.connector import SelectelConnector, SelectelCredentials
from connectors.yandex.connector import YandexConnector, YandexCredentials
from core.clock import FrozenClock
from tests.connectors.beget.fake import BegetFake
from tests.connectors.cloudru.fake import CloudRuFake
from tests.connectors.openstack.fake import OpenStackFake
from tests.connectors.selectel.fake import ACCOUNT, SelectelFake
from tests.connectors.yandex.fake import YandexFake

__all__ = ["BEGET", "CLOUDRU", "FAST", "NOW", "OPENSTACK", "OPENSTACK_CREDS", "PRICES", "RIGS",
           "SELECTEL", "SELECTEL_CREDS", "YANDEX", "YANDEX_EXPORT", "Rig"]

FAST = RetryPolicy(attempts=3, backoff_base=0.001, backoff_max=0.01, max_retry_after=1.0)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

@dataclass(frozen=True)
class Rig:
    kind: str
    new_fake: Callable[[], Any]
    build: Callable[..., BaseConnector]  # type: ignore[type-arg]  # (client, base_url, **opts)
    creds: Callable[[Any], Credentials]  # (fake) -> the credentials the fake accepts


def _paged(cls: type[BaseConnector]) -> Callable[..., BaseConnector]:  # type: ignore[type-arg]
    """Beget, Cloud.ru and Yandex: the fake at the endpoint, pages of two."""
    def build(client: httpx.AsyncClient, base_url: str,
              **options: Any) -> BaseConnector:  # type: ignore[type-arg]
        return cls(client, endpoint=base_url, retry=FAST, options={"page_size": 2, **options})
    return build


PRICES: dict[str, Any] = {
    "currency": "RUB",
    "flavors": {"m1.small": {"price": "2.50", "per": "hour"}},
    "vcpu": {"price": "1", "per": "hour"},
    "ram_gb": {"price": "0.5", "per": "hour"},
    "volume_gb": {"fast-ssd": {"price": "12", "per": "month"},
                  "*": {"price": "6", "per": "month"}},
    "floating_ip": {"price": "150", "per": "month"},
    "snapshot_gb": {"price": "3", "per": "month"},
}
OPENSTACK_CREDS: dict[str, Any] = {"username": "finops", "password": "s3cret"}
SELECTEL_CREDS: dict[str, Any] = {"account_id": ACCOUNT, "username": "finops-reader",
                                  "password": "s3cret"}
YANDEX_EXPORT = {"export_bucket": "acme-billing", "export_prefix": "yc-billing/",
                 "export_access_key_id": "YCAJEFAKEKEYID",
                 "export_secret_key": "YCFAKESECRETsecretSECRET"}


def _openstack(client: httpx.AsyncClient, base_url: str,
               cls: type[OpenStackConnector] = OpenStackConnector,
               **options: Any) -> OpenStackConnector:
    return cls(client, endpoint=f"{base_url}/identity/v3", retry=FAST,
               options={"price_list": PRICES, **options}, clock=FrozenClock(NOW))


def _selectel(client: httpx.AsyncClient, base_url: str, **options: Any) -> SelectelConnector:
    return SelectelConnector(client, endpoint=base_url, retry=FAST, clock=FrozenClock(NOW),
                             options={"identity_url": f"{base_url}/identity/v3",
                                      "region_url_template": f"{base_url}/{{region}}",
                                      **options})


BEGET = Rig("beget", BegetFake, _paged(BegetConnector),
            lambda fake: BegetCredentials.model_validate(
                {"login": fake.login, "password": fake.password}))
CLOUDRU = Rig("cloudru", CloudRuFake, _paged(CloudRuConnector),
              lambda fake: CloudRuCredentials.model_validate(
                  {"key_id": fake.key_id, "secret": fake.secret,
                   "project_ids": "proj-prod, proj-dev"}))
YANDEX = Rig("yandex", YandexFake, _paged(YandexConnector),
             lambda fake: YandexCredentials.model_validate(
                 {"oauth_token": fake.oauth_token, **YANDEX_EXPORT}))
OPENSTACK = Rig("openstack", OpenStackFake.from_fixture, _openstack,
                lambda _fake: OpenStackCredentials.model_validate(OPENSTACK_CREDS))
SELECTEL = Rig("selectel", SelectelFake.default, _selectel,
               lambda _fake: SelectelCredentials.model_validate(SELECTEL_CREDS))
RIGS = {rig.kind: rig for rig in (BEGET, CLOUDRU, YANDEX, OPENSTACK, SELECTEL)}
