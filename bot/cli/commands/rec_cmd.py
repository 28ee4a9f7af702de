"""`infrazen rec rules | on | off | threshold | dismiss | snooze`: recommendation settings of
an organisation and decisions on one recommendation, with a reason.

`infrazen recs` (in `intel_cmd`) still lists the open recommendations and their total; a
dismissed one leaves that total, the lists and the briefs. Thin: parse → core → print.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import click

from bot.cli.runtime import cli_lang, echo_json, with_app
from core.app import AppContext
from core.services.orgs import get_org
from core.services.recommendations import lifecycle
from core.services.recommendations import settings as rec_settings
from renderers.i18n import t

COMMANDS = ("rec",)  # read by bot.cli, unimported

__all__ = ["register"]

_org = click.option("--org", "org_ref", required=True, help="Organisation id or slug.")
_lang = click.option("--lang", type=click.Choice(["ru", "en"]), default=None,
                     callback=lambda _ctx, _param, value: cli_lang(value),
                     help="Language (default: the global --lang).")


def _run(org_ref: str, fn: Callable[[Any, int, AppContext], Awaitable[Any]]) -> Any:
    async def _go(ctx: AppContext) -> Any:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            result = await fn(session, org.id, ctx)
            await session.commit()
            return result

    return with_app(_go)


@click.group("rec")
def rec() -> None:
    """Recommendation settings (rules on/off, thresholds) and decisions with a reason."""


@rec.command("rules")
@_org
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_lang
def rules(org_ref: str, as_json: bool, lang: str) -> None:
    """Every rule: on or off, and its thresholds (the org's value, else the default)."""
    rows = _run(org_ref, lambda s, oid, ctx: rec_settings.rule_settings(s, oid))
    if as_json:
        echo_json([{"kind": r.kind, "enabled": r.enabled, "thresholds": r.thresholds,
                    "defaults": r.defaults} for r in rows])
        return
    for r in rows:
        values = ", ".join(f"{k}={v:g}" for k, v in r.thresholds.items())
        click.echo(t("recsettings.cli.rule", lang, mark="✅" if r.enabled else "⛔",
                     kind=r.kind, thresholds=f" ({values})" if values else ""))


def _toggle(org_ref: str, kind: str, enabled: bool, lang: str) -> None:
    count = _run(org_ref, lambda s, oid, ctx: rec_settings.set_rule_enabled(
        s, oid, None, kind, enabled))
    click.echo(t(f"recsettings.cli.{'on' if enabled else 'off'}", lang, kind=kind, count=count))


@rec.command("on")
@_org
@click.argument("kind")
@_lang
def on(org_ref: str, kind: str, lang: str) -> None:
    """Turn a rule on (the recommendations its switch-off hid come back)."""
    _toggle(org_ref, kind, True, lang)


@rec.command("off")
@_org
@click.argument("kind")
@_lang
def off(org_ref: str, kind: str, lang: str) -> None:
    """Turn a rule off (its open recommendations are dismissed with the reason rule_off)."""
    _toggle(org_ref, kind, False, lang)


@rec.command("threshold")
@_org
@click.argument("kind")
@click.argument("name")
@click.argument("value")
@_lang
def threshold(org_ref: str, kind: str, name: str, value: str, lang: str) -> None:
    """Set a rule's threshold, e.g. `idle cpu_percent 3` (`default` restores it); the next
    evaluation uses it (`infrazen recs --evaluate`, or the next sync)."""
    effective = _run(org_ref, lambda s, oid, ctx: rec_settings.set_threshold(
        s, oid, None, kind, name, None if value == "default" else value))
    click.echo(t("recsettings.cli.threshold", lang, kind=kind, name=name, value=f"{effective:g}"))


@rec.command("dismiss")
@_org
@click.argument("rec_id", type=int)
@click.option("--reason", default=None, help="Why (kept with the decision and in the audit).")
@_lang
def dismiss(org_ref: str, rec_id: int, reason: str | None, lang: str) -> None:
    """Dismiss a recommendation for good: out of lists, totals and briefs."""
    _run(org_ref, lambda s, oid, ctx: lifecycle.dismiss(s, oid, None, rec_id, ctx.clock,
                                                        reason=reason))
    click.echo(t("recsettings.cli.dismissed", lang, id=rec_id))


@rec.command("snooze")
@_org
@click.argument("rec_id", type=int)
@click.option("--days", type=click.IntRange(1, 365), default=14, show_default=True)
@click.option("--reason", default=None, help="Why (kept with the decision and in the audit).")
@_lang
def snooze(org_ref: str, rec_id: int, days: int, reason: str | None, lang: str) -> None:
    """Hide a recommendation for N days; it comes back as new afterwards."""
    _run(org_ref, lambda s, oid, ctx: lifecycle.snooze(s, oid, None, rec_id, ctx.clock,
                                                       days=days, reason=reason))
    click.echo(t("recsettings.cli.snoozed", lang, id=rec_id, days=days))


def register(cli: click.Group) -> None:
    cli.add_command(rec)
