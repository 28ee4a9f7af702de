"""Connections of an organisation: add (validate → test → encrypt), list, rename, pause, delete.

Every call is scoped by organisation (another org's id is NotFound); when an acting user is
given, their role is checked (admin to change, viewer to read); every change is audited.
Raw secrets go from the caller to the connector's `test()` and the vault, and nowhere else:
validation errors name fields, never values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Connection, CostRollup, SyncSnapshot
from core.domain.collection import AccountInfo
from core.domain.connector_errors import ConnectorError
from core.domain.roles import Role
from core.domain.secrets import mask_secrets
from core.ports import ConnectorFactory
from core.security.vault import Vault
from core.services.audit import audit
from core.services.errors import Conflict, NotFound, ServiceError
from core.services.orgs import require_role
from core.services.sync.run import build_connector

__all__ = [
    "Actor", "ConnectionSummary", "add_connection", "delete_connection", "get_connection",
    "list_connections", "pause_connection", "rename_connection", "resume_connection",
    "set_interval", "validate_credentials",
]

MIN_INTERVAL, MAX_INTERVAL = 15, 7 * 24 * 60


@dataclass(frozen=True)
class Actor:
    """Who acts: the user row id (for the role check) and the Telegram id (for the audit)."""

    user_id: int | None = None
    telegram_id: int | None = None
    superadmin: bool = False


@dataclass(frozen=True)
class ConnectionSummary:
    id: int
    org_id: int
    kind: str
    name: str
    status: str
    sync_interval_minutes: int
    last_sync_at: datetime | None
    last_success_at: datetime | None
    last_error_code: str | None
    last_error: str | None
    consecutive_failures: int
    balance: Decimal | None
    balance_currency: str | None
    days_to_block: int | None
    monthly_cost: dict[str, Decimal]  # last 30 days, by currency
    warnings: tuple[str, ...]  # of the last snapshot


async def _check(session: AsyncSession, org_id: int, actor: Actor | None, role: Role) -> None:
    if actor is not None and actor.user_id is not None and not actor.superadmin:
        await require_role(session, org_id, actor.user_id, role)


def _reveal(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_reveal(v) for v in value]
    return value


def validate_credentials(model: type[BaseModel], raw: Mapping[str, Any]) -> BaseModel:
    """The connector's model of `raw`; the error names the bad fields, never their values."""
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'credentials'}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False))
        raise ServiceError(f"invalid credentials: {problems}") from None


async def _load(session: AsyncSession, org_id: int, connection_id: int) -> Connection:
    conn = (await session.execute(select(Connection).where(
        Connection.id == connection_id, Connection.org_id == org_id))).scalar_one_or_none()
    if conn is None:
        raise NotFound(f"connection {connection_id} not found")
    return conn


async def _name_free(session: AsyncSession, org_id: int, name: str, *,
                     except_id: int | None = None) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise ServiceError("connection name must be 1–100 characters")
    query = select(Connection.id).where(Connection.org_id == org_id, Connection.name == name)
    if except_id is not None:
        query = query.where(Connection.id != except_id)
    if (await session.execute(query)).first():
        raise Conflict(f"a connection named {name!r} already exists")
    return name


def _interval(minutes: int) -> int:
    if not MIN_INTERVAL <= minutes <= MAX_INTERVAL:
        raise ServiceError(f"sync interval must be {MIN_INTERVAL}–{MAX_INTERVAL} minutes")
    return minutes


async def add_connection(session: AsyncSession, vault: Vault, http: httpx.AsyncClient, *,
                         connectors: ConnectorFactory, org_id: int, kind: str, name: str,
                         credentials: Mapping[str, Any],
                         endpoint: str | None = None, options: Mapping[str, Any] | None = None,
                         interval_minutes: int = 360, actor: Actor | None = None,
                         now: datetime | None = None) -> tuple[int, AccountInfo]:
    """Validate, test against the provider, then store encrypted; returns (id, account).

    A failing test raises the connector's typed error (nothing is stored).
    """
    await _check(session, org_id, actor, Role.ADMIN)
    name = await _name_free(session, org_id, name)
    interval = _interval(interval_minutes)
    connector = build_connector(connectors, kind, http, endpoint=endpoint, options=options)
    creds = validate_credentials(connector.credentials_model, credentials)
    try:
        account = await connector.test(creds)
    except ConnectorError as exc:
        raise mask_secrets(exc, creds) from None
    stored = to_jsonable_python(_reveal(creds.model_dump()))
    conn = Connection(org_id=org_id, kind=kind, name=name, credentials=vault.encrypt(stored),
                      endpoint=endpoint or None, options=dict(options or {}), status="active",
                      sync_interval_minutes=interval, next_sync_at=now,
                      account_info={"account_id": account.account_id,
                                    "display_name": account.display_name, "plan": account.plan},
                      created_by_id=actor.user_id if actor else None)
    if account.balance is not None:
        conn.balance, conn.balance_currency = account.balance, account.currency
        conn.daily_rate, conn.days_to_block = account.daily_rate, account.days_to_block
        conn.balance_updated_at = now
    session.add(conn)
    await session.flush()
    await audit(session, "connection.add", org_id=org_id,
                actor_telegram_id=actor.telegram_id if actor else None,
                object_type="connection", object_id=conn.id,
                as_superadmin=bool(actor and actor.superadmin), kind=kind, name=name,
                endpoint=endpoint)
    return conn.id, account


