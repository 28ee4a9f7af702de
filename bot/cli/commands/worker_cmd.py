"""`infrazen worker`: the scheduler alone (syncs, alerts, outbox, digests, briefs, retention),
for deployments that run the bot and the workers separately. Several may run on PostgreSQL.
It serves /healthz and /metrics on METRICS_HOST:METRICS_PORT like `infrazen run`."""

from __future__ import annotations

import asyncio
import logging

import click

from bot.cli.runtime import msg
from bot.composition import open_app
from core.settings import load_settings

COMMANDS = ("worker",)  # read by bot.cli, unimported

log = logging.getLogger(__name__)


def register(cli: click.Group) -> None:
    cli.add_command(worker)


@click.command()
def worker() -> None:
    """Run the scheduler without the bot; delivers the outbox when BOT_TOKEN is set."""
    settings = load_settings()
    from bot.ops import apply_log_level

    apply_log_level(settings.log_level)

    async def _go() -> None:
        from bot.delivery import worker_id
        from bot.factory import build_bot
        from bot.runner import ops_server, signal_event, start_background

        stop = signal_event()
        async with open_app(settings, migrate=True) as ctx:
            owner = worker_id()
            bot = build_bot(settings) if settings.bot_token is not None else None
            if bot is None:
                click.echo(msg("worker.no_token"), err=True)
            handle = start_background(ctx, bot, owner=owner)
            ops = ops_server(ctx, handle.heartbeat)
            await ops.start(settings.metrics_host, settings.metrics_port)
            click.echo(msg("worker.started", owner=owner, jobs=", ".join(handle.job_ids())),
                       err=True)
            try:
                await stop.wait()
            finally:
                await ops.close()
                handle.shutdown()
                if bot is not None:
                    await bot.session.close()

    asyncio.run(_go())
