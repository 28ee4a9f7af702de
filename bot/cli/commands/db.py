"""`infrazen migrate` and `infrazen rotate-key`."""

from __future__ import annotations

import click
from cryptography.fernet import Fernet

from bot.cli.runtime import msg, with_app
from core.app import AppContext
from core.services.key_rotation import rotate_all


def register(cli: click.Group) -> None:
    cli.add_command(migrate)
    cli.add_command(rotate_key)


@click.command()
def migrate() -> None:
    """Upgrade the database schema to the latest version."""

    async def _go(ctx: AppContext) -> str:
        return ctx.engine.url.render_as_string(hide_password=True)

    url = with_app(_go)
    click.echo(msg("migrate.done", url=url))


@click.command("rotate-key")
@click.option("--new-key", envvar="INFRAZEN_NEW_SECRET_KEY", default=None,
              help="The new Fernet key (default: generate one).")
@click.option("--print-new", is_flag=True, help="Only print a freshly generated key.")
def rotate_key(new_key: str | None, print_new: bool) -> None:
    """Re-encrypt every stored credential under a new key (old keys decrypt until then)."""
    if print_new:
        click.echo(Fernet.generate_key().decode())
        return
    key = new_key or Fernet.generate_key().decode()

    async def _go(ctx: AppContext) -> int:
        return await rotate_all(ctx, key)

    count = with_app(_go)
    click.echo(msg("rotate_key.done", count=count))
    if new_key is None:
        click.echo(msg("rotate_key.new_key"))
        click.echo(key)
