"""`infrazen brief`: the CFO brief of a month or a week as a PDF file."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.runtime import cli_lang, fail, msg, refuse_if_switching, with_app
from core.app import AppContext
from core.security.files import write_private_bytes
from core.services.brief import build_brief, parse_period
from core.services.errors import ServiceError
from core.services.orgs import get_org
from renderers.pdf import render_brief

COMMANDS = ("brief",)  # read by bot.cli, unimported


def register(cli: click.Group) -> None:
    cli.add_command(brief)


@click.command()
@click.option("--org", "org_ref", required=True, help="Organisation id or slug.")
@click.option("--period", required=True, help="A month (2026-10) or an ISO week (2026-W45).")
@click.option("--lang", type=click.Choice(["ru", "en"]), default=None,
              help="Brief language (default: the global --lang).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def brief(org_ref: str, period: str, lang: str | None, out: Path) -> None:
    """Render the CFO brief of --period to --out (PDF, fonts embedded)."""
    language = cli_lang(lang)
    try:
        parsed = parse_period(period)
    except ServiceError as exc:
        fail(msg("common.error", language, detail=exc.detail or exc))

    async def _go(ctx: AppContext) -> tuple[bytes, str]:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            await refuse_if_switching(session, org.id, parsed.start, parsed.end)
            data = await build_brief(session, org.id, parsed, language, ctx.clock)
        return render_brief(data), data.edition

    pdf, edition = with_app(_go)
    write_private_bytes(out, pdf)
    click.echo(msg("brief.wrote", language, edition=msg(f"brief.edition.{edition}", language),
                   period=parsed.key, path=out, kb=len(pdf) // 1024))
