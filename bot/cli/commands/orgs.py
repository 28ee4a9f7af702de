"""`infrazen org create` and `infrazen demo`."""

from __future__ import annotations

import time

import click

from bot.cli.runtime import cli_lang, msg, with_app
from core.app import AppContext
from core.services.demo import DemoSummary, seed_demo
from core.services.orgs import create_org
from renderers.format import fmt_money

COMMANDS = ("org", "demo")  # read by bot.cli, unimported


def register(cli: click.Group) -> None:
    cli.add_command(org)
    cli.add_command(demo)


@click.group()
def org() -> None:
    """Organisations."""


@org.command("create")
@click.option("--name", required=True, help="Display name, e.g. \"ООО Ромашка\".")
@click.option("--currency", default="RUB", show_default=True, help="ISO 4217 code.")
@click.option("--timezone", "tz", default="Europe/Moscow", show_default=True)
@click.option("--language", default="ru", type=click.Choice(["ru", "en"]), show_default=True)
def create(name: str, currency: str, tz: str, language: str) -> None:
    """Create an organisation and print its id."""

    async def _go(ctx: AppContext) -> int:
        async with ctx.session() as session:
            ref = await create_org(session, name, currency=currency.upper(), timezone=tz,
                                   language=language)
            return ref.id

    click.echo(with_app(_go))


@click.command()
def demo() -> None:
    """Create (or refresh) the demo organisation, slug `demo`."""
    started = time.monotonic()

    async def _go(ctx: AppContext) -> DemoSummary:
        async with ctx.session() as session:
            return await seed_demo(session, ctx.vault)

    summary = with_app(_go)
    lang = cli_lang()
    seconds = f"{time.monotonic() - started:.1f}"
    click.echo(msg("demo.ready", org_id=summary.org_id, seconds=seconds,
                   connections=summary.connections, resources=summary.resources,
                   cost_lines=summary.cost_lines, recommendations=summary.recommendations,
                   budgets=summary.budgets))
    click.echo(msg("demo.last_30_days", amount=fmt_money(summary.last_30_days, "RUB", lang)))
    for name, total in summary.by_connection.items():
        click.echo(msg("demo.connection", name=name, amount=fmt_money(total, "RUB", lang)))
