"""`infrazen chat`: the bot in a terminal (`bot.cli.terminal_chat`), no Telegram needed.

aiogram is imported only when the command runs, so other commands start without it.
"""

from __future__ import annotations

import asyncio

import click

from bot.cli.runtime import cli_lang, msg, with_app
from core.app import AppContext

COMMANDS = ("chat",)  # read by bot.cli, unimported


def register(cli: click.Group) -> None:
    cli.add_command(chat)


@click.command()
@click.option("--user-id", default=1, show_default=True, help="Your Telegram user id.")
@click.option("--lang", "language", type=click.Choice(["ru", "en"]), default=None,
              help="Your Telegram language (default: the global --lang).")
@click.option("--group", is_flag=True, help="Talk in a group chat (to try /bind).")
def chat(user_id: int, language: str | None, group: bool) -> None:
    """The bot in your terminal: type messages, numbers press buttons, /quit leaves."""
    lang = cli_lang(language)
    click.echo(msg("chat.intro", lang))

    from bot.cli.terminal_chat import chat_loop, read_line

    async def _go(ctx: AppContext) -> None:
        await chat_loop(ctx, lambda: asyncio.to_thread(read_line), click.echo,
                        user_id=user_id, language=lang,
                        chat_id=-1_000_000_001 if group else None)

    with_app(_go)