async def _summaries(session: AsyncSession, conns: list[Connection],
                     today: date) -> list[ConnectionSummary]:
    if not conns:
        return []
    ids = [c.id for c in conns]
    costs: dict[int, dict[str, Decimal]] = {}
    # the daily rollup, not the lines: a month of a large account's lines took 1 s
    # (PostgreSQL) to 30 s (SQLite, under load) for this list
    r = CostRollup
    rows = await session.execute(
        select(r.connection_id, r.billing_currency, func.sum(r.billed_cost))
        .where(r.org_id.in_(sorted({c.org_id for c in conns})), r.connection_id.in_(ids),
               r.day > today - timedelta(days=30), r.day <= today)
        .group_by(r.connection_id, r.billing_currency))
    for cid, cur, amount in rows:
        costs.setdefault(cid, {})[cur] = Decimal(amount or 0)
    last = (select(SyncSnapshot.connection_id, func.max(SyncSnapshot.id).label("sid"))
            .where(SyncSnapshot.connection_id.in_(ids)).group_by(SyncSnapshot.connection_id)
            .subquery())
    warns = dict((await session.execute(select(SyncSnapshot.connection_id, SyncSnapshot.warnings)
                                        .join(last, SyncSnapshot.id == last.c.sid))).all())
    return [ConnectionSummary(
        id=c.id, org_id=c.org_id, kind=c.kind, name=c.name, status=c.status,
        sync_interval_minutes=c.sync_interval_minutes, last_sync_at=c.last_sync_at,
        last_success_at=c.last_success_at, last_error_code=c.last_error_code,
        last_error=c.last_error, consecutive_failures=c.consecutive_failures,
        balance=c.balance, balance_currency=c.balance_currency,
        days_to_block=c.days_to_block,
        monthly_cost=costs.get(c.id, {}),
        warnings=tuple(warns.get(c.id) or ())) for c in conns]


async def list_connections(session: AsyncSession, org_id: int, *, today: date,
                           actor: Actor | None = None) -> list[ConnectionSummary]:
    """The organisation's connections with status, last sync, 30-day cost and warnings."""
    await _check(session, org_id, actor, Role.VIEWER)
    conns = list((await session.execute(select(Connection).where(
        Connection.org_id == org_id).order_by(Connection.name))).scalars())
    return await _summaries(session, conns, today)


async def get_connection(session: AsyncSession, org_id: int, connection_id: int, *,
                         today: date, actor: Actor | None = None) -> ConnectionSummary:
    """One connection of the organisation (another org's id is NotFound)."""
    await _check(session, org_id, actor, Role.VIEWER)
    return (await _summaries(session, [await _load(session, org_id, connection_id)], today))[0]


async def _change(session: AsyncSession, org_id: int, connection_id: int, actor: Actor | None,
                  action: str, **details: Any) -> Connection:
    await _check(session, org_id, actor, Role.ADMIN)
    conn = await _load(session, org_id, connection_id)
    await audit(session, action, org_id=org_id,
                actor_telegram_id=actor.telegram_id if actor else None,
                object_type="connection", object_id=connection_id,
                as_superadmin=bool(actor and actor.superadmin), **details)
    return conn


async def rename_connection(session: AsyncSession, org_id: int, connection_id: int,
                            name: str, *, actor: Actor | None = None) -> None:
    conn = await _load(session, org_id, connection_id)
    new = await _name_free(session, org_id, name, except_id=connection_id)
    await _change(session, org_id, connection_id, actor, "connection.rename", old=conn.name,
                  new=new)
    conn.name = new
    await session.flush()


async def set_interval(session: AsyncSession, org_id: int, connection_id: int, minutes: int,
                       *, actor: Actor | None = None) -> None:
    conn = await _change(session, org_id, connection_id, actor, "connection.interval",
                         minutes=_interval(minutes))
    conn.sync_interval_minutes = minutes
    await session.flush()


async def pause_connection(session: AsyncSession, org_id: int, connection_id: int, *,
                           actor: Actor | None = None) -> None:
    conn = await _change(session, org_id, connection_id, actor, "connection.pause")
    if conn.status == "demo":
        raise ServiceError("the demo connection cannot be paused")
    conn.status = "paused"
    await session.flush()


async def resume_connection(session: AsyncSession, org_id: int, connection_id: int, *,
                            actor: Actor | None = None, now: datetime | None = None) -> None:
    conn = await _change(session, org_id, connection_id, actor, "connection.resume")
    if conn.status == "paused":
        conn.status = "active"
        conn.next_sync_at = now
    await session.flush()


async def delete_connection(session: AsyncSession, org_id: int, connection_id: int, *,
                            actor: Actor | None = None) -> None:
    """Delete the connection with its resources, snapshots and cost lines (cascade)."""
    conn = await _change(session, org_id, connection_id, actor, "connection.delete")
    await session.delete(conn)
    await session.flush()
