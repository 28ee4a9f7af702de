"""Every connector kind, one line each; classes are imported on first use.

Adding a provider = one package under `connectors/` + one line here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import import_module
from typing import Any

import httpx

from connectors.base import BaseConnector

__all__ = ["KINDS", "build_connector", "connector_class", "kinds"]

KINDS: dict[str, str] = {
    "beget": "connectors.beget.connector:BegetConnector",
    "selectel": "connectors.selectel.connector:SelectelConnector",
    "yandex": "connectors.yandex.connector:YandexConnector",
    "cloudru": "connectors.cloudru.connector:CloudRuConnector",
    "openstack": "connectors.openstack.connector:OpenStackConnector",
    "vk": "connectors.openstack.vk:VkCloudConnector",
    "platform9": "connectors.openstack.platform9:Platform9Connector",
    "focus": "connectors.focus.connector:FocusConnector",
    "manual_csv": "connectors.manual_csv.connector:ManualCsvConnector",
}


@cache
def connector_class(kind: str) -> type[BaseConnector]:  # type: ignore[type-arg]
    """The connector class of `kind`; KeyError names the known kinds."""
    try:
        target = KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown connector kind {kind!r}; known: {', '.join(KINDS)}") from None
    module, _, name = target.partition(":")
    cls: type[BaseConnector] = getattr(import_module(module), name)  # type: ignore[type-arg]
    return cls


def kinds() -> list[str]:
    return list(KINDS)


def build_connector(kind: str, http: httpx.AsyncClient, *, endpoint: str | None = None,
                    options: Mapping[str, Any] | None = None) -> BaseConnector:  # type: ignore[type-arg]
    """The connector of `kind` with a connection's endpoint and options (`core.ports.
    ConnectorFactory`, given to core at the composition root); KeyError for an unknown kind."""
    return connector_class(kind)(http, endpoint=endpoint, options=options)
