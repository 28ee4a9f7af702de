"""Plumbing of every connector that reads OpenStack services with Keystone tokens (OpenStack,
its presets, Selectel): an injected clock, bounded fan-out, and a project whose token is refused
kept as an unreadable inventory rather than a failure (the `timeout` option is the shared
`ProviderHttp` timeouts, set by `BaseConnector`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

import httpx

from connectors.base import BaseConnector, Credentials
from connectors.errors import ConnectorError
from connectors.http import RetryPolicy
from connectors.openstack.auth import KeystoneSession
from connectors.openstack.inventory import RegionInventory
from connectors.openstack.models import Project, Token
from core.clock import Clock, SystemClock

__all__ = ["KeystoneConnector"]

C = TypeVar("C", bound=Credentials)


class KeystoneConnector(BaseConnector[C]):
    """Shared by `OpenStackConnector` and `SelectelConnector`."""

    concurrency: ClassVar[int] = 4

    def __init__(self, client: httpx.AsyncClient, *, endpoint: str | None = None,
                 options: Mapping[str, Any] | None = None, retry: RetryPolicy | None = None,
                 clock: Clock | None = None) -> None:
        super().__init__(client, endpoint=endpoint, options=options, retry=retry)
        self.endpoint_given = bool(endpoint)
        self.clock = clock or SystemClock()

    @staticmethod
    async def project_token(session: KeystoneSession, project: Project,
                            warnings: list[str]) -> Token | list[RegionInventory]:
        """The project's token, or (refused: a warning) its one unreadable inventory."""
        try:
            return await session.token()
        except ConnectorError as exc:
            warnings.append(f"{project.name or project.id}: no project token ({exc.code}: "
                            f"{exc.detail or exc.code})")
            return [RegionInventory(project=project, region="*", unreadable=True)]
