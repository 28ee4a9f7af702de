"""`infrazen worker`: the scheduler alone (syncs, alerts, outbox, digests, briefs, retention),
for deployments that run the bot and the workers separately. Several may run on PostgreSQL."""

from __future__ import annotations

import asyncio
import logging

import click

from bot.cli.runtime import msg
from core.app import open_app
from core.settings import load_settings

log = logging.getLogger(__name__)


def register(cli: click.Group) -> None:
    cli.add_command(worker)


@click.command()
def worker() -> None:
    """Run the scheduler without the bot; delivers the outbox when BOT_TOKEN is set."""
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def _go() -> None:
        from bot.delivery import worker_id
        from bot.factory import build_bot
        from bot.runner import signal_event, start_background

        stop = signal_event()
        async with open_app(settings, migrate=True) as ctx:
            owner = worker_id()
            bot = build_bot(settings) if settings.bot_token is not None else None
            if bot is None:
                click.echo(msg("worker.no_token"), err=True)
            handle = start_background(ctx, bot, owner=owner)
            click.echo(msg("worker.started", owner=owner, jobs=", ".join(handle.job_ids())),
                       err=True)
            try:
                await stop.wait()
            finally:
                handle.shutdown()
                if bot is not None:
                    await bot.session.close()

    asyncio.run(_go())
