"""Exports: CSV and chargeback add up to the stored costs; the FOCUS export validates."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import CostLine
from core.security.vault import Vault
from core.services.demo import seed_demo
from core.services.exports import chargeback_rows, iter_export_lines, summary_rows
from renderers.exports.csv_export import render_chargeback_csv, render_summary_csv
from renderers.exports.focus_export import FOCUS_COLUMNS, write_focus_csv
from tests.conftest import SHARED

TODAY = date(2026, 11, 22)
START, END = date(2026, 10, 1), date(2026, 10, 31)
VALIDATOR = SHARED / "tools" / "focus-validate"


async def _seeded(session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> int:
    async with session_maker() as session:
        summary = await seed_demo(session, vault, today=TODAY)
        await session.commit()
    return summary.org_id


async def _stored_total(session: AsyncSession, org_id: int) -> Decimal:
    return (await session.execute(select(func.sum(CostLine.billed_cost)).where(
        CostLine.org_id == org_id, CostLine.day >= START, CostLine.day <= END))).scalar_one()


async def test_summary_and_chargeback_csv_add_up(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org_id = await _seeded(session_maker, vault)
    async with session_maker() as session:
        expected = await _stored_total(session, org_id)
        summary = render_summary_csv(await summary_rows(session, org_id, START, END))
        charge = render_chargeback_csv(await chargeback_rows(session, org_id, START, END))
    rows = list(csv.DictReader(io.StringIO(summary.decode("utf-8-sig"))))
    assert {r["provider"] for r in rows} == {"Selectel", "Beget"}
    assert {r["date"] for r in rows} == {f"2026-10-{d:02d}" for d in range(1, 32)}
    assert abs(sum(Decimal(r["cost"]) for r in rows) - expected) < Decimal("0.01") * len(rows)
    teams = list(csv.DictReader(io.StringIO(charge.decode("utf-8-sig"))))
    assert "unallocated" in {r["team"] for r in teams}  # the demo leaves some resources untagged
    shares = sum((Decimal(r["share_percent"]) for r in teams), Decimal(0))
    assert abs(shares - 100) < Decimal("0.1")


async def test_focus_export_columns_and_totals(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org_id = await _seeded(session_maker, vault)
    out = io.StringIO()
    async with session_maker() as session:
        expected = await _stored_total(session, org_id)
        count = await write_focus_csv(iter_export_lines(session, org_id, START, END), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) == 45 * 31
    assert tuple(rows[0]) == FOCUS_COLUMNS
    assert sum(Decimal(r["BilledCost"]) for r in rows) == expected
    first = rows[0]
    assert first["ChargePeriodStart"].endswith("Z")
    assert "T" in first["ChargePeriodStart"]
    assert first["BillingPeriodStart"] == "2026-10-01T00:00:00Z"
    assert json.loads(first["Tags"]) is not None


@pytest.mark.slow
async def test_focus_export_passes_the_finops_validator(
        sqlite_engine: object, vault: Vault, tmp_path: Path) -> None:
    from core.db.engine import session_factory

    maker = session_factory(sqlite_engine)  # type: ignore[arg-type]
    org_id = await _seeded(maker, vault)
    path = tmp_path / "focus.csv"
    async with maker() as session:
        with path.open("w", encoding="utf-8", newline="") as handle:
            await write_focus_csv(iter_export_lines(session, org_id, date(2026, 11, 1),
                                                    date(2026, 11, 3)), handle)
    if not VALIDATOR.exists():
        pytest.fail(f"validator missing at {VALIDATOR}")
    result = subprocess.run(  # noqa: ASYNC221 - the validator run is the test's subject
        [str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=3000, check=False,
        env={**os.environ})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
