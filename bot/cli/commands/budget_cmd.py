"""`infrazen budget add | list | rm` and `infrazen budgets` (the same list).

Thin: parse options → `core.services.budgets` (as the operator: no member role, audited with
`via: cli`) → print. The level is the one rule every surface uses (`core.domain.levels`).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import click

from bot.cli.runtime import cli_lang, echo_json, fail, with_app
from core.app import AppContext
from core.services import budgets
from core.services.orgs import get_org
from renderers.format import fmt_money
from renderers.i18n import t
from renderers.messages.budgets import scope_text

COMMANDS = ("budget", "budgets")  # read by bot.cli, unimported

__all__ = ["budget_list_json", "register"]

_org = click.option("--org", "org_ref", required=True, help="Organisation id or slug.")
_json = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
_lang = click.option("--lang", type=click.Choice(["ru", "en"]), default=None,
                     callback=lambda _ctx, _param, value: cli_lang(value),
                     help="Language (default: the global --lang).")
SCOPE_OPTIONS = ("provider", "connection", "project", "team", "service", "tag")


def budget_list_json(st: budgets.BudgetStatus) -> dict[str, Any]:
    """One budget as `budget list --json` prints it."""
    return {"id": st.budget_id, "name": st.name,
            "scope": {"kind": st.scope_kind, "value": st.scope_value},
            "period": st.period, "period_start": st.period_start.isoformat(),
            "period_end": st.period_end.isoformat(), "amount": str(st.amount),
            "currency": st.currency, "spent": str(st.spent), "share": str(st.share),
            "forecast": str(st.forecast), "forecast_share": str(st.forecast_share),
            "level": st.level, "thresholds": list(st.thresholds), "crossed": list(st.crossed),
            "forecast_overrun": st.forecast_overrun, "alert_chat_id": st.alert_chat_id,
            "unmatched": st.unmatched}


def _list(org_ref: str, as_json: bool, lang: str) -> None:
    async def _go(ctx: AppContext) -> list[budgets.BudgetStatus]:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            return await budgets.list_statuses(session, org.id, ctx.clock)

    rows = with_app(_go)
    if as_json:
        echo_json([budget_list_json(st) for st in rows])
        return
    if not rows:
        click.echo(t("budgets.cli.none", lang))
    for st in rows:
        click.echo(t("budgets.cli.line", lang, icon=t(f"answers.budget.status.{st.level}", lang),
                     id=st.budget_id, name=st.name,
                     scope=scope_text(st.scope_kind, st.scope_value, lang),
                     period=t(f"budgets.period.{st.period}", lang),
                     spent=fmt_money(st.spent, st.currency, lang),
                     amount=fmt_money(st.amount, st.currency, lang), share=st.share,
                     forecast=fmt_money(st.forecast, st.currency, lang),
                     forecast_share=st.forecast_share))
        if st.unmatched:
            click.echo(t("answers.budget.unmatched", lang))


@click.group("budget")
def budget() -> None:
    """Budgets: add, list, remove."""


@budget.command("add")
@_org
@click.option("--name", required=True, help="Budget name, 1–100 characters.")
@click.option("--amount", required=True, help="Per period, in the org's currency "
              "(`150000`, `150 000,50`).")
@click.option("--period", type=click.Choice(budgets.PERIODS), default="month",
              show_default=True)
@click.option("--provider", default=None, help="Only this provider's spend (e.g. selectel).")
@click.option("--connection", default=None, help="Only this connection's spend (its id).")
@click.option("--project", default=None)
@click.option("--team", default=None)
@click.option("--service", default=None)
@click.option("--tag", default=None, metavar="KEY=VALUE", help="Only spend carrying this tag.")
@click.option("--thresholds", default="50,80,100", show_default=True,
              help="Alert thresholds in percent of the amount.")
@click.option("--alert-chat", type=int, default=None,
              help="Send its alerts only to this chat: a bound group or a member's id.")
def add(org_ref: str, name: str, amount: str, period: str, provider: str | None,
        connection: str | None, project: str | None, team: str | None, service: str | None,
        tag: str | None, thresholds: str, alert_chat: int | None) -> None:
    """Create a budget and print its id."""
    given = {k: v for k, v in zip(SCOPE_OPTIONS, (provider, connection, project, team,
                                                  service, tag), strict=True) if v is not None}
    if len(given) > 1:
        fail(t("budgets.cli.one_scope", cli_lang()))

    async def _go(ctx: AppContext) -> tuple[int, bool]:
        kind, value = (budgets.parse_scope(*next(iter(given.items()))) if given
                       else ("org", None))
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            bid = await budgets.create_budget(
                session, org.id, None, name=name, amount=budgets.parse_amount(amount),
                scope_kind=kind, scope_value=value, period=period,
                thresholds=budgets.parse_thresholds(thresholds), alert_chat_id=alert_chat)
            await session.commit()
            today = ctx.clock.now().astimezone(ZoneInfo(org.timezone)).date()
            return bid, not await budgets.scope_has_costs(session, org.id, kind, value, today)

    bid, unmatched = with_app(_go)
    if unmatched:  # made all the same (its costs may be yet to come), but said
        click.echo(t("budgets.cli.unmatched", cli_lang(), days=budgets.SCOPE_LOOKBACK_DAYS),
                   err=True)
    click.echo(bid)


@budget.command("list")
@_org
@_json
@_lang
def list_(org_ref: str, as_json: bool, lang: str) -> None:
    """Budgets with spent, forecast at period end, level (green/amber/red) and thresholds."""
    _list(org_ref, as_json, lang)


@budget.command("rm")
@_org
@click.argument("budget_id", type=int)
def rm(org_ref: str, budget_id: int) -> None:
    """Delete a budget (its alerts stop)."""
    async def _go(ctx: AppContext) -> None:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            await budgets.delete_budget(session, org.id, None, budget_id)
            await session.commit()

    with_app(_go)
    click.echo(t("budgets.cli.deleted", cli_lang(), id=budget_id))


@click.command("budgets")
@_org
@_json
@_lang
def budgets_cmd(org_ref: str, as_json: bool, lang: str) -> None:
    """The same list as `infrazen budget list`."""
    _list(org_ref, as_json, lang)


def register(cli: click.Group) -> None:
    cli.add_command(budget)
    cli.add_command(budgets_cmd)
