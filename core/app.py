"""Core's application context: settings, engine, sessions, vault, clock, HTTP client, adapters.

The CLI, the bot and the worker build one `AppContext` through the composition root
(`bot.composition.open_app`, which supplies the outer layers' `Adapters`) and pass it down
explicitly (no globals). Jobs and handlers open their own sessions from `ctx.sessions`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

# registers the session listeners that keep cost_rollups equal to the lines they summarise: a
# process that writes lines without importing it otherwise (`infrazen demo`) left them empty
import core.services.rollups  # noqa: F401
from core.clock import Clock, SystemClock
from core.db.engine import create_engine, session_factory
from core.db.migrate import upgrade
from core.ports import Adapters
from core.security.vault import Vault, vault_from_settings
from core.services.import_recovery import recover_imports
from core.settings import Settings
from core.workers import configure_pool

if TYPE_CHECKING:  # made on first use (AppContext.http): ~0.1 s of a CLI command's start
    import httpx

__all__ = ["AppContext", "open_app"]


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    vault: Vault
    adapters: Adapters
    clock: Clock = field(default_factory=SystemClock)
    _http: httpx.AsyncClient | None = field(default=None, repr=False)

    @property
    def http(self) -> httpx.AsyncClient:
        """The shared HTTP client, made on first use: most CLI commands never call out, and
        httpx with its transports is a tenth of a second of their start."""
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(follow_redirects=True,
                                           headers={"User-Agent": "InfraZen/0.1 (+FinOps bot)"})
        return self._http

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session that commits on success and rolls back on error."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise


@asynccontextmanager
async def open_app(settings: Settings, *, adapters: Adapters, migrate: bool = True,
                   clock: Clock | None = None,
                   engine: AsyncEngine | None = None,
                   vault: Vault | None = None,
                   cpu_preload: tuple[str, ...] = ()) -> AsyncIterator[AppContext]:
    """Build the context, migrate the database when asked, and close everything afterwards.
    `cpu_preload`: modules the CPU pool's workers import as they start (the renderers)."""
    own_engine = engine is None
    configure_pool(settings.cpu_workers, cpu_preload)  # started on first use, not here
    eng = engine or create_engine(settings.database_url)
    if migrate:
        await upgrade(eng)
    ctx = AppContext(settings=settings, engine=eng, sessions=session_factory(eng),
                     vault=vault or vault_from_settings(settings),
                     adapters=adapters, clock=clock or SystemClock())
    await recover_imports(ctx.sessions)  # a swap a dead process began; orphan staging
    try:
        yield ctx
    finally:
        if ctx._http is not None:
            await ctx._http.aclose()
        if own_engine:
            await eng.dispose()
