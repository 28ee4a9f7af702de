"""The CFO brief built from the database: figures agree with the ledger, editions, the PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import cli
from core.clock import FrozenClock
from core.db.engine import session_factory
from core.security.vault import Vault
from core.services import costs
from core.services.brief import brief_figures, build_brief, edition_for, parse_period
from core.services.demo import seed_demo
from core.services.errors import ServiceError
from renderers.pdf import render_brief

TODAY = date(2026, 11, 22)
CLOCK = FrozenClock(datetime(2026, 11, 22, 7, 0, tzinfo=UTC))


def test_periods_and_editions() -> None:
    october = parse_period("2026-10")
    assert (october.start, october.end, october.kind) == (date(2026, 10, 1),
                                                          date(2026, 10, 31), "month")
    assert parse_period("2026-W01").start == date(2025, 12, 29)
    assert october.previous().key == "2026-09"
    assert edition_for(october, date(2026, 11, 9)) == "preliminary"
    assert edition_for(october, date(2026, 11, 10)) == "final"
    assert edition_for(parse_period("2026-W47"), TODAY) == "weekly"
    for bad in ("2026-13", "october", "2026-W60", ""):
        with pytest.raises(ServiceError, match="is not a month"):
            parse_period(bad)


async def test_brief_figures_agree_with_the_ledger(sqlite_engine: AsyncEngine,
                                                   vault: Vault) -> None:
    maker = session_factory(sqlite_engine)
    async with maker() as session:
        org_id = (await seed_demo(session, vault, today=TODAY)).org_id
        await session.commit()
        october = parse_period("2026-10")
        data = await build_brief(session, org_id, october, "ru", CLOCK)
        expected = await costs.total(session, org_id, october.start, october.end)
        september = await costs.total(session, org_id, date(2026, 9, 1), date(2026, 9, 30))
        current = await build_brief(session, org_id, parse_period("2026-11"), "en", CLOCK,
                                    preliminary=None)
    assert data.edition == "final"
    assert data.kpis.total == expected
    assert data.kpis.previous_total == september
    assert data.kpis.change_ratio == (expected - september) / september
    assert sum(r.share for r in data.by_provider) == pytest.approx(Decimal(1))
    assert {r.label for r in data.by_provider} == {"Selectel", "Beget"}
    assert len(data.trend.days) == 31
    assert not data.trend.forecast_days  # a closed month has no forecast tail
    assert len(data.recommendations) == 10
    assert data.kpis.potential_savings == sum(r.monthly_saving for r in data.recommendations)
    assert data.budgets
    # November is running: actuals to yesterday, a forecast with an interval to the 30th.
    assert current.edition == "preliminary"
    assert current.trend.days[-1] == date(2026, 11, 21)
    assert current.trend.forecast_days[-1] == date(2026, 11, 30)
    assert all(lo <= v <= hi for lo, v, hi in zip(current.trend.forecast_low,
                                                  current.trend.forecast_values,
                                                  current.trend.forecast_high, strict=True))
    low, mid, high = (current.kpis.forecast_low, current.kpis.forecast_total,
                      current.kpis.forecast_high)
    assert low is not None
    assert mid is not None
    assert high is not None
    assert low <= mid <= high


async def test_final_edition_lists_what_changed_and_renders(sqlite_engine: AsyncEngine,
                                                             vault: Vault) -> None:
    maker = session_factory(sqlite_engine)
    async with maker() as session:
        org_id = (await seed_demo(session, vault, today=TODAY)).org_id
        await session.commit()
        october = parse_period("2026-10")
        first = await build_brief(session, org_id, october, "ru", CLOCK)
        before = brief_figures(first)
        before["total"] = str(Decimal(before["total"]) - Decimal("1234.56"))
        final = await build_brief(session, org_id, october, "ru", CLOCK, preliminary=before)
    [change] = final.changes_since_preliminary
    assert change.after - change.before == Decimal("1234.56")
    text = "\n".join(page.extract_text() for page in PdfReader(
        io.BytesIO(render_brief(final))).pages)
    assert "Демо" in text
    assert "ИТОГОВЫЙ" in text
    assert "Октябрь 2026" in text


@pytest.mark.parametrize("key", ["2026-11", "2026-10", "2026-W46"])
async def test_a_brief_reads_the_organisation_and_its_data_range_once(
        sqlite_engine: AsyncEngine, vault: Vault, key: str) -> None:
    """The forecast, budget and anomaly parts get the org and the data range passed down
    (the current month runs all three) instead of each reading them again."""
    maker = session_factory(sqlite_engine)
    async with maker() as session:
        org_id = (await seed_demo(session, vault, today=TODAY)).org_id
        await session.commit()
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(sqlite_engine.sync_engine, "before_cursor_execute", record)
    try:
        async with maker() as session:
            data = await build_brief(session, org_id, parse_period(key), "ru", CLOCK)
    finally:
        event.remove(sqlite_engine.sync_engine, "before_cursor_execute", record)
    assert data.kpis.total > 0
    whole_org = [s for s in statements if s.startswith("SELECT organizations.id,")
                 or s.startswith("SELECT organizations.slug,")]
    ranges = [s for s in statements if s.startswith("SELECT min(")]
    assert (len(whole_org), len(ranges)) == (1, 1)


def test_brief_command_writes_a_pdf_and_refuses_a_bad_period(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("INFRAZEN_SECRET_KEY", "kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8=")
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    out = tmp_path / "brief.pdf"
    ok = runner.invoke(cli, ["brief", "--org", "demo", "--period",
                             f"{date.today().replace(day=1):%Y-%m}", "--lang", "en",
                             "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    assert out.read_bytes().startswith(b"%PDF")
    bad = runner.invoke(cli, ["brief", "--org", "demo", "--period", "last month",
                              "--out", str(out)])
    assert bad.exit_code == 2
    assert bad.output.strip().count("\n") == 0
    assert "2026-10" in bad.output
