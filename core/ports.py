"""Narrow protocols core depends on instead of concrete classes (`core.app.AppContext` fits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.security.vault import Vault

if TYPE_CHECKING:  # the records the renderers read; no import cycle at run time
    from core.db.models import AlertEvent
    from core.domain.reports import BriefData
    from core.services.digest import DigestData

__all__ = ["AppDeps", "DigestMessage", "JobRendering"]


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
