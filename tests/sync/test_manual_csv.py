"""Manual CSV import: spreadsheet-friendly input, exact sums, clear row-and-column errors."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.errors import InvalidInput
from connectors.files import BILLING_FILES as FILES
from connectors.manual_csv.reader import parse_tag_pairs
from core.db.engine import session_factory
from core.db.models import Connection, CostLine
from core.security.vault import Vault
from core.services.focus_import import import_file
from tests.sync.conftest import fresh_connection


async def _conn(engine: AsyncEngine, vault: Vault) -> tuple[int, int]:
    sessions = session_factory(engine)
    org, conn = await fresh_connection(engine, vault, "manual_csv")
    async with sessions() as session, session.begin():
        c = await session.get(Connection, conn)
        assert c is not None
        c.options = {"provider_name": "Hetzner", "currency": "EUR"}
    return org, conn


async def test_rows_become_daily_lines_with_tags_and_currency(sqlite_engine: AsyncEngine,
                                                              vault: Vault) -> None:
    org, conn = await _conn(sqlite_engine, vault)
    text = ("\ufeffДата;Сервис;Ресурс;Стоимость;Теги;Валюта\n"
            "05.11.2026;VPS;web-1;1 234,56;team=web,env=prod;RUB\n"
            "\n"
            "2026-11-05;VPS;web-1;0,44;\"team=web;env=prod\";RUB\n"
            "2026-11-06;Backup;;10;;\n")
    sessions = session_factory(sqlite_engine)
    async with sessions() as session, session.begin():
        result = await import_file(session, FILES, org, conn, io.BytesIO(text.encode()))
    assert result.rows == 3
    assert result.totals == {"EUR": Decimal("10"), "RUB": Decimal("1235.00")}
    async with sessions() as session:
        rows = (await session.execute(select(CostLine).order_by(CostLine.day))).scalars().all()
    assert [(r.day, r.service_name, r.resource_name, r.billed_cost, r.billing_currency)
            for r in rows] == [
        (date(2026, 11, 5), "VPS", "web-1", Decimal("1235.00"), "RUB"),
        (date(2026, 11, 6), "Backup", None, Decimal("10"), "EUR")]
    assert rows[0].tags == {"team": "web", "env": "prod"}
    assert rows[0].provider_name == "Hetzner"
    assert rows[0].source == "manual"


@pytest.mark.parametrize(("text", "line", "column", "needle"), [
    ("date,service,cost\n2026-11-05,VPS,1\n", 1, "resource", "missing"),
    ("date,service,resource,cost\n2026-11-05,VPS,a,1\n2026-13-05,VPS,a,1\n", 3, "date",
     "not a date"),
    ("date,service,resource,cost\n2026-11-05,VPS,a,one\n", 2, "cost", "not a number"),
    ("date,service,resource,cost,tags\n2026-11-05,VPS,a,1,team\n", 2, "tags", "key=value"),
    ("date,service,resource,cost,currency\n2026-11-05,VPS,a,1,рубли\n", 2, "currency",
     "3-letter"),
    ("date,service,resource,cost\n2026-11-05,,,1\n", 2, "service", "empty"),
    ("", None, None, "empty"),
])
async def test_bad_rows_are_named(shared_sqlite: AsyncEngine, vault: Vault, text: str,
                                  line: int | None, column: str | None, needle: str) -> None:
    org, conn = await _conn(shared_sqlite, vault)
    sessions = session_factory(shared_sqlite)
    with pytest.raises(InvalidInput) as err:
        async with sessions() as session, session.begin():
            await import_file(session, FILES, org, conn, io.BytesIO(text.encode()))
    assert (err.value.row, err.value.column) == (line, column)
    assert needle in err.value.detail


def test_tag_pairs() -> None:
    assert parse_tag_pairs("team=web;env=prod") == {"team": "web", "env": "prod"}
    assert parse_tag_pairs(" team = web , cc=42 ") == {"team": "web", "cc": "42"}
    assert parse_tag_pairs("") == {}
