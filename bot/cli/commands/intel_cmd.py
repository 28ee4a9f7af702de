"""`infrazen runway | recs | anomalies | forecast --org ORG [--json]`.

Budgets and allocation have their own modules (`budget_cmd`, `allocation_cmd`).

Thin: parse options → core service → print (text from the intel catalogue, or JSON).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import click

from bot.cli.runtime import cli_lang, echo_json, jsonable, with_app
from core.app import AppContext
from core.services import anomaly_service, forecasts, runway
from core.services import recommendations as recs_service
from core.services.orgs import get_org
from renderers.format import fmt_date, fmt_money
from renderers.i18n import t, t_data

COMMANDS = ("runway", "recs", "anomalies", "forecast")  # read by bot.cli, unimported

__all__ = ["register"]

Handler = Callable[[Any, int, AppContext], Awaitable[Any]]


def _run(org_ref: str, fn: Callable[[Any, int, AppContext], Awaitable[Any]]) -> Any:
    async def _go(ctx: AppContext) -> Any:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            result = await fn(session, org.id, ctx)
            await session.commit()
            return result

    return with_app(_go)


_org = click.option("--org", "org_ref", required=True, help="Organisation id or slug.")
_json = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
_lang = click.option("--lang", type=click.Choice(["ru", "en"]), default=None,
                     callback=lambda _ctx, _param, value: cli_lang(value),
                     help="Language (default: the global --lang).")


@click.command("runway")
@_org
@_json
@_lang
@click.option("--target-days", type=click.IntRange(1, 365), default=None)
def runway_cmd(org_ref: str, as_json: bool, lang: str, target_days: int | None) -> None:
    """Balance runway of every prepaid connection: days to block, date, top-up."""
    view = _run(org_ref, lambda s, oid, ctx: runway.runway(s, oid, ctx.clock,
                                                            target_days=target_days))
    if as_json:
        echo_json(jsonable(view))
        return
    for row in view.rows:
        click.echo(t("intel.runway.line", lang, name=row.name,
                     balance=fmt_money(row.balance, view.currency, lang),
                     days=row.days_left if row.days_left is not None else "∞",
                     date=fmt_date(row.block_date, lang) if row.block_date else "—",
                     top_up=fmt_money(row.top_up, view.currency, lang), target=row.target_days))


@click.command("recs")
@_org
@_json
@_lang
@click.option("--evaluate", is_flag=True, help="Re-run the rules first.")
def recs_cmd(org_ref: str, as_json: bool, lang: str, evaluate: bool) -> None:
    """Open recommendations, biggest saving first, and their total."""
    async def _go(session: Any, org_id: int, ctx: AppContext) -> Any:
        if evaluate:
            await recs_service.evaluate(session, org_id, ctx.clock)
        rows = await recs_service.list_recommendations(session, org_id)
        return rows, await recs_service.summary(session, org_id)

    rows, summary = _run(org_ref, _go)
    if as_json:
        echo_json({"summary": jsonable(summary), "recommendations": [
            {"id": r.id, "kind": r.kind, "dedup_key": r.dedup_key, "status": r.status,
             "title": t_data(f"intel.rec.{r.kind}.title", lang, r.params),
             "monthly_saving": str(r.monthly_saving), "confidence": r.confidence,
             "params": r.params, "evidence": r.evidence} for r in rows]})
        return
    for r in rows:
        click.echo(f"{fmt_money(r.monthly_saving, r.currency, lang):>12}  "
                   f"{t_data(f'intel.rec.{r.kind}.title', lang, r.params)}")
    click.echo(f"{fmt_money(summary.open_saving, summary.currency, lang):>12}  Σ")


@click.command("anomalies")
@_org
@_json
@_lang
@click.option("--days", type=click.IntRange(15, 366), default=120, show_default=True)
def anomalies_cmd(org_ref: str, as_json: bool, lang: str, days: int) -> None:
    """Anomalies of the last N days with the services and resources that drove them."""
    found = _run(org_ref, lambda s, oid, ctx: anomaly_service.detect_anomalies(
        s, oid, ctx.clock, days=days))
    if as_json:
        echo_json(jsonable(found))
        return
    for f in found:
        a = f.anomaly
        click.echo(t("intel.anomaly.summary", lang,
                     kind=t(f"intel.anomaly.kind.{a.kind}", lang), start=a.start, end=a.end,
                     delta=fmt_money(a.delta, "RUB", lang),
                     scope=t(f"intel.anomaly.scope.{f.scope}", lang), label=f.label or "—"))
        for c in f.resources[:3]:
            click.echo("    " + t("intel.anomaly.driver", lang, key=c.key,
                                  delta=fmt_money(c.delta, "RUB", lang), share=c.share))


@click.command("forecast")
@_org
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
def forecast_cmd(org_ref: str, days: int) -> None:
    """Month-end forecast with its interval and the next N days, as JSON."""
    async def _go(session: Any, org_id: int, ctx: AppContext) -> Any:
        return {"month_end": await forecasts.month_end(session, org_id, ctx.clock),
                "next_days": await forecasts.next_days(session, org_id, ctx.clock, days)}

    echo_json(jsonable(_run(org_ref, _go)))


def register(cli: click.Group) -> None:
    for command in (runway_cmd, recs_cmd, anomalies_cmd, forecast_cmd):
        cli.add_command(command)
