"""`infrazen export`: costs CSV, chargeback CSV or a FOCUS 1.2 export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from bot.cli.runtime import fail, msg, refuse_if_switching, with_app
from core.app import AppContext
from core.security.files import open_private, write_private_bytes
from core.services.exports import chargeback_rows, iter_export_lines, summary_rows
from core.services.orgs import get_org
from renderers.exports.csv_export import render_chargeback_csv, render_summary_csv
from renderers.exports.focus_export import write_focus_csv

COMMANDS = ("export",)  # read by bot.cli, unimported


def register(cli: click.Group) -> None:
    cli.add_command(export)


@click.command()
@click.option("--org", "org_ref", required=True, help="Organisation id or slug.")
@click.option("--format", "fmt", type=click.Choice(["csv", "chargeback", "focus"]),
              default="csv", show_default=True)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export(org_ref: str, fmt: str, start: object, end: object, out: Path) -> None:
    """Export costs of [--from, --to] (inclusive) to a file."""
    first: date = start.date()  # type: ignore[attr-defined]
    last: date = end.date()  # type: ignore[attr-defined]
    if last < first:
        fail(msg("common.to_before_from"))

    async def _go(ctx: AppContext) -> tuple[int, bytes | None]:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            await refuse_if_switching(session, org.id, first, last)
            if fmt == "focus":
                # Streamed row by row: a year of a big org does not have to fit in memory.
                with open_private(out) as handle:
                    return await write_focus_csv(
                        iter_export_lines(session, org.id, first, last), handle), None
            if fmt == "chargeback":
                rows = await chargeback_rows(session, org.id, first, last)
                return len(rows), render_chargeback_csv(rows)
            summary = await summary_rows(session, org.id, first, last)
            return len(summary), render_summary_csv(summary)

    count, data = with_app(_go)
    if data is not None:
        write_private_bytes(out, data)
    click.echo(msg("export.wrote", count=count, path=out))
