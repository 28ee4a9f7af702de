"""`infrazen org create` and `infrazen demo`."""

from __future__ import annotations

import time

import click

from bot.cli.runtime import with_app
from core.app import AppContext
from core.services.demo import DemoSummary, seed_demo
from core.services.orgs import create_org
from renderers.format import fmt_money


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
    click.echo(f"Demo organisation ready (id {summary.org_id}, slug demo) in "
               f"{time.monotonic() - started:.1f} s: {summary.connections} connections, "
               f"{summary.resources} resources, {summary.cost_lines} cost lines, "
               f"{summary.recommendations} recommendations, {summary.budgets} budgets.")
    click.echo(f"Last 30 days: {fmt_money(summary.last_30_days)}")
    for name, total in summary.by_connection.items():
        click.echo(f"  {name}: {fmt_money(total)}")
