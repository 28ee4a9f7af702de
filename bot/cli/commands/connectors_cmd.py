"""`infrazen connectors` and `infrazen connection add|list`: what can be connected; connect it."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

import click

from bot.cli.runtime import cli_lang, echo_json, fail, msg, with_app
from connectors.base import secret_fields, wizard_fields
from connectors.errors import ConnectorError
from connectors.registry import connector_class, kinds
from core.app import AppContext
from core.services.connections import add_connection, list_connections
from core.services.orgs import get_org
from renderers.format import fmt_money

COMMANDS = ("connectors", "connection")  # read by bot.cli, unimported


def register(cli: click.Group) -> None:
    cli.add_command(connectors)
    cli.add_command(connection)


def _describe(kind: str) -> dict[str, Any]:
    try:
        cls = connector_class(kind)
    except (ImportError, AttributeError) as exc:
        return {"kind": kind, "available": False, "reason": type(exc).__name__}
    model = cls.credentials_model
    secrets = set(secret_fields(model))
    asked = set(wizard_fields(model))
    fields = [{"name": name, "required": f.is_required(), "secret": name in secrets,
               "wizard": name in asked} for name, f in model.model_fields.items()]
    return {"kind": kind, "available": True, "name": cls.display_name, "fields": fields}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def connectors(as_json: bool) -> None:
    """Connector kinds and their credential fields (secret fields marked)."""
    described = [_describe(kind) for kind in kinds()]
    if as_json:
        echo_json(described)
        return
    for item in described:
        if not item["available"]:
            click.echo(f"{item['kind']:<12} {msg('connectors.unavailable')}")
            continue
        parts = []
        for f in item["fields"]:
            mark = "*" if f["required"] else ""
            secret = " " + msg("connectors.secret") if f["secret"] else ""
            parts.append(f"{f['name']}{mark}{secret}")
        fields = ", ".join(parts) or msg("connectors.no_fields")
        click.echo(f"{item['kind']:<12} {item['name']}: {fields}")
    click.echo(msg("connectors.legend"))


@click.group()
def connection() -> None:
    """Provider connections of an organisation."""


def _read_credentials(source: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()  # noqa: SIM115
    except OSError as exc:
        fail(msg("connection.cannot_read", source=source, detail=exc.strerror))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(msg("connection.not_json", line=exc.lineno, column=exc.colno))
    if not isinstance(data, dict):
        fail(msg("connection.not_object"))
    return data


@connection.command("add")
@click.option("--org", "org_ref", required=True, help="Organisation id or slug.")
@click.option("--kind", required=True, help="Connector kind (see `infrazen connectors`).")
@click.option("--name", required=True, help="A name unique in the organisation.")
@click.option("--credentials", "cred_source", required=True,
              help="JSON file with the credentials, or - to read standard input.")
@click.option("--endpoint", default=None, help="API base URL override (on-prem, tests).")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
              help="Connection option, repeatable (e.g. currency=EUR).")
@click.option("--interval", default=360, show_default=True, help="Sync interval, minutes.")
def add(org_ref: str, kind: str, name: str, cred_source: str, endpoint: str | None,
        options: tuple[str, ...], interval: int) -> None:
    """Test the credentials against the provider, then store them encrypted; prints the id."""
    if kind not in kinds():
        fail(msg("connection.unknown_kind", kind=repr(kind), known=", ".join(kinds())))
    creds = _read_credentials(cred_source)
    opts: dict[str, str] = {}
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(msg("connection.bad_option", option=repr(item)))
        opts[key.strip()] = value.strip()

    async def _go(ctx: AppContext) -> int:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            cid, _ = await add_connection(
                session, ctx.vault, ctx.http, connectors=ctx.adapters.connectors,
                org_id=org.id, kind=kind, name=name,
                credentials=creds, endpoint=endpoint, options=opts, interval_minutes=interval,
                now=ctx.clock.now())
            return cid

    try:
        click.echo(with_app(_go))
    except ConnectorError as exc:
        fail(msg("connection.test_failed", code=exc.code, detail=exc.detail or exc.code))


@connection.command("list")
@click.option("--org", "org_ref", required=True, help="Organisation id or slug.")
@click.option("--json", "as_json", is_flag=True)
def list_(org_ref: str, as_json: bool) -> None:
    """Connections with status, last sync, 30-day cost and last warnings."""

    async def _go(ctx: AppContext) -> list[dict[str, Any]]:
        async with ctx.session() as session:
            org = await get_org(session, org_ref)
            items = await list_connections(session, org.id, today=ctx.clock.now().date())
        return [{"id": c.id, "kind": c.kind, "name": c.name, "status": c.status,
                 "last_sync_at": c.last_sync_at, "last_error": c.last_error_code,
                 "monthly_cost": {k: str(v) for k, v in c.monthly_cost.items()},
                 "warnings": list(c.warnings)} for c in items]

    rows = with_app(_go)
    if as_json:
        echo_json(rows)
        return
    lang = cli_lang()
    for r in rows:
        cost = ", ".join(fmt_money(Decimal(v), k, lang)
                         for k, v in r["monthly_cost"].items()) or "—"
        error = "  " + msg("connection.list_error", code=r["last_error"]) \
            if r["last_error"] else ""
        click.echo(f"{r['id']:>4}  {r['kind']:<10} {r['name']:<24} {r['status']:<8} "
                   + msg("connection.list_tail", cost=cost,
                         last_sync=r["last_sync_at"] or msg("connection.never")) + error)
