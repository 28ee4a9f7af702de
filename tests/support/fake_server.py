"""A real loopback HTTP server for fakes of provider APIs (and the Telegram Bot API).

Each fake is an aiohttp `web.Application`; `run_fake` serves it on 127.0.0.1 on a free port in
the test's event loop, so connectors talk to it over real sockets through real httpx.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

from aiohttp import web

__all__ = ["run_fake"]


@asynccontextmanager
async def run_fake(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on a free loopback port; yield its base URL; stop it afterwards."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = cast("asyncio.Server | None", site._server)
    assert server is not None
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
