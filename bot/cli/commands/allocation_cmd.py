"""`infrazen allocation` (coverage, showback, chargeback — as before) and its rules:
`allocation rule add | list | rm`, `allocation suggestions`, `allocation accept ID`.

Every change prints the coverage it moved. Thin: parse → `core.services.allocation` (as the
operator, audited with `via: cli`) → print.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import click

from bot.cli.runtime import cli_lang, echo_json, fail, jsonable, with_app
from core.app import AppContext
from core.db.models import AllocationRule
from core.services import allocation, forecasts
from core.services.orgs import get_org
from renderers.format import fmt_money
from renderers.i18n import t
from renderers.messages.allocation import match_text, target_text

COMMANDS = ("allocation",)  # read by bot.cli, unimported

__all__ = ["register"]

_json = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
_lang = click.option("--lang", type=click.Choice(["ru", "en"]), default=None,
                     callback=lambda _ctx, _param, value: cli_lang(value),
                     help="Language (default: the global --lang).")
_org = click.option("--org", "org_ref", required=True, help="Organisation id or slug.")


def _rule_json(rule: AllocationRule) -> dict[str, Any]:
    return {"id": rule.id, "name": rule.name, "status": rule.status, "priority": rule.priority,
            "match": rule.match, "team": rule.team, "project": rule.project,
            "environment": rule.environment, "cost_center": rule.cost_center}


def _run(org_ref: str, fn: Callable[[Any, int, AppContext], Awaitable[Any]]) -> Any:
    async def _go(ctx: AppContext) -> Any:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            result = await fn(session, org.id, ctx)
            await session.commit()
            return result, org.currency

    return with_app(_go)


async def _with_coverage(session: Any, org_id: int, ctx: AppContext,
                         result: Any) -> tuple[Any, allocation.Coverage]:
    return result, await allocation.current_coverage(session, org_id, ctx.clock)


def _echo_coverage(cov: allocation.Coverage, currency: str, lang: str) -> None:
    click.echo(t("allocation.cli.coverage", lang, days=allocation.COVERAGE_DAYS, share=cov.share,
                 allocated=fmt_money(cov.allocated, currency, lang),
                 total=fmt_money(cov.total, currency, lang)))


def _echo_rule(rule: AllocationRule, lang: str) -> None:
    click.echo(t("allocation.cli.rule", lang, id=rule.id, status=rule.status, name=rule.name,
                 match=match_text(rule.match or {}, lang), target=target_text(rule, lang)))


@click.group("allocation", invoke_without_command=True)
@click.option("--org", "org_ref", default=None, help="Organisation id or slug.")
@_json
@_lang
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
@click.option("--suggest", is_flag=True, help="Store rule suggestions from naming patterns.")
@click.pass_context
def allocation_group(ctx: click.Context, org_ref: str | None, as_json: bool, lang: str,
                     days: int, suggest: bool) -> None:
    """Allocation coverage, showback by team and the chargeback lines of the last N days;
    its subcommands manage the rules."""
    if ctx.invoked_subcommand is not None:
        return
    if not org_ref:
        fail(t("allocation.cli.org_required", lang))

    async def _go(session: Any, org_id: int, app: AppContext) -> Any:
        info = await forecasts.org_info(session, org_id, app.clock)
        end, start = info.yesterday, info.yesterday - timedelta(days=days - 1)
        suggestions = await allocation.suggest_rules(session, org_id) if suggest else []
        return {"coverage": await allocation.coverage(session, org_id, start, end),
                "showback": await allocation.showback(session, org_id, start, end, "team"),
                "chargeback": await allocation.chargeback(session, org_id, start, end),
                "suggested_rules": [{"id": r.id, "name": r.name, "match": r.match,
                                     "team": r.team, "project": r.project,
                                     "environment": r.environment} for r in suggestions]}

    data, _ = _run(org_ref, _go)
    if as_json:
        echo_json(jsonable(data))
        return
    click.echo(t("intel.allocation.coverage", lang, share=data["coverage"].share))
    for row in data["showback"]:
        label = row.label or t("intel.allocation.unallocated", lang)
        click.echo(f"{fmt_money(row.amount, row.currency, lang):>12}  {label}")


@allocation_group.group("rule")
def rule() -> None:
    """Allocation rules: add, list, remove."""


@rule.command("add")
@_org
@click.option("--team", default=None, help="The team the matching resources belong to.")
@click.option("--project", default=None)
@click.option("--env", "environment", default=None)
@click.option("--cost-center", default=None)
@click.option("--match", "matches", multiple=True, required=True, metavar="FIELD=GLOB",
              help="Repeatable; all must hold. Fields: name, provider, connection, service, "
                   "region, tag.KEY; `re:` starts a regular expression.")
@click.option("--name", default=None, help="Rule name (default: team and conditions).")
@click.option("--priority", type=int, default=100, show_default=True,
              help="Lower wins when two rules match.")
@_lang
def rule_add(org_ref: str, team: str | None, project: str | None, environment: str | None,
             cost_center: str | None, matches: tuple[str, ...], name: str | None,
             priority: int, lang: str) -> None:
    """Add a rule, apply it, print its id and the coverage."""
    async def _go(session: Any, org_id: int, app: AppContext) -> Any:
        match = allocation.parse_match(matches)
        label = name or f"{team or project or environment or cost_center}: {' '.join(matches)}"
        rid = await allocation.create_rule(
            session, org_id, None, name=label[:100], match=match, team=team, project=project,
            environment=environment, cost_center=cost_center, priority=priority)
        return await _with_coverage(session, org_id, app, rid)

    (rid, cov), currency = _run(org_ref, _go)
    click.echo(rid)
    _echo_coverage(cov, currency, lang)


@rule.command("list")
@_org
@_json
@_lang
def rule_list(org_ref: str, as_json: bool, lang: str) -> None:
    """Active rules in the order they apply, then suggested and rejected ones."""
    async def _go(session: Any, org_id: int, app: AppContext) -> Any:
        rules = await allocation.list_rules(session, org_id)
        return await _with_coverage(session, org_id, app, [_rule_json(r) for r in rules]), \
            rules

    ((rows, cov), rules), currency = _run(org_ref, _go)
    if as_json:
        echo_json({"coverage": jsonable(cov), "rules": rows})
        return
    _echo_coverage(cov, currency, lang)
    if not rules:
        click.echo(t("allocation.cli.none", lang))
    for r in rules:
        _echo_rule(r, lang)


@rule.command("rm")
@_org
@click.argument("rule_id", type=int)
@_lang
def rule_rm(org_ref: str, rule_id: int, lang: str) -> None:
    """Delete a rule (a suggested one is rejected), re-apply the rest, print the coverage."""
    async def _go(session: Any, org_id: int, app: AppContext) -> Any:
        await allocation.delete_rule(session, org_id, None, rule_id)
        return await allocation.current_coverage(session, org_id, app.clock)

    cov, currency = _run(org_ref, _go)
    click.echo(t("allocation.cli.deleted", lang, id=rule_id))
    _echo_coverage(cov, currency, lang)


@allocation_group.command("suggestions")
@_org
@_json
@_lang
def suggestions(org_ref: str, as_json: bool, lang: str) -> None:
    """Rules suggested by resource names (stored as `suggested`; accept one by its id)."""
    async def _go(session: Any, org_id: int, app: AppContext) -> Any:
        return [_rule_json(r) for r in await allocation.suggest_rules(session, org_id)]

    rows, _ = _run(org_ref, _go)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(t("allocation.cli.no_suggestions", lang))
    for r in rows:
        click.echo(f"#{r['id']} {r['name']}: {r['match']}")


@allocation_group.command("accept")
@_org
@click.argument("rule_id", type=int)
@_lang
def accept(org_ref: str, rule_id: int, lang: str) -> None:
    """Accept a suggested rule, apply it and print the coverage."""
    async def _go(session: Any, org_id: int, app: AppContext) -> Any:
        await allocation.accept_rule(session, org_id, None, rule_id)
        return await allocation.current_coverage(session, org_id, app.clock)

    cov, currency = _run(org_ref, _go)
    click.echo(t("allocation.cli.accepted", lang, id=rule_id))
    _echo_coverage(cov, currency, lang)


def register(cli: click.Group) -> None:
    cli.add_command(allocation_group)
