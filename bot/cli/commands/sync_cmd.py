"""`infrazen sync`, `infrazen import` (alias `import-focus`) and `infrazen costs`: data in,
figures out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.cli.runtime import cli_lang, echo_json, fail, msg, with_app
from connectors.errors import InvalidInput
from core.app import AppContext
from core.db.errors import is_locked
from core.db.models import Connection
from core.services.costs import CostRow, Dimension, LeftOut, breakdown, left_out, org_currency
from core.services.errors import NotFound
from core.services.orgs import get_org
from core.services.updating import UpdatingDays, days_updating
from renderers.format import fmt_date, fmt_money
from renderers.i18n import t
from renderers.messages.rates import left_out_lines

if TYPE_CHECKING:  # import and sync pull pyarrow and every connector: imported when they run
    from core.services.focus_import import ImportResult
    from core.services.sync.run import SyncResult

COMMANDS = ("sync", "import-focus", "import", "costs")  # read by bot.cli, unimported


def register(cli: click.Group) -> None:
    cli.add_command(sync)
    cli.add_command(import_focus)
    cli.add_command(import_focus, name="import")
    cli.add_command(costs)


def _line(r: SyncResult) -> str:
    lang = cli_lang()
    if r.status == "failed":
        return msg("sync.failed", connection=r.connection_id, code=r.error_code, error=r.error)
    totals = ", ".join(fmt_money(v, k, lang, kopecks=True)
                       for k, v in (r.totals_by_currency or {}).items()) or "0"
    status = msg(f"sync.status.{r.status}") if r.status in ("success", "partial") else r.status
    text = msg("sync.done", connection=r.connection_id, status=status, created=r.created,
               updated=r.updated, deleted=r.deleted, unchanged=r.unchanged,
               cost_lines=r.cost_lines, totals=totals)
    return text + "".join("\n  " + msg("sync.warning", warning=w) for w in r.warnings)


@click.command()
@click.option("--connection", "connection_id", type=int, default=None,
              help="Sync this connection now (default: every connection that is due).")
def sync(connection_id: int | None) -> None:
    """Sync now: one connection, or all active connections that are due."""
    from core.services.sync.run import due_connections, run_sync

    async def _go(ctx: AppContext) -> list[SyncResult]:
        if connection_id is not None:
            return [await run_sync(ctx, connection_id, trigger="manual")]
        async with ctx.session() as session:
            ids = await due_connections(session, ctx.clock.now())
        return [await run_sync(ctx, cid, trigger="manual") for cid in ids]

    results = with_app(_go)
    if not results:
        click.echo(msg("sync.nothing_due"))
    for r in results:
        click.echo(_line(r))
    if any(r.status == "failed" for r in results):
        raise SystemExit(1)


@click.command("import-focus")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--connection", "connection_id", type=int, required=True,
              help="A focus (or manual_csv) connection.")
@click.option("--currency", default=None, help="For files without BillingCurrency.")
def import_focus(file: Path, connection_id: int, currency: str | None) -> None:
    """Import a billing file: FOCUS 1.0–1.3 (CSV or .csv.gz), a Yandex Cloud billing detail or
    a manual CSV (English or Russian headers); the file's format, encoding, delimiter and
    decimal mark are detected and said. Re-importing replaces the same providers, accounts and
    days, and leaves every other line alone."""
    from core.services.focus_import import ImportBusy, import_file
    from renderers.messages.imports import import_summary_lines

    async def _go(ctx: AppContext) -> ImportResult | None:
        async with ctx.session() as session:
            org_id = (await session.execute(select(Connection.org_id).where(
                Connection.id == connection_id))).scalar_one_or_none()
            if org_id is None:
                raise NotFound(msg("import.no_connection", connection=connection_id))
            try:
                return await import_file(session, ctx.adapters.files, org_id, connection_id, file,
                                         default_currency=currency, now=ctx.clock.now(),
                                         limits=ctx.settings.read_limits)
            except ImportBusy:
                return None

    try:
        result = with_app(_go)
    except InvalidInput as exc:
        fail(msg("import.invalid", detail=exc.detail))
    except OperationalError as exc:
        if not is_locked(exc):
            raise
        fail(msg("import.locked", detail=str(exc.orig)))
    if result is None:
        fail(msg("import.busy", connection=connection_id))
    lang = cli_lang()
    period = (f"{result.first_day} … {result.last_day}" if result.first_day
              else msg("import.no_days"))
    click.echo(msg("import.done", rows=result.rows, lines=result.lines_stored, days=result.days,
                   period=period))
    for currency_code, amount in result.totals.items():
        click.echo("  " + msg("import.total", currency=currency_code,
                              amount=fmt_money(amount, currency_code, lang, kopecks=True)))
    for line in import_summary_lines(result, lang, totals=False):
        click.echo(line)


@click.command()
@click.option("--org", "org_ref", required=True, help="Organisation id or slug.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--by", type=click.Choice(["provider", "service", "resource", "project"]),
              default="provider", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="An object: see below.")
def costs(org_ref: str, start: Any, end: Any, by: str, as_json: bool) -> None:
    """Spend of [--from, --to] (inclusive) grouped by provider, service, resource or project.

    Other currencies convert at the rate of each line's day; lines whose day has no rate are
    left out of the figures and listed, with their own totals, after them.

    \b
    --json prints one object:
      {"org": slug, "currency": org currency, "from": day, "to": day, "by": dimension,
       "total": sum of rows, "rows": [{"key", "label", "amount", "currency"}],
       "left_out": [{"currency", "amount" (in that currency), "first_day", "last_day",
                     "reason": "no_rate"}],
       "updating": [{"connection", "first_day", "last_day"}]}
    Amounts are decimal strings; "left_out" is empty when everything converted; "updating"
    names the days a file import is switching right now (SQLite), whose figures are about to
    change, and is empty otherwise.
    """
    first: date = start.date()
    last: date = end.date()
    if last < first:
        fail(msg("common.to_before_from"))

    async def _go(ctx: AppContext) -> tuple[str, str, list[CostRow], tuple[LeftOut, ...],
                                            tuple[UpdatingDays, ...]]:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            rows = list(await breakdown(session, org.id, first, last, Dimension(by)))
            return (org.slug, await org_currency(session, org.id), rows,
                    await left_out(session, org.id, first, last),
                    await days_updating(session, org.id, first, last))

    slug, base, rows, missing, updating = with_app(_go)
    if as_json:
        echo_json({"org": slug, "currency": base, "from": first.isoformat(),
                   "to": last.isoformat(), "by": by,
                   "total": str(sum((r.amount for r in rows), Decimal(0))),
                   "rows": [{"key": r.key, "label": r.label, "amount": str(r.amount),
                             "currency": r.currency} for r in rows],
                   "left_out": [{"currency": m.currency, "amount": str(m.amount),
                                 "first_day": m.first_day.isoformat(),
                                 "last_day": m.last_day.isoformat(), "reason": "no_rate"}
                                for m in missing],
                   "updating": [{"connection": u.connection, "first_day": u.first.isoformat(),
                                 "last_day": u.last.isoformat()} for u in updating]})
        return
    if not rows and not missing:
        click.echo(msg("costs.empty"))
    lang = cli_lang()
    for r in rows:
        click.echo(f"{r.label:<40} {fmt_money(r.amount, r.currency, lang, kopecks=True):>20}")
    for line in left_out_lines(missing, lang, hint="cli", org=slug, with_days=True):
        click.echo(line)
    for u in updating:
        click.echo(t("answers.updating", lang, connection=u.connection,
                     first=fmt_date(u.first, lang), last=fmt_date(u.last, lang)))
