"""Narrow protocols core depends on instead of concrete classes (`core.app.AppContext` fits)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.domain.billing_files import FileKind, OpenedFile, Source
from core.domain.collection import AccountInfo, Collection, Window
from core.domain.currency import DailyRates
from core.domain.limits import ReadLimits
from core.security.vault import Vault

if TYPE_CHECKING:  # annotations only: httpx and pydantic stay off the start of a CLI command
    import httpx  # that never calls out; the renderers' records without an import cycle
    from pydantic import BaseModel

    from core.db.models import AlertEvent
    from core.domain.reports import BriefData
    from core.services.digest import DigestData

__all__ = ["Adapters", "AppDeps", "BillingFiles", "ConnectorFactory", "ConnectorPort",
           "FetchRates", "RatesFactory", "DigestMessage", "JobRendering"]


class ConnectorPort(Protocol):
    """One provider connection's client: what the sync and the connection wizard call."""

    @property
    def credentials_model(self) -> type[BaseModel]: ...

    def parse_credentials(self, raw: Mapping[str, Any]) -> Any: ...

    async def test(self, creds: Any) -> AccountInfo: ...

    async def collect(self, creds: Any, window: Window) -> Collection: ...


class ConnectorFactory(Protocol):
    """The connector of `kind` over the shared HTTP client; KeyError names the known kinds."""

    def __call__(self, kind: str, http: httpx.AsyncClient, *, endpoint: str | None = None,
                 options: Mapping[str, Any] | None = None) -> ConnectorPort: ...


class BillingFiles(Protocol):
    """Billing-file readers (FOCUS, Yandex Cloud billing detail, manual CSV)."""

    def detect(self, source: Source, limits: ReadLimits | None) -> FileKind:
        """What the file is, from its header; InvalidInput naming what was read otherwise."""
        ...

    def open(self, source: Source, kind: FileKind, *, currency: str | None,
             provider_name: str | None, limits: ReadLimits | None) -> OpenedFile:
        """A reader of `kind` over `source`; `currency` is the default (FOCUS) or the file's
        (manual CSV)."""
        ...


FetchRates = Callable[[date], Awaitable[DailyRates]]


class RatesFactory(Protocol):
    """The Bank of Russia's daily rates over the shared client (`endpoint` None: the default)."""

    def __call__(self, http: httpx.AsyncClient, endpoint: str | None) -> FetchRates: ...


@dataclass(frozen=True)
class Adapters:
    """What the outer layers give core at the composition root (`bot.composition`): core calls
    providers, reads billing files and fetches official rates only through these."""

    connectors: ConnectorFactory
    files: BillingFiles
    official_rates: RatesFactory


class AppDeps(Protocol):
    """Sessions, the vault, the shared HTTP client and the clock: what syncs and jobs use."""

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...

    @property
    def vault(self) -> Vault: ...

    @property
    def http(self) -> httpx.AsyncClient: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def adapters(self) -> Adapters: ...


@dataclass(frozen=True, slots=True)
class DigestMessage:
    """A digest in one language: the photo's caption and, when it does not fit, the full text."""

    caption: str
    text: str

    @property
    def truncated(self) -> bool:
        return self.caption != self.text


class JobRendering(Protocol):
    """What the periodic jobs need of the renderers, in the recipient's language.

    Core decides who gets what and when; the words, the chart and the PDF come from the outer
    layer through this port, filled at the composition root (`renderers.jobs.RENDERING`).
    """

    def alerts(self, events: Sequence[AlertEvent], lang: str) -> str:
        """One message for the events routed to a chat (coalesced when there are several)."""
        ...

    def digest(self, data: DigestData, lang: str) -> DigestMessage: ...

    async def digest_chart(self, data: DigestData, lang: str) -> bytes:
        """The digest's PNG, rendered off the event loop."""
        ...

    async def brief_pdf(self, data: BriefData) -> bytes:
        """The brief's PDF in `data.lang`, rendered off the event loop."""
        ...

    def brief_caption(self, data: BriefData) -> str: ...

    def notice(self, key: str, lang: str, /, **params: object) -> str:
        """The one-off notice `alerts.notice.<key>` (a paused connection …)."""
        ...
