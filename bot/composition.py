"""The composition root: the one place that gives core the outer layers' implementations.

Core declares what it needs of providers, billing files and official rates as ports
(`core.ports.Adapters`); this module fills them with `connectors` and opens the application
context. The CLI, the bot and the worker open the app here, never through `core.app` directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from core.app import AppContext
from core.app import open_app as open_core_app
from core.domain.billing_files import FileKind, OpenedFile, Source
from core.domain.limits import ReadLimits
from core.ports import Adapters, ConnectorPort, FetchRates
from core.settings import Settings

if TYPE_CHECKING:
    import httpx

__all__ = ["CPU_PRELOAD", "default_adapters", "open_app"]

# what the CPU pool's workers import as they start, so the first chart does not pay for it:
# matplotlib (~0.5 s of CPU) and the answer charts with the records they unpickle (~0.6 s)
CPU_PRELOAD = ("renderers.charts", "renderers.messages.answers_charts")


def _connector(kind: str, http: httpx.AsyncClient, *, endpoint: str | None = None,
               options: Mapping[str, Any] | None = None) -> ConnectorPort:
    from connectors.registry import build_connector

    return build_connector(kind, http, endpoint=endpoint, options=options)


def _official_rates(http: httpx.AsyncClient, endpoint: str | None) -> FetchRates:
    from connectors.cbr import official_rates

    return official_rates(http, endpoint)


class _BillingFiles:
    """`connectors.files.BILLING_FILES`, imported when a file is first read."""

    def detect(self, source: Source, limits: ReadLimits | None) -> FileKind:
        from connectors.files import BILLING_FILES

        return BILLING_FILES.detect(source, limits)

    def open(self, source: Source, kind: FileKind, *, currency: str | None,
             provider_name: str | None, limits: ReadLimits | None) -> OpenedFile:
        from connectors.files import BILLING_FILES

        return BILLING_FILES.open(source, kind, currency=currency, provider_name=provider_name,
                                  limits=limits)


def default_adapters() -> Adapters:
    """The production adapters. Each imports its connectors on first use, not here: a command
    that reads only the database (`infrazen costs`) never loads the readers, the CBR client or
    the connector registry (and their httpx, tenacity and csv machinery)."""
    return Adapters(connectors=_connector, files=_BillingFiles(), official_rates=_official_rates)


@asynccontextmanager
async def open_app(settings: Settings, **options: Any) -> AsyncIterator[AppContext]:
    """`core.app.open_app` with the production adapters (tests may pass their own)."""
    options.setdefault("adapters", default_adapters())
    options.setdefault("cpu_preload", CPU_PRELOAD)
    async with open_core_app(settings, **options) as ctx:
        yield ctx
