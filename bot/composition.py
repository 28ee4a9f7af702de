"""The composition root: the one place that gives core the outer layers' implementations.

Core declares what it needs of providers, billing files and official rates as ports
(`core.ports.Adapters`); this module fills them with `connectors` and opens the application
context. The CLI, the bot and the worker open the app here, never through `core.app` directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from core.app import AppContext
from core.app import open_app as open_core_app
from core.ports import Adapters
from core.settings import Settings

__all__ = ["CPU_PRELOAD", "default_adapters", "open_app"]

# what the CPU pool's workers import as they start, so the first chart does not pay for it:
# matplotlib (~0.5 s of CPU) and the answer charts with the records they unpickle (~0.6 s)
CPU_PRELOAD = ("renderers.charts", "renderers.messages.answers_charts")


def default_adapters() -> Adapters:
    """The production adapters (imported here, on first use, so CLI start stays light)."""
    from connectors.cbr import official_rates
    from connectors.files import BILLING_FILES
    from connectors.registry import build_connector

    return Adapters(connectors=build_connector, files=BILLING_FILES,
                    official_rates=official_rates)


@asynccontextmanager
async def open_app(settings: Settings, **options: Any) -> AsyncIterator[AppContext]:
    """`core.app.open_app` with the production adapters (tests may pass their own)."""
    options.setdefault("adapters", default_adapters())
    options.setdefault("cpu_preload", CPU_PRELOAD)
    async with open_core_app(settings, **options) as ctx:
        yield ctx
