"""`infrazen rates set | list | sync`: exchange rates into an organisation's currency.

`set` stores a manual rate (it wins over a Bank of Russia rate of the same day); `list`
prints every stored rate (`--json`: a list of {currency, base, rate, valid_from, source});
`sync` fetches the Bank of Russia's official daily rates for a RUB organisation (what the
daily scheduler job does), by default for the days its foreign-currency costs still need.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import click

from bot.cli.runtime import cli_lang, echo_json, fail, with_app
from connectors.cbr import CbrClient
from connectors.errors import ConnectorError
from connectors.http import ProviderHttp
from core.app import AppContext
from core.jobs.rates import MOSCOW
from core.services import currency
from core.services.cbr_rates import CbrSync, sync_cbr_rates
from core.services.currency import RateInputError
from core.services.orgs import get_org
from renderers.format import fmt_date
from renderers.i18n import t
from renderers.messages.rates import fmt_rate

COMMANDS = ("rates",)  # read by bot.cli, unimported

__all__ = ["register"]


def register(cli: click.Group) -> None:
    cli.add_command(rates)


def _say(key: str, **params: Any) -> str:
    return t(f"rates.{key}", cli_lang(), **params)


class _Refused:
    def __init__(self, error: RateInputError) -> None:
        self.error = error


def _run(fn: Callable[[AppContext], Awaitable[Any]]) -> Any:
    """`with_app`, with bad input worded in the CLI language (with_app would print the
    English detail of any other ServiceError)."""

    async def _guarded(ctx: AppContext) -> Any:
        try:
            return await fn(ctx)
        except RateInputError as exc:
            return _Refused(exc)

    result = with_app(_guarded)
    if isinstance(result, _Refused):
        fail(_say(f"error.{result.error.reason}", value=result.error.value))
    return result


@click.group()
def rates() -> None:
    """Exchange rates into the organisation's currency (manual and Bank of Russia)."""


@rates.command("set")
@click.option("--org", "org_ref", required=True, help="Organisation id or slug.")
@click.option("--currency", "code", required=True, help="ISO 4217 code, e.g. USD.")
@click.option("--rate", "value", required=True,
              help="Units of the org currency per 1 unit, e.g. 92.5 or 92,5.")
@click.option("--from", "since", default=None,
              help="First day it applies (YYYY-MM-DD or DD.MM.YYYY); default: the first day "
                   "of the organisation's costs in that currency, else today.")
def set_cmd(org_ref: str, code: str, value: str, since: str | None) -> None:
    """Set a manual rate; it holds from --from until the next rate of that currency."""

    async def _go(ctx: AppContext) -> currency.Rate:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            base = await currency.org_base(session, org.id)
            parsed = currency.parse_currency(code, base)
            rate = currency.parse_rate(value)
            today = ctx.clock.now().date()
            day = (currency.parse_day(since) if since
                   else await currency.default_from(session, org.id, parsed, today))
            stored = await currency.set_rate_as_operator(session, org.id, parsed, rate, day)
            await session.commit()
            return stored

    stored: currency.Rate = _run(_go)
    lang = cli_lang()
    click.echo(_say("cli.set", currency=stored.currency, rate=fmt_rate(stored.rate, lang),
                    base=stored.base_currency, day=fmt_date(stored.valid_from, lang)))


@rates.command("list")
@click.option("--org", "org_ref", required=True, help="Organisation id or slug.")
@click.option("--json", "as_json", is_flag=True,
              help="A JSON list of {currency, base, rate, valid_from, source}.")
def list_cmd(org_ref: str, as_json: bool) -> None:
    """Every stored rate, by currency and date."""

    async def _go(ctx: AppContext) -> list[currency.Rate]:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            return await currency.list_rates(session, org.id)

    rows: list[currency.Rate] = _run(_go)
    if as_json:
        echo_json([{"currency": r.currency, "base": r.base_currency, "rate": str(r.rate),
                    "valid_from": r.valid_from.isoformat(), "source": r.source} for r in rows])
        return
    if not rows:
        click.echo(_say("cli.empty"))
    lang = cli_lang()
    for r in rows:
        click.echo(f"{r.valid_from.isoformat()}  1 {r.currency} = "
                   f"{fmt_rate(r.rate, lang)} {r.base_currency}  "
                   f"({_say(f'source.{r.source}')})")


@rates.command("sync")
@click.option("--org", "org_ref", required=True, help="Organisation id or slug (RUB).")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--currency", "codes", multiple=True,
              help="Fetch this currency too (repeatable); default: those your costs use.")
def sync_cmd(org_ref: str, start: Any, end: Any, codes: tuple[str, ...]) -> None:
    """Fetch the Bank of Russia's official daily rates (default: the days still needed)."""
    first: date | None = start.date() if start else None
    last: date | None = end.date() if end else None
    if (first is None) != (last is None):
        fail(_say("error.range", value=f"{first or '?'} … {last or '?'}"))

    async def _go(ctx: AppContext) -> CbrSync | None:
        if ctx.settings.cbr_url is None:
            return None
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
        client = CbrClient(ProviderHttp(ctx.http, "cbr"), ctx.settings.cbr_url)
        today = ctx.clock.now().astimezone(MOSCOW).date()
        return await sync_cbr_rates(ctx.sessions, org.id, client.daily, today=today,
                                    start=first, end=last, currencies=codes or None)

    try:
        result: CbrSync | None = _run(_go)
    except ConnectorError as exc:
        fail(_say("cli.failed", detail=exc.detail or exc.code), code=1)
    if result is None:
        fail(_say("cli.off"))
    if not result.currencies or result.start is None or result.end is None:
        click.echo(_say("cli.nothing"))
        return
    click.echo(_say("cli.synced", start=result.start.isoformat(), end=result.end.isoformat(),
                    currencies=", ".join(result.currencies), days=result.days_asked,
                    stored=result.stored))
    if result.unpublished:
        click.echo(_say("cli.unpublished", currencies=", ".join(result.unpublished)), err=True)
