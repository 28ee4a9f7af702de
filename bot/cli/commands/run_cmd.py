"""`infrazen run`: migrate, then the bot (polling or webhook), the scheduler and the health
and metrics endpoints (METRICS_HOST:METRICS_PORT)."""

from __future__ import annotations

import asyncio

import click

from bot.cli.runtime import fail, msg
from bot.composition import open_app
from core.security.webhook_secret import WebhookSecretError
from core.settings import load_settings

COMMANDS = ("run",)  # read by bot.cli, unimported


def register(cli: click.Group) -> None:
    cli.add_command(run)


@click.command()
@click.option("--no-scheduler", is_flag=True,
              help="The bot alone (webhook replicas); `infrazen worker` runs the jobs.")
def run(no_scheduler: bool) -> None:
    """The Telegram bot plus the scheduler; migrates the database first."""
    settings = load_settings()
    if settings.bot_token is None:
        fail(msg("run.no_token"))
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    from bot.ops import apply_log_level
    from bot.runner import run_bot

    apply_log_level(settings.log_level)

    async def _go() -> None:
        async with open_app(settings, migrate=True) as ctx:
            await run_bot(ctx, scheduler=not no_scheduler)

    try:
        asyncio.run(_go())
    except WebhookSecretError as exc:
        fail(msg("common.config_error", detail=exc))
    except TelegramUnauthorizedError:
        fail(msg("run.unauthorized"))
    except TelegramNetworkError as exc:
        server = settings.telegram_api_server or "api.telegram.org"
        fail(msg("run.unreachable", server=server, detail=exc.message))
