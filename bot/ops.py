"""`/healthz` and Prometheus `/metrics` for `infrazen run` and `infrazen worker`.

An aiohttp server on METRICS_HOST:METRICS_PORT (127.0.0.1:9464 by default; METRICS_PORT=0
turns it off). In webhook mode the webhook's own app also answers `/healthz`, and both
routes when METRICS_PORT equals WEBHOOK_PORT. `/healthz` answers 200 `{"status": "ok",
"checks": {...}}` or 503 naming the failing checks (see `core.health`); `/metrics` refreshes
the outbox backlog from the database, then renders `core.metrics.REGISTRY`.
A port that cannot be bound is logged as an error and the bot keeps answering users.
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core import metrics
from core.health import HealthChecks
from core.scheduler import Heartbeat, quiet_scheduler_logs

__all__ = ["OpsServer", "apply_log_level"]

log = logging.getLogger(__name__)


def apply_log_level(level: str) -> str:
    """LOG_LEVEL for the long-running commands (`-v` still wins), with APScheduler's per-run
    chatter kept for DEBUG. Returns the level in force."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    effective = "DEBUG" if root.level == logging.DEBUG else level.upper()
    root.setLevel(effective)
    quiet_scheduler_logs(effective)
    return effective


class OpsServer:
    """The health and metrics endpoints of one process."""

    def __init__(self, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], *,
                 redis_url: str | None = None, heartbeat: Heartbeat | None = None,
                 timeout: float = 2.0) -> None:
        self.checks = HealthChecks(engine, redis_url=redis_url, heartbeat=heartbeat,
                                   timeout=timeout)
        self.sessions = sessions
        self._runner: web.AppRunner | None = None

    def add_routes(self, app: web.Application, *, with_metrics: bool = True) -> None:
        app.router.add_get("/healthz", self.healthz)
        if with_metrics:
            app.router.add_get("/metrics", self.metrics)

    async def healthz(self, _request: web.Request) -> web.Response:
        report = await self.checks.run()
        if not report.ok:
            log.warning("health check failing: %s", ", ".join(
                f"{name}={report.checks[name]}" for name in report.failing))
        return web.json_response(report.as_json(), status=200 if report.ok else 503)

    async def metrics(self, _request: web.Request) -> web.Response:
        await self.checks.refresh_backlog(self.sessions)
        response = web.Response(body=metrics.exposition())
        response.headers["Content-Type"] = metrics.CONTENT_TYPE_LATEST
        return response

    async def start(self, host: str, port: int) -> bool:
        """Serve both endpoints on host:port; False when off (port 0) or the port is taken."""
        if port == 0:
            return False
        app = web.Application()
        self.add_routes(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            await runner.cleanup()
            log.error("health and metrics endpoints are off: cannot listen on %s:%s (%s)",
                      host, port, exc.strerror or exc)
            return False
        self._runner = runner
        log.info("health and metrics on http://%s:%s/healthz and /metrics", host, port)
        return True

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.checks.close()
