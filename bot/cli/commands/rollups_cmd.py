"""`infrazen rollups rebuild [--org ORG]` and `infrazen rollups check [--org ORG]`.

The daily rollups (`cost_rollups`, `cost_service_rollups`) are kept with every write of cost
lines; `rebuild` recomputes them from the lines (after a restore, a manual SQL fix, or to be
sure), in one transaction, then the resource months its refresh marked stale
(`core.services.resource_months`; otherwise the scheduler's job does it a minute later);
`check` compares the rollups with a fresh GROUP BY and says how many keys differ (exit 1
when any do). Thin: parse → `core.services.rollups` → print.
"""

from __future__ import annotations

import click

from bot.cli.runtime import cli_lang, with_app
from core.app import AppContext
from core.services import resource_months, rollups
from core.services.orgs import get_org
from renderers.i18n import t

COMMANDS = ("rollups",)  # read by bot.cli, unimported

__all__ = ["register"]

_org = click.option("--org", "org_ref", default=None,
                    help="Organisation id or slug (default: every organisation).")


def register(cli: click.Group) -> None:
    cli.add_command(rollups_group)


async def _org_id(ctx: AppContext, org_ref: str | None) -> int | None:
    if org_ref is None:
        return None
    async with ctx.session() as session:
        return (await get_org(session, org_ref)).id


@click.group("rollups")
def rollups_group() -> None:
    """Daily cost rollups: what answers, digests and briefs read instead of every line."""


@rollups_group.command("rebuild")
@_org
def rebuild(org_ref: str | None) -> None:
    """Recompute the rollup from the stored cost lines."""

    async def _go(ctx: AppContext) -> tuple[int, int]:
        org_id = await _org_id(ctx, org_ref)
        async with ctx.session() as session, session.begin():
            rows = await rollups.rebuild(session, org_id)
        return rows, await resource_months.catch_up(ctx.sessions, org_id)

    rows, months = with_app(_go)
    click.echo(t("rollups.rebuilt", cli_lang(), rows=rows, months=months))


@rollups_group.command("check")
@_org
def check(org_ref: str | None) -> None:
    """Compare the rollup with a fresh GROUP BY over the lines."""

    async def _go(ctx: AppContext) -> int:
        org_id = await _org_id(ctx, org_ref)
        async with ctx.session() as session:
            return len(await rollups.differences(session, org_id))

    differing = with_app(_go)
    if differing:
        click.echo(t("rollups.differ", cli_lang(), keys=differing))
        raise SystemExit(1)
    click.echo(t("rollups.agree", cli_lang()))
